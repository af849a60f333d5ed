"""A cross-reference in the PDF gives its target's page only when that is another page."""

from __future__ import annotations

import io
import re

import pdfplumber

from conftest import pdf_text
from polybrief import pdf

BRIEF = "china-central-asia"
# As the print style sheet writes a page reference (see templates/print.css.j2).
STYLE = """
@counter-style polybrief-here { system: cyclic; symbols: ""; }
a::after { content: " (p. " target-counter(attr(href), page) ")" counter(page, polybrief-here); }
"""


def pages_of(html: str) -> list[str]:
    from weasyprint import CSS, HTML
    from weasyprint.css.counters import CounterStyle

    pdf._patch_weasyprint()
    styles = CounterStyle()
    document = HTML(string=html).render(
        stylesheets=[CSS(string=STYLE, counter_style=styles)], counter_style=styles)
    with pdfplumber.open(io.BytesIO(document.write_pdf())) as pages:
        return [page.extract_text() for page in pages.pages]


def test_page_is_given_for_another_page_only_backwards_and_forwards():
    pages = pages_of(
        '<p>See <a href="#a">ahead here</a> and <a href="#b">ahead there</a>.</p>'
        '<p id="a">A</p>'
        '<p id="b" style="break-before: page">B, <a href="#a">back there</a> and '
        '<a href="#b">back here</a>.</p>')
    assert pages == ["See ahead here and ahead there (p. 2).\nA",
                     "B, back there (p. 1) and back here."]


def test_the_marker_draws_nothing_and_the_page_counter_style_is_kept():
    html = '<p id="a">A</p><p style="break-before: page"><a href="#a">back</a></p>'
    assert pages_of(html)[1] == "back (p. 1)"


def test_sample_references_name_the_page_of_a_target_elsewhere(sample):
    path = sample / "dist" / "en" / f"{BRIEF}.en.pdf"
    with pdfplumber.open(path) as document:
        count = len(document.pages)
    pages = [re.sub(r"\s+", " ", pdf_text(path, n)) for n in range(1, count + 1)]
    figure = next(n for n, text in enumerate(pages, 1)
                  if "Figure 1 The six countries" in text)
    table = next(n for n, text in enumerate(pages, 1)
                 if "Table 1 The China–Central Asia mechanism compared" in text)
    # The figure is on the page that refers to it; the table on the next one.
    assert "As Figure 1 shows" in pages[figure - 1]
    assert "Figure 1 (p." not in " ".join(pages)
    elsewhere = [n for n, text in enumerate(pages, 1) if f"Table 1 (p. {table})" in text]
    assert elsewhere and table not in elsewhere
    assert f"Table 1 (p. {table})" not in pages[table - 1]
