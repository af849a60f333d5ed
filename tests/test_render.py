"""Markdown and labels: untrusted text never becomes markup."""

from __future__ import annotations

from polybrief.render import css_content, render_inline, strip_inline


def test_inline_markdown_renders_emphasis_and_safe_links():
    assert render_inline("a **b** *c* [d](https://e.org/)") == (
        'a <strong>b</strong> <em>c</em> <a href="https://e.org/">d</a>')


def test_raw_html_and_unsafe_links_stay_text():
    html = render_inline('<script>x</script> [a](javascript:alert(1)) [b](file:///etc/passwd)')
    assert "<script" not in html and "&lt;script&gt;" in html
    assert "href" not in html
    assert "<img" not in render_inline("![i](https://e.org/i.png)")


def test_strip_inline_gives_plain_text():
    assert strip_inline("**Bold** and [link](https://x.org)") == "Bold and link"


def test_css_content_turns_a_label_into_counters_and_escaped_strings():
    assert css_content("Стр. {page} из {pages}", page="page", pages="pages") == (
        '"Стр. " counter(page) " из " counter(pages)')
    assert css_content('a "q" \\ {page}', page="page") == '"a \\"q\\" \\\\ " counter(page)'


def test_css_content_neutralises_markup_in_a_translated_label():
    from markupsafe import Markup

    value = css_content(Markup("&lt;/style&gt; {page}"), page="page")
    assert "</style" not in value and value.endswith("counter(page)")
