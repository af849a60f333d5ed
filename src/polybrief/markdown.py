"""Inline Markdown: CommonMark with ruby (furigana), safe links and bounded nesting."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markupsafe import Markup, escape

SAFE_LINK = re.compile(r"^(https?:|mailto:|#)", re.IGNORECASE)
RUBY = re.compile(r"\{([^{}|\n]+)\|([^{}|\n]+)\}")


def _ruby_rule(state, silent: bool) -> bool:
    """Inline syntax ``{漢字|かんじ}``: a base text and its reading (furigana)."""
    if state.src[state.pos] != "{":
        return False
    match = RUBY.match(state.src, state.pos)
    if not match:
        return False
    if not silent:
        token = state.push("ruby", "ruby", 0)
        token.content = match[1]
        token.meta = {"reading": match[2]}
    state.pos = match.end()
    return True


def _render_ruby(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    return (f"<ruby>{escape(token.content)}<rp>(</rp><rt>{escape(token.meta['reading'])}</rt>"
            f"<rp>)</rp></ruby>")


# References inside text: a footnote ([^fn-id]), a source ([@key] or [@key, p. 4]), a
# figure, table, callout or section (@tbl-capitals), and a span of another language or
# a term translations keep ([Тәуелсіздік]{lang=kk}, [Tashkent City]{.notranslate}).
NOTE_ID = r"[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)*"
FOOTNOTE = re.compile(rf"\[\^({NOTE_ID})\]")
CITATION = re.compile(rf"\[@({NOTE_ID})(?:,\s*([^\]\n]{{1,40}}))?\]")
TARGET_ID = r"(?:fig|tbl|sec|box)-[a-z0-9]+(?:-[a-z0-9]+)*"
CROSS_REFERENCE = re.compile(rf"@({TARGET_ID})")
# Several things of a kind at once, "Figures 1 and 2": [@fig-a; @fig-b].
CROSS_REFERENCES = re.compile(rf"\[@{TARGET_ID}(?:;\s*@{TARGET_ID})*\]")
SPAN_ATTRIBUTES = re.compile(r"\{(?:lang=([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)|(\.notranslate))\}")


def _reference_rule(opening: str, pattern: re.Pattern, kind: str, meta):
    """An inline rule for a reference that opens with ``opening`` and matches ``pattern``:
    a token of ``kind`` whose meta ``meta(match)`` gives."""
    def rule(state, silent: bool) -> bool:
        if not state.src.startswith(opening, state.pos):
            return False
        match = pattern.match(state.src, state.pos)
        if not match:
            return False
        if not silent:
            state.push(kind, "", 0).meta = meta(match)
        state.pos = match.end()
        return True
    return rule


_footnote_rule = _reference_rule("[^", FOOTNOTE, "footnote_ref", lambda m: {"id": m[1]})
_citation_rule = _reference_rule("[@", CITATION, "citation",
                                 lambda m: {"key": m[1], "locator": m[2]})


def _cross_reference_rule(state, silent: bool) -> bool:
    # Not inside an e-mail address (desk@tbl-x.org): ``@`` after a Latin letter or digit.
    if state.src[state.pos] != "@" or (state.pos and re.match(r"[A-Za-z0-9._%+-]",
                                                               state.src[state.pos - 1])):
        return False
    match = CROSS_REFERENCE.match(state.src, state.pos)
    if not match:
        return False
    if not silent:
        state.push("cross_reference", "", 0).meta = {"ids": [match[1]]}
    state.pos = match.end()
    return True


_cross_references_rule = _reference_rule(
    "[@", CROSS_REFERENCES, "cross_reference",
    lambda m: {"ids": CROSS_REFERENCE.findall(m[0])})


def _span_rule(state, silent: bool) -> bool:
    """``[text]{lang=kk}`` and ``[text]{.notranslate}``: Pandoc's bracketed spans."""
    if state.src[state.pos] != "[":
        return False
    end = state.md.helpers.parseLinkLabel(state, state.pos, True)
    if end < 0:
        return False
    attributes = SPAN_ATTRIBUTES.match(state.src, end + 1)
    if not attributes:
        return False
    if not silent:
        token = state.push("span_open", "span", 1)
        token.meta = {"lang": attributes[1], "notranslate": bool(attributes[2]),
                      "text": state.src[state.pos + 1:end]}
        old_pos, old_max = state.pos, state.posMax
        state.pos, state.posMax = state.pos + 1, end
        state.md.inline.tokenize(state)
        state.pos, state.posMax = old_pos, old_max
        state.push("span_close", "span", -1)
    state.pos = attributes.end()
    return True


def _render_footnote(self, tokens, idx, options, env) -> str:
    resolver = (env or {}).get("resolver")
    return resolver.footnote(tokens[idx].meta["id"]) if resolver else ""


def _render_citation(self, tokens, idx, options, env) -> str:
    resolver = (env or {}).get("resolver")
    meta = tokens[idx].meta
    return resolver.citation(meta["key"], meta["locator"]) if resolver else ""


def _render_cross_reference(self, tokens, idx, options, env) -> str:
    resolver = (env or {}).get("resolver")
    return resolver.cross_references(tokens[idx].meta["ids"]) if resolver else ""


def _render_span_open(self, tokens, idx, options, env) -> str:
    meta = tokens[idx].meta
    if meta["lang"]:
        # Isolated: a right-to-left language inside left-to-right text, or the reverse.
        return f'<span lang="{escape(meta["lang"])}" dir="auto">'
    return '<span class="notranslate" translate="no">'


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable(["image"])
    md.validateLink = lambda url: bool(SAFE_LINK.match(url.strip()))
    md.inline.ruler.before("emphasis", "ruby", _ruby_rule)
    md.inline.ruler.before("link", "footnote_ref", _footnote_rule)
    md.inline.ruler.before("link", "cross_references", _cross_references_rule)
    md.inline.ruler.before("link", "citation", _citation_rule)
    md.inline.ruler.before("link", "span", _span_rule)
    md.inline.ruler.before("emphasis", "cross_reference", _cross_reference_rule)
    md.add_render_rule("ruby", _render_ruby)
    md.add_render_rule("footnote_ref", _render_footnote)
    md.add_render_rule("citation", _render_citation)
    md.add_render_rule("cross_reference", _render_cross_reference)
    md.add_render_rule("span_open", _render_span_open)
    return md


MARKDOWN = _markdown()


def render_inline(source: str, references=None) -> Markup:
    """Render inline Markdown; raw HTML comes out as text, unsafe links as text.

    ``references`` turns footnote references, citations and cross-references into
    their numbers and links (see references.py); without it they are left out.
    """
    return Markup(MARKDOWN.renderInline(source, {"resolver": references}))


def strip_inline(source: str) -> str:
    """Plain text of inline Markdown, for metadata and running headers."""
    tokens = MARKDOWN.parseInline(source)
    return "".join(child.content for token in tokens for child in (token.children or [])
                   if child.type in ("text", "code_inline", "softbreak", "ruby")).strip()


def span_languages(source: str) -> set[str]:
    """The languages of the spans of a text marked ``[…]{lang=…}``."""
    return {child.meta["lang"] for token in MARKDOWN.parseInline(source)
            for child in token.children or [] if child.type == "span_open" and child.meta["lang"]}


def references_in(source: str) -> list[tuple[str, str]]:
    """The footnotes, citations, cross-references and kept terms of a text, in order:
    ("footnote", id), ("citation", key), ("cross-reference", id), ("kept term", text)."""
    found = []
    for token in MARKDOWN.parseInline(source):
        for child in token.children or []:
            if child.type == "footnote_ref":
                found.append(("footnote", child.meta["id"]))
            elif child.type == "citation":
                found.append(("citation", child.meta["key"]))
            elif child.type == "cross_reference":
                found += [("cross-reference", target) for target in child.meta["ids"]]
            elif child.type == "span_open" and child.meta["notranslate"]:
                found.append(("kept term", child.meta["text"]))
    return found


MAX_NESTING = 16  # emphasis inside links inside emphasis…: far deeper than any brief
# Pieces of markup (emphasis, links, code, ruby) in one text. WeasyPrint lays out the
# inline boxes of a line in time quadratic in their number: 4,000 in one paragraph
# take four minutes. No real paragraph has more than a few dozen.
MAX_MARKUP = 256


def markup_problem(source: str) -> str | None:
    """Why a text's inline Markdown cannot be rendered safely, or None when it can.

    Each level of nesting becomes a nested element, and a deep enough tree exhausts
    the stack of the HTML and PDF renderers; thousands of elements side by side
    exhaust the PDF renderer's time.
    """
    depth = pieces = 0
    for token in MARKDOWN.parseInline(source):
        for child in token.children or []:
            depth = max(depth, child.level + 1 if child.nesting == 1 else child.level)
            pieces += child.nesting == 1 or child.type in ("code_inline", "ruby")
    if depth > MAX_NESTING:
        return f"inline Markdown nested {depth} levels deep (at most {MAX_NESTING})"
    if pieces > MAX_MARKUP:
        return (f"{pieces} pieces of inline Markdown (emphasis, links, code) in one text "
                f"(at most {MAX_MARKUP}); split it into several paragraphs")
    return None
