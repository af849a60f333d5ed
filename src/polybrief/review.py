"""The side-by-side review edition: ``polybrief review LANG``.

For reviewers who do not use a PO editor: per brief, a PDF and an HTML page with the
source and the translation side by side, segment by segment in reading order (headings,
paragraphs, alt texts, captions, table cells, notes), each row marked translated, fuzzy
(with the source it was made from), untranslated, or with a glossary problem, and
naming its catalog entry (``locales/ru/LC_MESSAGES/brief.po:88``). Each column is set in
its own language's fonts and direction: Japanese beside English, Arabic beside
Japanese. Written to ``<out>/review/<lang>/<brief>.review.pdf`` and ``.html``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup

from .content import Brief
from .errors import Problem, ProjectError
from .files import write_atomic
from .glossary import load_glossary
from .i18n import Language, MessageCatalog
from .project import Project
from .staging import locked

TRANSLATED, FUZZY, UNTRANSLATED = "translated", "fuzzy", "untranslated"

PAGE = jinja2.Template("""<!DOCTYPE html>
<html lang="en" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Review: {{ title }} ({{ source.tag }} → {{ target.tag }})</title>
<style>
{{ fonts }}
body { font: 10pt/1.5 sans-serif; color: #1d2329; margin: 1rem; }
h1 { font-size: 1.3rem; margin: 0 0 0.3rem; }
p.summary { margin: 0 0 1rem; color: #4a535e; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
th, td { border-bottom: 1px solid #c9ced4; padding: 0.35rem 0.4rem; vertical-align: top;
         text-align: start; overflow-wrap: anywhere; }
th { background: #eef0f2; font-size: 0.85rem; }
col.where { width: 16%; } col.text { width: 34%; } col.state { width: 16%; }
td.where, td.state { font-size: 0.8rem; color: #4a535e; }
td.state strong { display: block; color: #1d2329; }
tr.fuzzy td.state strong { color: #7a4b00; }
tr.untranslated td.state strong, tr.glossary td.state strong { color: #8a1c2b; }
tr.fuzzy { background: #fff8e6; } tr.untranslated { background: #fdeeee; }
.previous { display: block; margin-top: 0.3rem; color: #4a535e; font-size: 0.85rem; }
@media print {
  @page { size: A4 landscape; margin: 14mm 12mm;
          @bottom-center { content: counter(page) " / " counter(pages); font: 8pt sans-serif; } }
  body { margin: 0; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
}
</style>
</head>
<body>
<main>
<h1>Review: <span lang="{{ source.tag }}" dir="{{ source.direction }}">{{ title }}</span></h1>
<p class="summary">{{ source.tag }} → {{ target.tag }} · {{ counts.translated }} translated,
{{ counts.fuzzy }} fuzzy, {{ counts.untranslated }} untranslated, {{ counts.glossary }} with a
glossary problem · {{ catalog }}</p>
<table>
<colgroup><col class="where"><col class="text"><col class="text"><col class="state"></colgroup>
<thead><tr><th scope="col">Where</th><th scope="col">Source ({{ source.tag }})</th>
<th scope="col">Translation ({{ target.tag }})</th><th scope="col">State</th></tr></thead>
<tbody>
{% for row in rows %}
<tr class="{{ row.state }}{% if row.glossary %} glossary{% endif %}">
<td class="where">{{ row.where }}</td>
<td lang="{{ source.tag }}" dir="{{ source.direction }}">{{ row.source }}
{%- if row.previous %}<span class="previous">translated from: {{ row.previous }}</span>
{%- endif %}</td>
<td lang="{{ target.tag }}" dir="{{ target.direction }}">{{ row.translation }}</td>
<td class="state"><strong>{{ row.state }}</strong>
{%- for problem in row.glossary %}{{ problem }}<br>{% endfor %}{{ row.entry }}</td>
</tr>
{% endfor %}
</tbody>
</table>
</main>
</body>
</html>
""", autoescape=True)


@dataclass(frozen=True)
class Row:
    where: str
    source: str
    translation: str
    state: str
    previous: str
    glossary: tuple[str, ...]
    entry: str


def rows_of(brief: Brief, catalog: MessageCatalog | None, tag: str, glossary) -> list[Row]:
    """Every segment of a brief in reading order, with its translation and state."""
    rows = []
    for text, where in brief.described_texts():
        message = catalog.catalog.get(text.value, text.context) if catalog else None
        string = message.string if message is not None else ""
        string = string[0] if isinstance(string, tuple | list) else string or ""
        if not string:
            state = UNTRANSLATED
        elif message.fuzzy:
            state = FUZZY
        else:
            state = TRANSLATED
        previous = message.previous_id if message is not None and message.fuzzy else []
        problems = tuple(glossary.problems(text.value, string, tag)) if string else ()
        line = f"{catalog.display}:{message.lineno}" if message is not None and catalog \
            else f"{text.path or brief.path}:{text.line}"
        rows.append(Row(where, text.value, string, state,
                        previous[0] if previous else "", problems, line))
    return rows


def review(project: Project, language: Language, out_dir: Path) -> list[Path]:
    """Write the review edition of every brief published in a language; return the
    files written."""
    from .pdf import write_pdf
    from .render import language_css

    glossary = load_glossary(project.root)
    briefs = [brief for brief in project.briefs
              if language in project.languages_of(brief) and brief.lang != language]
    if not briefs:
        raise ProjectError(Problem("review", f"no brief is translated into {language.tag}"))
    written = []
    for brief in briefs:
        catalog = project.catalog(language, brief.id)
        rows = rows_of(brief, catalog, language.tag, glossary)
        counts = {state: sum(row.state == state for row in rows)
                  for state in (TRANSLATED, FUZZY, UNTRANSLATED)}
        counts["glossary"] = sum(bool(row.glossary) for row in rows)
        fonts = language_css(project.config, (brief.lang, language))
        html = PAGE.render(title=brief.title.value, source=brief.lang, target=language,
                           rows=rows, counts=counts, fonts=Markup(fonts),
                           catalog=catalog.display if catalog else "no catalog yet")
        pdf = write_pdf(html, "", project.config, f"review/{language.tag}/{brief.id}",
                        brief.date or dt.date.today())
        folder = out_dir / "review" / language.tag
        page, path = folder / f"{brief.id}.review.html", folder / f"{brief.id}.review.pdf"
        with locked(out_dir):   # not while a build switches the output folder
            write_atomic(page, html.encode("utf-8"))
            write_atomic(path, pdf.data)
        written += [page, path]
    return written
