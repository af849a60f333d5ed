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


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable(["image"])
    md.validateLink = lambda url: bool(SAFE_LINK.match(url.strip()))
    md.inline.ruler.before("emphasis", "ruby", _ruby_rule)
    md.add_render_rule("ruby", _render_ruby)
    return md


MARKDOWN = _markdown()


def render_inline(source: str) -> Markup:
    """Render inline Markdown; raw HTML comes out as text, unsafe links as text."""
    return Markup(MARKDOWN.renderInline(source))


def strip_inline(source: str) -> str:
    """Plain text of inline Markdown, for metadata and running headers."""
    tokens = MARKDOWN.parseInline(source)
    return "".join(child.content for token in tokens for child in (token.children or [])
                   if child.type in ("text", "code_inline", "softbreak", "ruby")).strip()


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
