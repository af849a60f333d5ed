"""Page references that give the page only when it is another one.

A cross-reference in the PDF names the page of its target, "Figure 2 (p. 3)"; on the
target's own page the page number says nothing, and print drops it. CSS has no
condition for that, so the print style sheet marks the generated content of a page
reference with the page counter in the counter style ``polybrief-here``, which draws
nothing:

    a.xref::after { content: " (p. " target-counter(attr(href), page) ")"
                             counter(page, polybrief-here); }

The marker makes WeasyPrint lay the reference out again with its own page's counters,
as it does for any ``counter(page)``; :func:`install` then compares the two pages and
leaves the content empty when they are one.
"""

from __future__ import annotations

import functools

HERE = "polybrief-here"   # the counter style that marks a page reference


@functools.cache
def install() -> None:
    """Patch WeasyPrint's generated content in this process (once)."""
    from weasyprint.formatting_structure import build

    compute = build.compute_content_list

    def compute_page_reference(content_list, parent_box, counter_values, css_token,
                               parse_again, target_collector, *args, **kwargs):
        children = compute(content_list, parent_box, counter_values, css_token,
                           parse_again, target_collector, *args, **kwargs)
        anchor = _page_reference(content_list, parent_box)
        if anchor is None or not children:
            return children
        item = target_collector.target_lookup_items.get(anchor)
        target = item.cached_page_counter_values.get("page") if item is not None else None
        here = counter_values.get("page")
        return [] if target and here and target[-1] == here[-1] else children

    build.compute_content_list = compute_page_reference


def _page_reference(content_list, box) -> str | None:
    """The name of the anchor a marked page reference points to, or None."""
    from weasyprint.css import targets

    if not any(kind == "counter()" and value[0] == "page" and value[-1] == HERE
               for kind, value in content_list):
        return None
    token = next((value[0] for kind, value in content_list
                  if kind == "target-counter()" and value[1] == "page"), None)
    if token is not None and token[0] == "attr()":   # attr(href), as the sheet writes it
        name, kind, fallback = token[1]
        token = ("string", box.element.get(name, fallback)) if kind == "string" else None
    return targets.anchor_name_from_token(token) if token is not None else None
