"""``polybrief new DIR``: a ready project that builds at once.

It holds ``pyproject.toml`` with ``[tool.polybrief]`` (the source language first, then
the others), an example brief using the schema's main blocks, catalogs for every other
language, a README stub and a ``.gitignore``. It has no ``templates/``: polybrief's
default templates and styles apply, and a file of the same name in ``templates/``
overrides one of them. The example is written in the source language when polybrief
ships one for it (English, Japanese, Russian, Chinese, Arabic); otherwise its text is
English for the author to replace, its inline-Markdown fields marked as English
(``[…]{lang=en}``).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import Problem, ProjectError
from .files import write_atomic
from .i18n import Language, parse_language

# The example brief in each language polybrief ships it in: the strings, by role.
EXAMPLES = {
    "en": {
        "title": "An example brief", "subtitle": "What a polybrief brief is made of",
        "author": "The editors",
        "summary": "This brief shows the parts a brief is written in. Replace its text "
                   "with your own, then build.",
        "points": ["One source text, translated in gettext catalogs.",
                   "HTML and a print-ready PDF in every language."],
        "heading1": "How a brief is written", "heading2": "Figures and notes",
        "paragraph": "A brief is a YAML file: sections of paragraphs, lists, tables and "
                     "callouts, in inline Markdown[^fn-markdown].",
        "items": ["Write the brief in its source language.",
                  "Run update, then translate the catalogs."],
        "caption": "Made-up numbers for the example (illustrative)",
        "header": ["Item", "Value"], "rows": ["First", "Second"],
        "callout": "Delete this example when your first brief is written.",
        "note": "Emphasis, links and references are written in Markdown.",
        "source": "polybrief documentation",
    },
    "ja": {
        "title": "ブリーフの見本", "subtitle": "ブリーフを構成する要素",
        "author": "編集部",
        "summary": "このブリーフは、ブリーフを書くための部品を示す見本である。本文を差し替えて"
                   "からビルドする。",
        "points": ["原文は一つ、翻訳はgettextのカタログで行う。",
                   "すべての言語でHTMLと印刷用PDFを作る。"],
        "heading1": "ブリーフの書き方", "heading2": "図表と注",
        "paragraph": "ブリーフはYAMLファイルであり、段落、箇条書き、表、囲み記事からなる節を"
                     "インラインのMarkdownで書く[^fn-markdown]。",
        "items": ["ブリーフを原文の言語で書く。", "updateを実行し、カタログを翻訳する。"],
        "caption": "見本用の架空の数値（例示）",
        "header": ["項目", "値"], "rows": ["一つ目", "二つ目"],
        "callout": "最初のブリーフを書き終えたら、この見本を削除する。",
        "note": "強調、リンク、参照はMarkdownで書く。",
        "source": "polybrief の説明書",
    },
    "ru": {
        "title": "Пример записки", "subtitle": "Из чего состоит записка polybrief",
        "author": "Редакция",
        "summary": "Эта записка показывает, из каких частей пишется записка. Замените "
                   "текст своим и соберите её.",
        "points": ["Один исходный текст, переводы — в каталогах gettext.",
                   "HTML и PDF для печати на каждом языке."],
        "heading1": "Как пишется записка", "heading2": "Таблицы и примечания",
        "paragraph": "Записка — это файл YAML: разделы из абзацев, списков, таблиц и "
                     "врезок во встроенной разметке Markdown[^fn-markdown].",
        "items": ["Напишите записку на исходном языке.",
                  "Запустите update и переведите каталоги."],
        "caption": "Условные числа для примера (иллюстративные)",
        "header": ["Элемент", "Значение"], "rows": ["Первый", "Второй"],
        "callout": "Удалите этот пример, когда напишете первую записку.",
        "note": "Выделение, ссылки и отсылки пишутся в Markdown.",
        "source": "Документация polybrief",
    },
    "zh-Hans": {
        "title": "简报示例", "subtitle": "polybrief 简报的组成部分",
        "author": "编辑部",
        "summary": "本简报展示撰写简报所用的各个部分。"
                   "请换上你自己的文字，然后构建。",
        "points": ["原文只有一份，译文写在 gettext 目录中。",
                   "每种语言都生成 HTML 和可供印刷的 PDF。"],
        "heading1": "如何撰写简报", "heading2": "表格与注释",
        "paragraph": "简报是一个 YAML 文件：各节由段落、列表、表格和专栏组成，"
                     "使用行内 Markdown 书写[^fn-markdown]。",
        "items": ["用原文语言撰写简报。", "运行 update，然后翻译目录。"],
        "caption": "示例用的虚构数值（仅作示意）",
        "header": ["项目", "数值"], "rows": ["第一项", "第二项"],
        "callout": "写好第一份简报后，请删除本示例。",
        "note": "强调、链接和引用都用 Markdown 书写。",
        "source": "polybrief 文档",
    },
    "ar": {
        "title": "موجز نموذجي", "subtitle": "الأجزاء التي يتكون منها موجز polybrief",
        "author": "هيئة التحرير",
        "summary": "يعرض هذا الموجز الأجزاء التي يُكتب بها الموجز. استبدل نصه بنصك ثم "
                   "ابنِه.",
        "points": ["نص مصدر واحد، وترجماته في فهارس gettext.",
                   "صفحة HTML وملف PDF جاهز للطباعة بكل لغة."],
        "heading1": "كيف يُكتب الموجز", "heading2": "الجداول والحواشي",
        "paragraph": "الموجز ملف YAML: أقسام من فقرات وقوائم وجداول وإطارات، مكتوبة "
                     "بلغة Markdown المضمّنة[^fn-markdown].",
        "items": ["اكتب الموجز بلغته المصدر.", "شغّل update ثم ترجم الفهارس."],
        "caption": "أرقام مختلقة للمثال (توضيحية)",
        "header": ["البند", "القيمة"], "rows": ["الأول", "الثاني"],
        "callout": "احذف هذا المثال عندما تكتب موجزك الأول.",
        "note": "يُكتب التوكيد والروابط والإحالات بلغة Markdown.",
        "source": "وثائق polybrief",
    },
}

BRIEF = """id: example
lang: {lang}
title: {title}
subtitle: {subtitle}
date: {date}
author: {author}
publisher: {publisher}
summary: {summary}
key_points:
  - {point1}
  - {point2}
sections:
  - heading: {heading1}
    id: sec-writing
    blocks:
      - paragraph: {paragraph}
      - numbered:
          - {item1}
          - {item2}
  - heading: {heading2}
    blocks:
      - table:
          id: tbl-example
          caption: {caption}
          header: [{header1}, {header2}]
          rows:
            - [{row1}, 12]
            - [{row2}, 3.5]
      - callout:
          kind: note
          text: {callout}
notes:
  fn-markdown: {note}
sources:
  - title: {source}
    lang: {lang}
    publisher: polybrief
    url: https://example.org/polybrief
"""

PYPROJECT = """[project]
name = "{name}"
version = "0.1.0"

# polybrief's settings: see its README, "Configuration".
[tool.polybrief]
languages = [{languages}]
out_dir = "dist"
paper = "A4"
# layout = "brief"                          # or "factsheet", "report"; a brief may name its own
# base_url = "https://example.org/briefs/"  # where dist/ is published: feeds and a sitemap
"""

README = """# {name}

Briefs built with polybrief, in {languages}.

- `polybrief build`: HTML and PDF of every brief into `dist/`.
- `polybrief update`: after editing a brief, bring the catalogs in `locales/` up to date;
  translators then work in them (Poedit, Weblate, a CAT tool with `export-xliff`).
- `polybrief serve`: a live preview on http://127.0.0.1:8000/.

The example brief is in `content/example/brief.yaml`. To change the look, copy one of
polybrief's templates into `templates/` under the same name and edit it.
"""

GITIGNORE = "/dist/\n/.dist.*\n/xliff/\n/tm/\n"


def _yaml(text: str) -> str:
    """A string as a YAML flow scalar: quoted, as the examples hold colons and brackets."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def example_brief(source: Language, date: str, publisher: str) -> str:
    """The example brief in the source language, or in English marked as English."""
    text = EXAMPLES.get(source.tag)
    marked = text is None
    text = text or EXAMPLES["en"]

    def value(string: str, markdown: bool = False) -> str:
        """A field's text; English text of an inline-Markdown field marked as English."""
        return _yaml(f"[{string}]{{lang=en}}" if marked and markdown else string)

    fields = {key: value(text[key]) for key in ("title", "subtitle", "author", "heading1",
                                                 "heading2", "caption", "source")}
    fields.update({key: value(text[key], True) for key in ("summary", "paragraph",
                                                            "callout", "note")})
    fields.update(point1=value(text["points"][0], True), point2=value(text["points"][1], True),
                  item1=value(text["items"][0], True), item2=value(text["items"][1], True),
                  header1=value(text["header"][0]), header2=value(text["header"][1]),
                  row1=value(text["rows"][0]), row2=value(text["rows"][1]))
    return BRIEF.format(lang=source.tag, date=date, publisher=_yaml(publisher), **fields)


def create_project(folder: Path, source_tag: str, other_tags: list[str],
                   date: str, name: str) -> list[Path]:
    """Write a new project named ``name`` into an empty folder; return the files written."""
    try:
        source = parse_language(source_tag)
        others = [parse_language(tag) for tag in other_tags]
    except ValueError as exc:
        raise ProjectError(Problem("new", str(exc))) from None
    tags = list(dict.fromkeys([source.tag] + [lang.tag for lang in others]))
    name = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "briefs"
    files = {
        "pyproject.toml": PYPROJECT.format(name=name, languages=", ".join(
            f'"{tag}"' for tag in tags)),
        "content/example/brief.yaml": example_brief(source, date, name),
        "README.md": README.format(name=name, languages=", ".join(tags)),
        ".gitignore": GITIGNORE,
    }
    written = []
    for rel, text in files.items():
        write_atomic(folder / rel, text.encode("utf-8"))
        written.append(folder / rel)
    (folder / "locales").mkdir(exist_ok=True)
    return written


@dataclass(frozen=True)
class NewProject:
    files: tuple[Path, ...]                 # every file written
    languages: tuple[Language, ...]
    catalogs: int                           # the catalogs there are to translate


def new_project(folder: Path, source_tag: str, other_tags: list[str],
                date: str) -> NewProject:
    """Make a ready project in a new or empty folder: its files, its templates, its
    catalogs with the UI strings translated where polybrief ships them. It is made in
    a folder beside it and moved in place at the end: never half a project."""
    from .memory import fill, shipped_ui_memory
    from .project import load_project
    from .translate import extract_templates, init_language

    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ProjectError(Problem(str(folder), "is not an empty folder; polybrief new "
                                                "writes only into a new or empty one"))
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.new-", dir=folder.parent))
    try:
        create_project(staging, source_tag, other_tags, date, name=folder.name)
        project = load_project(staging)
        extract_templates(project)
        catalogs = []
        for language in project.config.languages:
            catalogs += init_language(project, language.tag)[0]
        project = load_project(staging)
        for language in project.config.languages:
            fill(project, language, shipped_ui_memory(language), close=False)
        if folder.exists():
            folder.rmdir()
        staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    written = tuple(sorted(path for path in folder.rglob("*") if path.is_file()))
    return NewProject(written, project.config.languages, len(catalogs))
