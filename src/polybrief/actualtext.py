"""The text behind clusters of several glyphs, for tagged PDFs.

A PDF maps each glyph to text once, in its ToUnicode table. Devanagari, Thai and other
complex scripts draw some characters as several glyphs (a vowel sign before its
consonant, a base with its marks): WeasyPrint then maps the whole cluster to its last
glyph and leaves the others mapped to nothing, which PDF/UA forbids (ISO 14289-1,
7.21.7) and which loses text wherever the same glyph appears in another cluster.

For tagged output, :func:`install` gives the marked-content sequence of every line
with such a cluster an /ActualText, the line's exact text (what screen readers, search
and copy use), and gives the glyphs left without text their own character in ToUnicode. A line that
uses a glyph for other text than it was first mapped to gets /ActualText too.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

# Text made only of these never shapes into clusters of several glyphs: Latin without
# combining marks, Greek, Cyrillic, punctuation, symbols, CJK and Hangul syllables.
SIMPLE = re.compile(r"[\x00-\u02ff\u0370-\u03ff\u0400-\u052f\u2000-\u2bff"
                    r"\u3000-\u9fff\uac00-\ud7af\uff00-\uffef]*")


@dataclass
class Cluster:
    glyphs: list[int]            # glyph ids as drawn, PANGO_GLYPH_EMPTY left out
    text: str
    font: object                 # WeasyPrint's Font, which holds to_unicode


@functools.cache
def install() -> None:
    from weasyprint.draw import text as wp_text

    draw_first_line = wp_text.draw_first_line

    def draw_with_actual_text(stream, textbox, *args, **kwargs):
        if stream._tags is None or SIMPLE.fullmatch(textbox.pango_layout.text):
            return draw_first_line(stream, textbox, *args, **kwargs)
        start = len(stream.stream)
        emojis = draw_first_line(stream, textbox, *args, **kwargs)
        clusters, text = _clusters(stream, textbox)
        # A glyph maps to the text it first showed: the line needs its text spelled
        # out when it has clusters of several glyphs or uses a glyph for other text.
        if any(len(c.glyphs) > 1 or c.font.to_unicode.get(c.glyphs[0]) != c.text
               for c in clusters) and _give_actual_text(stream.stream, start, text):
            for cluster in clusters:
                for glyph in cluster.glyphs if len(cluster.glyphs) > 1 else ():
                    if not cluster.font.to_unicode.get(glyph):
                        cluster.font.to_unicode[glyph] = _own_text(cluster)
        return emojis

    wp_text.draw_first_line = draw_with_actual_text


def _clusters(stream, textbox) -> tuple[list[Cluster], str]:
    """The first line's clusters in drawing order, as WeasyPrint walks them, and the
    line's text in logical order."""
    from weasyprint.text.ffi import ffi, pango

    first_line, _ = textbox.pango_layout.get_first_line()
    utf8 = textbox.pango_layout.text.encode()
    clusters = []
    run = first_line.runs[0]
    while run != ffi.NULL:
        item = run.data
        run = run.next
        glyphs, count = item.glyphs, item.glyphs.num_glyphs
        log = glyphs.log_clusters
        offset, length = item.item.offset, item.item.length
        rtl = item.item.analysis.level % 2
        font, _ = stream.add_font(item.item.analysis.font)
        i = 0
        while i < count:
            j = i
            while j + 1 < count and log[j + 1] == log[i]:
                j += 1
            if rtl:
                end = length if i == 0 else log[i - 1]
            else:
                end = length if j == count - 1 else log[j + 1]
            ids = [glyphs.glyphs[k].glyph for k in range(i, j + 1)]
            ids = [g for g in ids if g != pango.PANGO_GLYPH_EMPTY]
            if ids:
                text = utf8[offset + log[i]:offset + end].decode(errors="replace")
                clusters.append(Cluster(ids, text, font))
            i = j + 1
    line = utf8[first_line.start_index:first_line.start_index + first_line.length]
    return clusters, line.decode(errors="replace")


def tagged_sequence(items: list, end: int | None = None):
    """The property list of the tagged marked-content sequence open at ``items[:end]``
    (``/Span <</MCID n>> BDC``, the property list still a dictionary), or None.

    Between it and ``end`` WeasyPrint may have written colour and ``BT`` operators; an
    ``EMC`` means the sequence was closed, and an artifact's has no MCID.
    """
    import pydyf

    for index in range((len(items) if end is None else end) - 1, 0, -1):
        if items[index] == b"EMC":
            return None
        if items[index] == b"BDC":
            properties = items[index - 1]
            return (properties if isinstance(properties, pydyf.Dictionary)
                    and "MCID" in properties else None)
    return None


def _give_actual_text(items: list, start: int, text: str) -> bool:
    """Add the line's text as /ActualText to the tagged sequence around it."""
    import pydyf

    properties = tagged_sequence(items, start)
    if properties is None:
        return False
    properties["ActualText"] = pydyf.String(text)
    return True


def _own_text(cluster: Cluster) -> str:
    """Some text for a glyph the cluster's text is given to another glyph of: one of
    the cluster's characters (the span's /ActualText says what the cluster reads)."""
    marks = [c for c in cluster.text if not c.isspace()]
    return marks[-1] if marks else "\u2060"
