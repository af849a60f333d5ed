"""Shrink the fonts WeasyPrint embeds: keep only the glyphs a PDF draws.

WeasyPrint subsets fonts with HarfBuzz's ``RETAIN_GIDS``: content streams show
2-byte codes that are the glyph ids of the original font (Identity-H), so every
slot up to the highest glyph used stays in the subset, empty. A Noto CJK subset
thus still has ~63,000 charstrings, horizontal and vertical metrics for each,
and makes ~95 % of a Japanese or Chinese PDF. :func:`compact_pdf_fonts` rewrites
each embedded font program without the empty slots; content streams, ``/W``,
``/ToUnicode`` and the codes shown stay exactly as they were:

* CID-keyed CFF (``CIDFontType0``, ``FontFile3`` ``/OpenType`` or
  ``/CIDFontType0C``): the codes are CIDs, which the CFF charset maps to glyph
  indices. The compacted CFF keeps the used glyphs with their CIDs and drops the
  rest. It is embedded as a bare CFF (``/CIDFontType0C``): readers map CIDs
  through the charset of a bare CFF, whereas in an OpenType-wrapped one some
  take CIDs for glyph indices (poppler 22.12 and pdf.js 5.6 draw the wrong
  glyphs once glyphs are renumbered; MuPDF does not). The OpenType tables left
  out (metrics, cmap, names) are not used to draw a CIDFont: its widths are
  ``/W``.
* TrueType (``CIDFontType2``, ``FontFile2``): the glyphs are renumbered and a
  ``/CIDToGIDMap`` stream maps each code to its new glyph; codes of empty
  glyphs all map to one empty glyph. Flate already squeezes the empty slots of
  small fonts to about what the map costs (within ±200 bytes for Noto Serif,
  Naskh Arabic, Devanagari, Hebrew and Thai), so only a font whose codes reach
  ``TRUETYPE_MIN_SLOTS`` is tried, and it is only replaced when the result is
  smaller, and so is the document.

The glyphs kept are .notdef, the codes in ``/W`` and ``/W2``, every 2-byte code
of every string in the content streams (pages, forms, patterns, Type 3 glyphs)
and the components of kept composite glyphs. Codes count for the font selected
by ``Tf`` when it is known, for every font otherwise. A document with an
interactive form also keeps every non-empty glyph, since a reader may draw field
values with the embedded fonts. A font this module does not know how to rewrite
stays as it is; a PDF with nothing to compact comes back unchanged, byte for
byte.
"""

from __future__ import annotations

import io
import logging
import struct
import sys
import zlib
from array import array
from collections.abc import Iterable, Sequence

log = logging.getLogger(__name__)

__all__ = ["compact_pdf_fonts"]

_U32 = "I" if array("I").itemsize == 4 else "L"

# A font is replaced, and the document rewritten, only when it saves this many bytes.
_MIN_GAIN = 1
# What a new indirect stream object costs besides its data ("N 0 obj", dictionary, xref).
_OBJECT_COST = 64
# TrueType subsets with fewer glyph slots than this are left as they are (see above).
TRUETYPE_MIN_SLOTS = 8192


class Unsupported(Exception):
    """A font program (or PDF font) this module does not rewrite: it is left as it is."""


def compact_pdf_fonts(data: bytes, compress: bool = False) -> bytes:
    """Return ``data`` with each embedded font reduced to the glyphs its pages use.

    Pages draw and extract exactly as before. The result is deterministic (same
    input, same bytes); a PDF with nothing to compact, an already compacted one
    among them, is returned as it is. Fonts that are not CID-keyed CFF or
    TrueType CIDFonts, or that this module cannot read, are left unchanged, and
    so is a PDF qpdf cannot open.

    With ``compress``, ``data`` was written uncompressed (WeasyPrint's
    ``uncompressed_pdf``) and is always rewritten: its streams deflated and, from
    PDF 1.5 on, its objects packed into object streams, as WeasyPrint would have
    done. Each stream is then compressed once, after compaction, rather than
    before and again after.
    """
    import pikepdf

    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PdfError as error:
        log.warning("font compaction skipped, cannot read the PDF: %s", error)
        return data
    with pdf:
        if pdf.is_encrypted or not (_compact_document(pdf) or compress):
            return data
        # Object streams otherwise stay as they were: a PDF 1.4 (PDF/A-1) must not get any.
        streams = pikepdf.ObjectStreamMode.preserve
        if compress and pdf.pdf_version >= "1.5":
            streams = pikepdf.ObjectStreamMode.generate
        pikepdf.settings.set_flate_compression_level(9)
        out = io.BytesIO()
        pdf.save(out, compress_streams=True, object_stream_mode=streams,
                 deterministic_id=True)
    result = out.getvalue()
    return result if compress or len(data) - len(result) >= _MIN_GAIN else data


# --------------------------------------------------------------------------- PDF side

_IDENTITY_ENCODINGS = ("/Identity-H", "/Identity-V")


def _compact_document(pdf) -> bool:
    """Rewrite the fonts of an open pikepdf document in place; tell whether any changed."""
    import pikepdf

    groups: dict[tuple[int, int], _FontGroup] = {}
    refused: set[tuple[int, int]] = set()
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary):
            continue
        if obj.get("/Type") != "/Font" or obj.get("/Subtype") != "/Type0":
            continue
        try:
            descendant, program, kind = _font_parts(obj)
        except Unsupported as why:
            log.debug("font %s left as it is: %s", obj.get("/BaseFont"), why)
            program = _font_program(obj)
            if program is not None:
                refused.add(program.objgen)
            continue
        group = groups.setdefault(program.objgen, _FontGroup(program, kind))
        if group.kind != kind or not obj.is_indirect:
            refused.add(program.objgen)
        group.fonts.append(obj.objgen)
        group.descendants.append(descendant)
    for key, group in groups.items():
        if group.kind == "truetype" and _slots(group) < TRUETYPE_MIN_SLOTS:
            refused.add(key)
    if not set(groups) - refused:
        return False

    try:
        shown = _shown_codes(pdf)
    except Unsupported as why:
        log.warning("font compaction skipped: %s", why)
        return False
    keep_all = "/AcroForm" in pdf.Root
    changed = False
    for key in sorted(groups):
        group = groups[key]
        if key in refused:
            continue
        if group.kind == "truetype" and shown.direct_fonts:
            continue  # a font we did not see may use this program with an Identity map
        used = shown.for_fonts(group.fonts)
        for descendant in group.descendants:
            used |= _metric_cids(descendant)
        try:
            if group.kind == "cff":
                changed |= _compact_cff_font(pdf, group, used, keep_all)
            else:
                changed |= _compact_truetype_font(pdf, group, used, keep_all)
        except (Unsupported, ValueError, IndexError, KeyError, struct.error,
                zlib.error, pikepdf.PdfError) as why:
            log.debug("font %s left as it is: %s",
                      group.descendants[0].get("/BaseFont"), why)
    return changed


class _FontGroup:
    """One embedded font program and the CIDFonts that use it."""

    def __init__(self, program, kind: str) -> None:
        self.program = program
        self.kind = kind
        self.fonts: list[tuple[int, int]] = []
        self.descendants: list = []


def _font_program(font):
    """The font file stream of a Type0 font, if it has the usual shape."""
    try:
        descriptor = font.DescendantFonts[0].FontDescriptor
        for key in ("/FontFile3", "/FontFile2", "/FontFile"):
            if key in descriptor:
                return descriptor[key]
    except (AttributeError, IndexError, KeyError, TypeError):
        pass
    return None


def _font_parts(font):
    """Return (CIDFont, font file stream, "cff" | "truetype") or raise Unsupported."""
    import pikepdf

    encoding = font.get("/Encoding")
    if not isinstance(encoding, pikepdf.Name) or str(encoding) not in _IDENTITY_ENCODINGS:
        raise Unsupported(f"encoding {encoding!r} is not Identity-H/V")
    descendants = font.get("/DescendantFonts")
    if not isinstance(descendants, pikepdf.Array) or len(descendants) != 1:
        raise Unsupported("no single descendant font")
    descendant = descendants[0]
    if not isinstance(descendant, pikepdf.Dictionary):
        raise Unsupported("descendant font is not a dictionary")
    descriptor = descendant.get("/FontDescriptor")
    if not isinstance(descriptor, pikepdf.Dictionary):
        raise Unsupported("no font descriptor")
    subtype = descendant.get("/Subtype")
    if subtype == "/CIDFontType0":
        program = descriptor.get("/FontFile3")
        if not isinstance(program, pikepdf.Stream):
            raise Unsupported("no FontFile3")
        if program.get("/Subtype") not in ("/OpenType", "/CIDFontType0C"):
            raise Unsupported(f"FontFile3 subtype {program.get('/Subtype')!r}")
        if isinstance(descendant.get("/CIDToGIDMap"), pikepdf.Stream):
            raise Unsupported("CIDToGIDMap stream on a CIDFontType0 (some readers apply it)")
        return descendant, program, "cff"
    if subtype == "/CIDFontType2":
        program = descriptor.get("/FontFile2")
        if not isinstance(program, pikepdf.Stream):
            raise Unsupported("no FontFile2")
        mapping = descendant.get("/CIDToGIDMap")
        if mapping is not None and mapping != "/Identity":
            raise Unsupported("CIDToGIDMap is not Identity (compacted already?)")
        return descendant, program, "truetype"
    raise Unsupported(f"descendant subtype {subtype!r}")


def _slots(group: _FontGroup) -> int:
    """How many glyph slots the subset has: one past the highest code in /W."""
    return max((max(_metric_cids(d), default=-1) + 1 for d in group.descendants), default=0)


def _metric_cids(descendant) -> set[int]:
    """The CIDs listed in /W and /W2: those WeasyPrint recorded as drawn."""
    import pikepdf

    cids: set[int] = set()
    for key, per_cid in (("/W", 1), ("/W2", 3)):
        widths = descendant.get(key)
        if not isinstance(widths, pikepdf.Array):
            continue
        items = list(widths)
        i = 0
        while i + 1 < len(items):
            first = int(items[i])
            second = items[i + 1]
            if isinstance(second, pikepdf.Array):
                cids.update(range(first, first + len(second) // per_cid))
                i += 2
            else:
                cids.update(range(first, int(second) + 1))
                i += 2 + per_cid
    return cids


_TEXT_OPERATORS = "Tf Tj TJ ' \" q Q gs"


class _ShownCodes:
    """The 2-byte codes shown by the content streams, per Type0 font (by object id).

    Strings shown while the font is not known (a form XObject showing text in
    the font of whoever paints it, a font that is not an indirect object...)
    count for every font.
    """

    def __init__(self) -> None:
        self.per_font: dict[tuple[int, int], set[int]] = {}
        self.anywhere: set[int] = set()
        self.direct_fonts = False  # a Tf named a font dictionary that is not an object

    def for_fonts(self, fonts: Iterable[tuple[int, int]]) -> set[int]:
        codes = set(self.anywhere)
        for font in fonts:
            codes |= self.per_font.get(font, set())
        return codes


def _shown_codes(pdf) -> _ShownCodes:
    """Scan every stream that can show text: pages, forms, tiling patterns, Type 3 glyphs.

    Raises Unsupported when a content stream cannot be parsed.
    """
    import pikepdf

    shown = _ShownCodes()
    for page in pdf.pages:
        if "/Contents" in page.obj:
            _scan(page, _inherited_resources(page.obj), shown)
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream):
            if obj.get("/Subtype") == "/Form" or obj.get("/PatternType") == 1:
                _scan(obj, obj.get("/Resources"), shown)
        elif isinstance(obj, pikepdf.Dictionary) and obj.get("/Subtype") == "/Type3":
            procs = obj.get("/CharProcs")
            if isinstance(procs, pikepdf.Dictionary):
                for proc in procs.values():
                    if isinstance(proc, pikepdf.Stream):
                        _scan(proc, obj.get("/Resources"), shown)
    return shown


def _inherited_resources(page):
    seen = 0
    node = page
    while node is not None and seen < 64:
        if "/Resources" in node:
            return node.get("/Resources")
        node = node.get("/Parent")
        seen += 1
    return None


def _scan(content, resources, shown: _ShownCodes) -> None:
    import pikepdf

    def entry(category: str, name):
        if not isinstance(resources, pikepdf.Dictionary):
            return None
        table = resources.get(category)
        if not isinstance(table, pikepdf.Dictionary) or not isinstance(name, pikepdf.Name):
            return None
        return table.get(name)

    def font_id(font):
        if isinstance(font, pikepdf.Dictionary) and font.is_indirect:
            return font.objgen
        if isinstance(font, pikepdf.Dictionary):
            shown.direct_fonts = True
        return None

    try:
        instructions = pikepdf.parse_content_stream(content, _TEXT_OPERATORS)
    except pikepdf.PdfError as error:
        raise Unsupported(f"content stream cannot be parsed: {error}") from None
    font = None
    saved = []
    for operands, operator in instructions:
        op = str(operator)
        if op == "q":
            saved.append(font)
            continue
        if op == "Q":
            if saved:
                font = saved.pop()
            continue
        if op == "Tf":
            font = font_id(entry("/Font", operands[0])) if operands else None
            continue
        if op == "gs":
            state = entry("/ExtGState", operands[0]) if operands else None
            if isinstance(state, pikepdf.Dictionary) and "/Font" in state:
                setting = state.get("/Font")
                font = font_id(setting[0]) if isinstance(setting, pikepdf.Array) and \
                    len(setting) else None
            continue
        if op == "TJ":
            strings = [item for item in (operands[0] if operands else ())
                       if isinstance(item, pikepdf.String)]
        else:  # Tj ' "
            strings = [item for item in operands[-1:] if isinstance(item, pikepdf.String)]
        target = shown.anywhere if font is None else shown.per_font.setdefault(font, set())
        for string in strings:
            raw = bytes(string)
            if len(raw) % 2:
                raw += b"\0"
            words = array("H", raw)
            if sys.byteorder == "little":
                words.byteswap()
            target.update(words)


def _flate_stream(pdf, data: bytes):
    import pikepdf

    stream = pikepdf.Stream(pdf, zlib.compress(data, 9))
    stream["/Filter"] = pikepdf.Name.FlateDecode
    return stream


def _replace_program(program, data: bytes, **entries) -> None:
    import pikepdf

    program.write(data, filter=pikepdf.Name.FlateDecode)
    for key in list(program.keys()):
        if key not in ("/Length", "/Filter"):
            del program[key]
    for key, value in entries.items():
        program[f"/{key}"] = value


def _compact_cff_font(pdf, group: _FontGroup, used: set[int], keep_all: bool) -> bool:
    import pikepdf

    program = group.program
    data = program.read_bytes()
    cff = _cff_of_opentype(data) if program.get("/Subtype") == "/OpenType" else data
    compacted = compact_cff(cff, used, keep_all)
    if compacted is None:
        return False
    packed = zlib.compress(compacted.data, 9)
    before = len(program.read_raw_bytes())
    if "/Filter" not in program:  # written uncompressed: compare like with like
        before, packed_size = len(cff), len(compacted.data)
    else:
        packed_size = len(packed)
    log.debug("CFF %s: %d glyphs kept, %d -> %d bytes", group.descendants[0].get("/BaseFont"),
              len(compacted.cids), before, packed_size)
    if before - packed_size < _MIN_GAIN:
        return False
    _replace_program(program, packed, Subtype=pikepdf.Name.CIDFontType0C)
    for descendant in group.descendants:
        descriptor = descendant.FontDescriptor
        if "/CIDSet" in descriptor:
            descriptor["/CIDSet"] = pdf.make_indirect(
                _flate_stream(pdf, _cid_set(compacted.cids)))
    return True


def _compact_truetype_font(pdf, group: _FontGroup, used: set[int], keep_all: bool) -> bool:
    program = group.program
    result = compact_truetype(program.read_bytes(), used, keep_all)
    if result is None:
        return False
    font, cid_to_gid = result
    packed = zlib.compress(font, 9)
    packed_map = zlib.compress(cid_to_gid, 9)
    before = len(program.read_raw_bytes())
    if "/Filter" not in program:  # written uncompressed: it would be deflated on saving
        before = len(zlib.compress(program.read_bytes(), 9))
    after = len(packed) + len(packed_map) + _OBJECT_COST
    log.debug("TrueType %s: %d -> %d bytes with its CIDToGIDMap",
              group.descendants[0].get("/BaseFont"), before, after)
    if before - after < _MIN_GAIN:
        return False  # empty glyphs compress well: small fonts gain less than the map costs
    _replace_program(program, packed, Length1=len(font))
    mapping = _flate_stream(pdf, cid_to_gid)
    mapping = pdf.make_indirect(mapping)
    for descendant in group.descendants:
        descendant["/CIDToGIDMap"] = mapping
    return True


def _cid_set(cids: Iterable[int]) -> bytes:
    """A /CIDSet bitmap: bit 7 of byte 0 is CID 0."""
    cids = sorted(cids)
    bits = bytearray(cids[-1] // 8 + 1 if cids else 1)
    for cid in cids:
        bits[cid >> 3] |= 0x80 >> (cid & 7)
    return bytes(bits)


# --------------------------------------------------------------------------- sfnt helpers


def _sfnt_tables(data: bytes) -> tuple[bytes, dict[str, bytes]]:
    """The version tag and the tables of an sfnt (TrueType or OpenType) font."""
    if len(data) < 12:
        raise Unsupported("font file too short")
    version = data[:4]
    if version not in (b"\0\1\0\0", b"true", b"OTTO"):
        raise Unsupported(f"sfnt version {version!r}")
    count = struct.unpack_from(">H", data, 4)[0]
    tables = {}
    for i in range(count):
        tag, _checksum, offset, length = struct.unpack_from(">4sLLL", data, 12 + 16 * i)
        if offset + length > len(data):
            raise Unsupported(f"table {tag!r} runs past the end of the font")
        tables[tag.decode("latin-1")] = data[offset:offset + length]
    return version, tables


def _cff_of_opentype(data: bytes) -> bytes:
    version, tables = _sfnt_tables(data)
    if version != b"OTTO" or "CFF " not in tables:
        raise Unsupported("OpenType font without a CFF table")
    if "head" in tables and struct.unpack_from(">H", tables["head"], 18)[0] != 1000:
        raise Unsupported("unitsPerEm is not 1000")
    return tables["CFF "]


def _write_sfnt(version: bytes, tables: dict[str, bytes]) -> bytes:
    from fontTools.ttLib import sortedTagList
    from fontTools.ttLib.sfnt import SFNTWriter

    out = io.BytesIO()
    writer = SFNTWriter(out, len(tables), version.decode("latin-1"))
    for tag in sortedTagList(sorted(tables)):
        writer[tag] = tables[tag]
    writer.close()
    return out.getvalue()


# --------------------------------------------------------------------------- CFF


class CompactCFF:
    """A rewritten CFF: its bytes and the CIDs it holds."""

    def __init__(self, data: bytes, cids: Sequence[int]) -> None:
        self.data = data
        self.cids = cids


class _Index:
    """A CFF INDEX read in place: its items are slices of the CFF data."""

    def __init__(self, data: bytes, pos: int) -> None:
        self.data = data
        count = struct.unpack_from(">H", data, pos)[0]
        if count == 0:
            self.offsets: Sequence[int] = [1]
            self.base = pos + 1
            self.end = pos + 2
            return
        off_size = data[pos + 2]
        if not 1 <= off_size <= 4:
            raise Unsupported(f"INDEX offSize {off_size}")
        start = pos + 3
        raw = data[start:start + (count + 1) * off_size]
        if len(raw) != (count + 1) * off_size:
            raise Unsupported("truncated INDEX")
        if off_size == 1:
            offsets = array("B", raw)
        else:
            wide = bytearray(4 * (count + 1))
            for byte in range(off_size):
                wide[4 - off_size + byte::4] = raw[byte::off_size]
            offsets = array(_U32, wide)
            if sys.byteorder == "little":
                offsets.byteswap()
        self.offsets = offsets
        self.base = start + (count + 1) * off_size - 1  # offsets count from 1
        self.end = self.base + offsets[-1]
        if offsets[0] != 1 or self.end > len(data):
            raise Unsupported("INDEX offsets out of range")

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def span(self, i: int) -> tuple[int, int]:
        start, end = self.base + self.offsets[i], self.base + self.offsets[i + 1]
        if end < start or end > self.end:
            raise Unsupported("INDEX offsets out of order")
        return start, end

    def __getitem__(self, i: int) -> bytes:
        start, end = self.span(i)
        return self.data[start:end]


def _build_index(items: Sequence[bytes]) -> bytes:
    if not items:
        return b"\0\0"
    total = sum(len(item) for item in items) + 1
    off_size = 1 if total < 1 << 8 else 2 if total < 1 << 16 else 3 if total < 1 << 24 else 4
    offsets = bytearray((1).to_bytes(off_size, "big"))
    offset = 1
    for item in items:
        offset += len(item)
        offsets += offset.to_bytes(off_size, "big")
    return struct.pack(">HB", len(items), off_size) + bytes(offsets) + b"".join(items)


# DICT operators holding offsets into the CFF (or, for Subrs, into the Private DICT).
_CHARSET, _ENCODING, _CHARSTRINGS, _PRIVATE, _SUBRS = 15, 16, 17, 18, 19
_ROS, _CHARSTRING_TYPE, _FDARRAY, _FDSELECT, _FONT_MATRIX = 1230, 1206, 1236, 1237, 1207


def _parse_dict(data: bytes) -> list[tuple[int, list[float], bytes]]:
    """Parse a CFF DICT into (operator, operands, raw bytes of operands and operator)."""
    entries = []
    operands: list[float] = []
    start = i = 0
    n = len(data)
    while i < n:
        b0 = data[i]
        if b0 <= 21:
            if b0 == 12:
                if i + 1 >= n:
                    raise Unsupported("truncated DICT operator")
                op = 1200 + data[i + 1]
                i += 2
            else:
                op = b0
                i += 1
            entries.append((op, operands, data[start:i]))
            operands = []
            start = i
        elif b0 == 28:
            operands.append(struct.unpack_from(">h", data, i + 1)[0])
            i += 3
        elif b0 == 29:
            operands.append(struct.unpack_from(">i", data, i + 1)[0])
            i += 5
        elif b0 == 30:
            i, value = _parse_real(data, i + 1)
            operands.append(value)
        elif 32 <= b0 <= 246:
            operands.append(b0 - 139)
            i += 1
        elif 247 <= b0 <= 250:
            operands.append((b0 - 247) * 256 + data[i + 1] + 108)
            i += 2
        elif 251 <= b0 <= 254:
            operands.append(-(b0 - 251) * 256 - data[i + 1] - 108)
            i += 2
        else:
            raise Unsupported(f"reserved DICT byte {b0}")
    if operands:
        raise Unsupported("DICT ends with operands")
    return entries


_REAL_NIBBLES = "0123456789.E"


def _parse_real(data: bytes, i: int) -> tuple[int, float]:
    text = ""
    while True:
        if i >= len(data):
            raise Unsupported("truncated real number")
        byte = data[i]
        i += 1
        for nibble in (byte >> 4, byte & 15):
            if nibble == 15:
                try:
                    return i, float(text or 0)
                except ValueError:
                    raise Unsupported(f"bad real number {text!r}") from None
            if nibble < 12:
                text += _REAL_NIBBLES[nibble]
            elif nibble == 12:
                text += "E-"
            elif nibble == 14:
                text += "-"
            else:
                raise Unsupported("reserved nibble in real number")


def _int5(value: int) -> bytes:
    """A DICT integer in the fixed 5-byte form, so that sizes do not depend on values."""
    return b"\x1d" + struct.pack(">i", value)


def _op_bytes(op: int) -> bytes:
    return bytes((12, op - 1200)) if op >= 1200 else bytes((op,))


def _rebuild_dict(entries, offsets: dict[int, Sequence[int]]) -> bytes:
    """Re-encode a DICT, replacing the operands of the operators in `offsets`."""
    out = bytearray()
    for op, _operands, raw in entries:
        if op in offsets:
            out += b"".join(_int5(v) for v in offsets[op]) + _op_bytes(op)
        else:
            out += raw
    return bytes(out)


def _read_charset(data: bytes, pos: int, glyphs: int) -> list[int]:
    """GID → CID (or SID) of every glyph."""
    if pos < 4:
        raise Unsupported("predefined charset")
    fmt = data[pos]
    pos += 1
    cids = [0]
    if fmt == 0:
        cids += struct.unpack_from(f">{glyphs - 1}H", data, pos)
    elif fmt in (1, 2):
        layout = ">HB" if fmt == 1 else ">HH"
        size = 3 if fmt == 1 else 4
        while len(cids) < glyphs:
            first, left = struct.unpack_from(layout, data, pos)
            pos += size
            cids.extend(range(first, first + left + 1))
        del cids[glyphs:]
    else:
        raise Unsupported(f"charset format {fmt}")
    return cids


def _write_charset(cids: Sequence[int]) -> bytes:
    """The smallest charset (format 0, 1 or 2) for these CIDs (cids[0] is .notdef's 0)."""
    rest = cids[1:]
    ranges: list[list[int]] = []
    for cid in rest:
        if ranges and cid == ranges[-1][0] + ranges[-1][1] + 1:
            ranges[-1][1] += 1
        else:
            ranges.append([cid, 0])
    fmt0 = b"\0" + struct.pack(f">{len(rest)}H", *rest)
    fmt2 = b"\2" + b"".join(struct.pack(">HH", first, left) for first, left in ranges)
    best = min((fmt0, fmt2), key=len)
    if len(ranges) * 3 + 1 < len(best):
        fmt1 = []
        for first, left in ranges:
            while left > 255:
                fmt1.append(struct.pack(">HB", first, 255))
                first, left = first + 256, left - 256
            fmt1.append(struct.pack(">HB", first, left))
        if len(fmt1) * 3 + 1 < len(best):
            best = b"\1" + b"".join(fmt1)
    return best


def _read_fdselect(data: bytes, pos: int, glyphs: int) -> list[int]:
    fmt = data[pos]
    if fmt == 0:
        if pos + 1 + glyphs > len(data):
            raise Unsupported("FDSelect does not cover every glyph")
        return list(data[pos + 1:pos + 1 + glyphs])
    if fmt == 3:
        count = struct.unpack_from(">H", data, pos + 1)[0]
        fds: list[int] = []
        pos += 3
        for i in range(count):
            first, fd, end = struct.unpack_from(">HBH", data, pos + 3 * i)
            if first != len(fds) or end <= first:
                raise Unsupported("FDSelect ranges out of order")
            fds.extend([fd] * (end - first))
        if len(fds) < glyphs:
            raise Unsupported("FDSelect does not cover every glyph")
        return fds[:glyphs]
    raise Unsupported(f"FDSelect format {fmt}")


def _write_fdselect(fds: Sequence[int]) -> bytes:
    ranges = [(gid, fd) for gid, fd in enumerate(fds) if gid == 0 or fd != fds[gid - 1]]
    fmt3 = (struct.pack(">BH", 3, len(ranges))
            + b"".join(struct.pack(">HB", first, fd) for first, fd in ranges)
            + struct.pack(">H", len(fds)))
    fmt0 = b"\0" + bytes(fds)
    return min((fmt0, fmt3), key=len)


_EMPTY_CHARSTRINGS = (b"", b"\x0e")  # nothing, or a lone endchar: draws nothing


def compact_cff(cff: bytes, used: set[int], keep_all_nonempty: bool = False
                ) -> CompactCFF | None:
    """Rewrite a CID-keyed CFF keeping .notdef and the glyphs of the `used` CIDs.

    With `keep_all_nonempty`, every glyph that draws something is kept too.
    Glyphs keep their CIDs (the charset), their FD and their charstrings as they
    are; FDs no kept glyph uses are dropped. Returns None when no glyph would go.
    """
    if len(cff) < 4 or cff[0] != 1:
        raise Unsupported("not a CFF version 1 font")
    hdr_size = cff[2]
    names = _Index(cff, hdr_size)
    tops = _Index(cff, names.end)
    if len(tops) != 1 or len(names) != 1:
        raise Unsupported("CFF with other than one font")
    strings = _Index(cff, tops.end)
    strings_gsubrs = cff[tops.end:_Index(cff, strings.end).end]  # String, Global Subr INDEXes

    top = _parse_dict(tops[0])
    ops = {op: operands for op, operands, _ in top}
    if _ROS not in ops:
        raise Unsupported("name-keyed CFF: codes are glyph indices, cannot renumber")
    if ops.get(_CHARSTRING_TYPE, [2]) != [2]:
        raise Unsupported("charstrings are not Type 2")
    if _ENCODING in ops or _PRIVATE in ops:
        raise Unsupported("CID-keyed top DICT with Encoding or Private")
    matrix = ops.get(_FONT_MATRIX)
    if matrix is not None and [round(v, 9) for v in matrix] != [0.001, 0, 0, 0.001, 0, 0]:
        raise Unsupported("top DICT FontMatrix is not the default")
    for op in (_CHARSET, _CHARSTRINGS, _FDARRAY, _FDSELECT):
        if len(ops.get(op, ())) != 1:
            raise Unsupported(f"top DICT operator {op} missing")

    charstrings = _Index(cff, int(ops[_CHARSTRINGS][0]))
    glyphs = len(charstrings)
    if glyphs == 0:
        raise Unsupported("no glyphs")
    cids = _read_charset(cff, int(ops[_CHARSET][0]), glyphs)
    fds = _read_fdselect(cff, int(ops[_FDSELECT][0]), glyphs)
    fd_index = _Index(cff, int(ops[_FDARRAY][0]))
    font_dicts = [_parse_dict(fd_index[i]) for i in range(len(fd_index))]
    if max(fds) >= len(font_dicts):
        raise Unsupported("FDSelect names a missing FD")

    if keep_all_nonempty:
        keep = [gid for gid in range(glyphs) if gid == 0 or cids[gid] in used
                or charstrings[gid] not in _EMPTY_CHARSTRINGS]
    else:
        keep = [gid for gid, cid in enumerate(cids) if gid == 0 or cid in used]
    if len(keep) == glyphs:
        return None

    kept_fds = sorted({fds[gid] for gid in keep})
    fd_number = {fd: i for i, fd in enumerate(kept_fds)}
    new_cids = [cids[gid] for gid in keep]
    charset = _write_charset(new_cids)
    fdselect = _write_fdselect([fd_number[fds[gid]] for gid in keep])
    new_charstrings = _build_index([charstrings[gid] for gid in keep])

    # Each kept FD's Private DICT, its local Subrs (if any) right after it.
    privates: list[tuple[bytes, bytes]] = []
    for fd in kept_fds:
        private = {op: operands for op, operands, _ in font_dicts[fd]}.get(_PRIVATE)
        if private is None or len(private) != 2:
            raise Unsupported("FD without a Private DICT")
        size, offset = int(private[0]), int(private[1])
        if offset < 0 or size < 0 or offset + size > len(cff):
            raise Unsupported("Private DICT out of range")
        private_entries = _parse_dict(cff[offset:offset + size])
        subrs = {op: operands for op, operands, _ in private_entries}.get(_SUBRS)
        if subrs is None:
            privates.append((_rebuild_dict(private_entries, {}), b""))
            continue
        subrs_start = offset + int(subrs[0])
        subrs_end = _Index(cff, subrs_start).end
        size = len(_rebuild_dict(private_entries, {_SUBRS: [0]}))
        privates.append((_rebuild_dict(private_entries, {_SUBRS: [size]}),
                         cff[subrs_start:subrs_end]))

    # Every offset is written as a 5-byte integer: sizes do not depend on values.
    def dicts(where: dict[int, int], private_at: Sequence[int]) -> tuple[bytes, bytes]:
        top_index = _build_index([_rebuild_dict(top, {op: [where[op]] for op in where})])
        fd_array = _build_index([
            _rebuild_dict(font_dicts[fd], {_PRIVATE: [len(privates[i][0]), private_at[i]]})
            for i, fd in enumerate(kept_fds)])
        return top_index, fd_array

    offset_ops = (_CHARSET, _FDSELECT, _CHARSTRINGS, _FDARRAY)
    top_index, fd_array = dicts(dict.fromkeys(offset_ops, 0), [0] * len(privates))
    header = cff[:hdr_size]
    name_index = cff[hdr_size:names.end]
    sections = [charset, fdselect, new_charstrings, fd_array]
    where = {}
    pos = len(header) + len(name_index) + len(top_index) + len(strings_gsubrs)
    for op, section in zip(offset_ops, sections, strict=True):
        where[op] = pos
        pos += len(section)
    private_at = []
    for private, subrs in privates:
        private_at.append(pos)
        pos += len(private) + len(subrs)
    top_index, fd_array = dicts(where, private_at)
    data = b"".join([header, name_index, top_index, strings_gsubrs, charset, fdselect,
                     new_charstrings, fd_array, *(p + s for p, s in privates)])
    if len(data) != pos:
        raise Unsupported("internal error: CFF layout does not add up")
    return CompactCFF(data, new_cids)


# --------------------------------------------------------------------------- TrueType

# Tables copied as they are (they do not depend on glyph numbers) or rewritten below.
_TRUETYPE_TABLES = {"head", "hhea", "maxp", "OS/2", "name", "cvt ", "fpgm", "prep", "gasp",
                    "cmap", "post", "hmtx", "loca", "glyf", "vhea", "vmtx", "PCLT", "meta"}
# Tables indexed by glyph that no PDF reader uses to draw a CIDFont: left out.
_TRUETYPE_DROPPED = {"GDEF", "GSUB", "GPOS", "kern", "hdmx", "LTSH", "VDMX", "DSIG", "JSTF",
                     "BASE", "MATH", "morx", "mort", "kerx", "feat", "trak", "prop"}

_ARG_1_AND_2_ARE_WORDS, _WE_HAVE_A_SCALE, _MORE_COMPONENTS = 0x0001, 0x0008, 0x0020
_WE_HAVE_AN_X_AND_Y_SCALE, _WE_HAVE_A_TWO_BY_TWO = 0x0040, 0x0080


def _components(glyph: bytes) -> list[tuple[int, int]]:
    """(position of the glyph index, glyph index) of each component of a composite glyph."""
    if len(glyph) < 10 or struct.unpack_from(">h", glyph)[0] >= 0:
        return []
    found = []
    pos = 10
    while True:
        flags, gid = struct.unpack_from(">HH", glyph, pos)
        found.append((pos + 2, gid))
        pos += 4 + (4 if flags & _ARG_1_AND_2_ARE_WORDS else 2)
        if flags & _WE_HAVE_A_SCALE:
            pos += 2
        elif flags & _WE_HAVE_AN_X_AND_Y_SCALE:
            pos += 4
        elif flags & _WE_HAVE_A_TWO_BY_TWO:
            pos += 8
        if not flags & _MORE_COMPONENTS:
            return found


def _metrics(table: bytes, longs: int, glyphs: int) -> list[tuple[int, int]]:
    """(advance, side bearing) of every glyph from an hmtx or vmtx table."""
    if longs == 0 or len(table) < 4 * longs + 2 * (glyphs - min(longs, glyphs)):
        raise Unsupported("metrics table too short")
    pairs = list(struct.iter_unpack(">Hh", table[:4 * longs]))[:glyphs]
    if glyphs > longs:
        advance = pairs[-1][0]
        bearings = struct.unpack_from(f">{glyphs - longs}h", table, 4 * longs)
        pairs += [(advance, bearing) for bearing in bearings]
    return pairs


def _write_metrics(pairs: list[tuple[int, int]]) -> tuple[bytes, int]:
    longs = len(pairs)
    while longs > 1 and pairs[longs - 2][0] == pairs[longs - 1][0]:
        longs -= 1
    data = b"".join(struct.pack(">Hh", *pair) for pair in pairs[:longs])
    data += b"".join(struct.pack(">h", bearing) for _, bearing in pairs[longs:])
    return data, longs


def _read_cmap(table: bytes) -> list[tuple[int, int, int, int, dict[int, int]]]:
    """(platform, encoding, format, language, code → glyph) of each subtable read."""
    _version, count = struct.unpack_from(">HH", table)
    found = []
    for i in range(count):
        platform, encoding, offset = struct.unpack_from(">HHL", table, 4 + 8 * i)
        fmt = struct.unpack_from(">H", table, offset)[0]
        mapping: dict[int, int] = {}
        if fmt == 0:
            language = struct.unpack_from(">H", table, offset + 4)[0]
            mapping = dict(enumerate(table[offset + 6:offset + 6 + 256]))
        elif fmt == 4:
            language, seg_x2 = struct.unpack_from(">HH", table, offset + 4)
            segs = seg_x2 // 2
            base = offset + 14
            ends = struct.unpack_from(f">{segs}H", table, base)
            starts = struct.unpack_from(f">{segs}H", table, base + seg_x2 + 2)
            deltas = struct.unpack_from(f">{segs}H", table, base + 2 * seg_x2 + 2)
            range_at = base + 3 * seg_x2 + 2
            ranges = struct.unpack_from(f">{segs}H", table, range_at)
            for s in range(segs):
                for code in range(starts[s], ends[s] + 1):
                    if code == 0xFFFF:
                        continue
                    if ranges[s] == 0:
                        gid = (code + deltas[s]) & 0xFFFF
                    else:
                        at = range_at + 2 * s + ranges[s] + 2 * (code - starts[s])
                        gid = struct.unpack_from(">H", table, at)[0]
                        if gid:
                            gid = (gid + deltas[s]) & 0xFFFF
                    mapping[code] = gid
        elif fmt == 6:
            language, first, entries = struct.unpack_from(">HHH", table, offset + 4)
            gids = struct.unpack_from(f">{entries}H", table, offset + 10)
            mapping = {first + i: gid for i, gid in enumerate(gids)}
        elif fmt in (12, 13):
            language, groups = struct.unpack_from(">LL", table, offset + 8)
            for start, end, gid in struct.iter_unpack(
                    ">LLL", table[offset + 16:offset + 16 + 12 * groups]):
                for code in range(start, end + 1):
                    mapping[code] = gid + (code - start if fmt == 12 else 0)
        else:
            continue  # format 14 (variation sequences) and others: left out
        found.append((platform, encoding, fmt, language, mapping))
    return found


def _cmap_format4(mapping: dict[int, int], language: int) -> bytes:
    segments: list[list[int]] = []
    for code in sorted(c for c in mapping if c < 0xFFFF):
        gid = mapping[code]
        if segments and code == segments[-1][1] + 1 and \
                gid == (code + segments[-1][2]) & 0xFFFF:
            segments[-1][1] = code
        else:
            segments.append([code, code, (gid - code) & 0xFFFF])
    segments.append([0xFFFF, 0xFFFF, 1])
    count = len(segments)
    search = 2 ** (count.bit_length() - 1)
    length = 16 + 8 * count
    if length > 0xFFFF:
        raise Unsupported("cmap format 4 subtable too long")
    return (struct.pack(">7H", 4, length, language, 2 * count, 2 * search,
                        search.bit_length() - 1, 2 * (count - search))
            + struct.pack(f">{count}H", *(s[1] for s in segments)) + b"\0\0"
            + struct.pack(f">{count}H", *(s[0] for s in segments))
            + struct.pack(f">{count}H", *(s[2] for s in segments))
            + bytes(2 * count))


def _cmap_format12(mapping: dict[int, int], language: int) -> bytes:
    groups: list[list[int]] = []
    for code in sorted(mapping):
        gid = mapping[code]
        if groups and code == groups[-1][1] + 1 and gid == groups[-1][2] + code - groups[-1][0]:
            groups[-1][1] = code
        else:
            groups.append([code, code, gid])
    return (struct.pack(">HHLLL", 12, 0, 16 + 12 * len(groups), language, len(groups))
            + b"".join(struct.pack(">LLL", *group) for group in groups))


def _write_cmap(subtables: list[tuple[int, int, bytes]]) -> bytes:
    header = struct.pack(">HH", 0, len(subtables))
    offsets: dict[bytes, int] = {}
    body = bytearray()
    records = bytearray()
    start = 4 + 8 * len(subtables)
    for platform, encoding, data in subtables:
        if data not in offsets:
            offsets[data] = start + len(body)
            body += data
            body += bytes(-len(body) % 4)
        records += struct.pack(">HHL", platform, encoding, offsets[data])
    return header + bytes(records) + bytes(body)


def compact_truetype(data: bytes, used: set[int], keep_all_nonempty: bool = False
                     ) -> tuple[bytes, bytes] | None:
    """Rewrite a TrueType font keeping .notdef, the used glyphs and their components.

    Glyphs are renumbered in their order; one empty glyph stands for all the
    empty ones. Returns the new font and its CIDToGIDMap (old glyph index →
    new, 2 bytes each), or None when no glyph would go.
    """
    version, tables = _sfnt_tables(data)
    if version == b"OTTO":
        raise Unsupported("CFF-flavoured OpenType in a FontFile2")
    for tag in ("head", "hhea", "maxp", "hmtx", "loca", "glyf"):
        if tag not in tables:
            raise Unsupported(f"no {tag} table")
    unknown = set(tables) - _TRUETYPE_TABLES - _TRUETYPE_DROPPED
    if unknown:
        raise Unsupported(f"tables {sorted(unknown)} depend on glyph numbers")
    if "vmtx" in tables and "vhea" not in tables:
        raise Unsupported("vmtx without vhea")

    head, glyf = tables["head"], tables["glyf"]
    glyphs = struct.unpack_from(">H", tables["maxp"], 4)[0]
    long_loca = struct.unpack_from(">h", head, 50)[0]
    loca = array(_U32 if long_loca else "H")
    loca.frombytes(tables["loca"][:(glyphs + 1) * (4 if long_loca else 2)])
    if len(loca) != glyphs + 1:
        raise Unsupported("loca too short")
    if sys.byteorder == "little":
        loca.byteswap()
    offsets = loca.tolist() if long_loca else [2 * offset for offset in loca]
    if offsets[-1] > len(glyf) or any(b < a for a, b in zip(offsets, offsets[1:], strict=False)):
        raise Unsupported("loca offsets out of order")

    empty = [offsets[gid + 1] == offsets[gid] for gid in range(glyphs)]
    keep = {0}
    keep.update(gid for gid in used if gid < glyphs and not empty[gid])
    if keep_all_nonempty:
        keep.update(gid for gid in range(glyphs) if not empty[gid])
    pending = list(keep)
    while pending:
        gid = pending.pop()
        for _, component in _components(glyf[offsets[gid]:offsets[gid + 1]]):
            if component >= glyphs:
                raise Unsupported("component glyph out of range")
            if component not in keep:
                keep.add(component)
                pending.append(component)
    blank = next((gid for gid in range(1, glyphs) if empty[gid]), None)
    if blank is not None:
        keep.add(blank)
    order = sorted(keep)
    if len(order) == glyphs:
        return None
    new = {old: i for i, old in enumerate(order)}

    def remap(gid: int) -> int | None:
        if gid in new:
            return new[gid]
        if gid < glyphs and empty[gid] and blank is not None:
            return new[blank]
        return None  # a glyph that draws something and is not kept: missing

    cid_to_gid = array("H", (remap(cid) or 0 for cid in range(glyphs)))
    if sys.byteorder == "little":
        cid_to_gid.byteswap()

    parts = []
    new_offsets = [0]
    for gid in order:
        glyph = glyf[offsets[gid]:offsets[gid + 1]]
        components = _components(glyph)
        if components:
            glyph = bytearray(glyph)
            for pos, component in components:
                struct.pack_into(">H", glyph, pos, new[component])
            glyph = bytes(glyph)
        glyph += bytes(-len(glyph) % 4)
        parts.append(glyph)
        new_offsets.append(new_offsets[-1] + len(glyph))
    out = dict(tables)
    for tag in _TRUETYPE_DROPPED:
        out.pop(tag, None)
    out["glyf"] = b"".join(parts)
    short = new_offsets[-1] < 0x20000
    out["loca"] = (struct.pack(f">{len(new_offsets)}H", *(o // 2 for o in new_offsets))
                   if short else struct.pack(f">{len(new_offsets)}L", *new_offsets))
    head = bytearray(head)
    struct.pack_into(">L", head, 8, 0)
    struct.pack_into(">h", head, 50, 0 if short else 1)
    out["head"] = bytes(head)
    maxp = bytearray(tables["maxp"])
    struct.pack_into(">H", maxp, 4, len(order))
    out["maxp"] = bytes(maxp)
    for header_tag, metrics_tag in (("hhea", "hmtx"), ("vhea", "vmtx")):
        if metrics_tag not in tables:
            continue
        header = bytearray(tables[header_tag])
        pairs = _metrics(tables[metrics_tag], struct.unpack_from(">H", header, 34)[0], glyphs)
        out[metrics_tag], longs = _write_metrics([pairs[gid] for gid in order])
        struct.pack_into(">H", header, 34, longs)
        out[header_tag] = bytes(header)
    if "post" in tables and tables["post"][:4] != b"\0\3\0\0":
        if len(tables["post"]) < 32:
            raise Unsupported("post table too short")
        out["post"] = b"\0\3\0\0" + tables["post"][4:32]  # no glyph names
    if "cmap" in tables:
        subtables = []
        for platform, encoding, fmt, language, mapping in _read_cmap(tables["cmap"]):
            kept = {code: remap(gid) for code, gid in mapping.items() if gid}
            kept = {code: gid for code, gid in kept.items() if gid}
            if fmt in (12, 13) or any(code > 0xFFFF for code in kept):
                subtables.append((platform, encoding, _cmap_format12(kept, language)))
            else:
                subtables.append((platform, encoding, _cmap_format4(kept, language)))
        out["cmap"] = _write_cmap(subtables)
    return _write_sfnt(version, out), cid_to_gid.tobytes()
