"""Tagged PDF: the accessibility and archival standards a PDF claims, and the parts of
the structure tree WeasyPrint 70 leaves out for them.

WeasyPrint writes a structure tree from the HTML, but on its own the result fails
PDF/UA-1: every box inside a link gets its own link annotation (outside any Link
element), header cells carry no /Scope, running headers and page numbers are tagged
as content, elements in another language have no /Lang and the table of contents is
an ordinary list. :func:`install` corrects these in WeasyPrint's own tagging code, so
the structure comes from the HTML as the reader's browser sees it.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable

PDF_STANDARDS = ("ua-1", "ua-2", "a-2b", "a-2u", "a-3b", "a-3u")
DEFAULT_STANDARDS = ("ua-1",)

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DC = "http://purl.org/dc/elements/1.1/"
PDFUAID = "http://www.aiim.org/pdfua/ns/id/"
PDFAID = "http://www.aiim.org/pdfa/ns/id/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
for _prefix in ("pdfaExtension", "pdfaSchema", "pdfaProperty"):
    ET.register_namespace(_prefix, f"http://www.aiim.org/pdfa/ns/{_prefix[4:].lower()}"
                          + ("/" if _prefix == "pdfaExtension" else "#"))

# PDF/A asks for every schema outside XMP's own to be described in the file itself.
PDFUA_EXTENSION = f"""\
<rdf:Description xmlns:rdf="{RDF}" rdf:about=""
    xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
    xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
    xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
 <pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
  <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
  <pdfaSchema:namespaceURI>{PDFUAID}</pdfaSchema:namespaceURI>
  <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
  <pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
   <pdfaProperty:name>part</pdfaProperty:name>
   <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
   <pdfaProperty:category>internal</pdfaProperty:category>
   <pdfaProperty:description>Part of ISO 14289 followed</pdfaProperty:description>
  </rdf:li></rdf:Seq></pdfaSchema:property>
 </rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>"""


def standards_problem(value: object) -> str | None:
    """Why a list of standard names cannot be met together, or None when it can."""
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        return f"must be a list of standards: {', '.join(PDF_STANDARDS)} (or [] for none)"
    for name in value:
        if name not in PDF_STANDARDS:
            return f"unknown standard '{name[:40]}' (known: {', '.join(PDF_STANDARDS)})"
    if len(set(value)) < len(value):
        return "lists a standard twice"
    ua = [v for v in value if v.startswith("ua-")]
    archival = [v for v in value if v.startswith("a-")]
    if len(ua) > 1 or len(archival) > 1:
        return "a PDF conforms to one part of PDF/UA and one of PDF/A at most"
    if "ua-2" in ua and archival:
        return ("ua-2 is written as PDF 2.0, and PDF/A-2 and PDF/A-3 allow PDF 1.7 "
                "at most: choose ua-1 to combine with " + archival[0])
    return None


def variant(standards: Iterable[str]) -> str | None:
    """The WeasyPrint ``pdf_variant`` for a valid list of standards (None: untagged)."""
    standards = tuple(standards)
    if not standards:
        return None
    install()
    ua = next((v for v in standards if v.startswith("ua-")), None)
    archival = next((v for v in standards if v.startswith("a-")), None)
    # WeasyPrint marks the output intent for PDF/A when the name holds "pdf/a".
    name = "polybrief:pdf/" + "+".join(filter(None, (archival, ua)))
    from weasyprint.pdf import VARIANTS

    if name not in VARIANTS:
        base = VARIANTS[f"pdf/{archival or ua}"]
        properties = dict(base[1], pdf_tags=True)
        if ua == "ua-2":
            properties["pdf_version"] = "2.0"
        VARIANTS[name] = (functools.partial(_conform, base[0], ua, archival), properties)
    return name


def _conform(write_base, ua: str | None, archival: str | None,
             pdf, document, page_streams, attachments, compress) -> None:
    """Apply a standard's own rules, then write metadata that declares every standard."""
    write_base(pdf, document, page_streams, attachments, compress)
    stream = pdf.objects[_number(pdf.catalog["Metadata"])]
    stream.stream = [_xmp(b"".join(stream.stream), document.metadata.lang, ua, archival)]


def _xmp(packet: bytes, lang: str | None, ua: str | None, archival: str | None) -> bytes:
    """Add the PDF/UA part beside PDF/A's and the title in the document's language."""
    start, end = packet.index(b"<rdf:RDF"), packet.index(b"</rdf:RDF>") + len(b"</rdf:RDF>")
    rdf = ET.fromstring(packet[start:end])
    first = rdf.find(f"{{{RDF}}}Description")
    if ua and archival and first is not None:
        first.set(f"{{{PDFUAID}}}part", ua.removeprefix("ua-"))
        rdf.append(ET.fromstring(PDFUA_EXTENSION))
    if lang:
        for alt in rdf.iterfind(f".//{{{DC}}}title/{{{RDF}}}Alt"):
            default = alt.find(f"{{{RDF}}}li")
            if default is not None:
                item = ET.SubElement(alt, f"{{{RDF}}}li", {XML_LANG: lang})
                item.text = default.text
    return packet[:start] + ET.tostring(rdf, encoding="utf-8", xml_declaration=False) + packet[end:]


# --- What WeasyPrint's structure tree lacks --------------------------------------------

_PAGINATION: set[int] = set()   # ids of the boxes in the page being drawn's margins
_IN_TOC: list[bool] = []        # inside the HTML element with role="doc-toc"
SPACE = re.compile(r"\s+")


@functools.cache
def install() -> None:
    """Correct WeasyPrint's tagging in this process (once; untagged output is unchanged)."""
    import pydyf
    from weasyprint import document as wp_document
    from weasyprint import pdf as wp_pdf
    from weasyprint.formatting_structure import boxes
    from weasyprint.pdf import stream as wp_stream
    from weasyprint.pdf import tags as wp_tags

    from . import actualtext

    actualtext.install()
    draw_page = wp_document.draw_page

    def draw_page_marking_margins(page, stream):
        _PAGINATION.clear()
        if stream._tags is not None:
            for margin in page.children:
                if isinstance(margin, boxes.MarginBox):
                    _PAGINATION.update(id(box) for box in _descendants(margin))
        try:
            draw_page(page, stream)
        finally:
            _PAGINATION.clear()

    wp_document.draw_page = draw_page_marking_margins

    marked = wp_stream.Stream.marked

    def marked_or_pagination(self, box, tag):
        if self._tags is not None and id(box) in _PAGINATION:
            return _artifact(self, pydyf.Dictionary({"Type": "/Pagination"}))
        return marked(self, box, tag)

    wp_stream.Stream.marked = marked_or_pagination

    add_links = wp_pdf.add_links

    def add_described_links(links_and_anchors, matrix, pdf, page, names, tags):
        links, anchors = links_and_anchors
        if tags is not None:
            # Boxes inside a link inherit its target: one annotation per link box is
            # enough, and the Link element can hold only its own.
            links = [link for link in links if link[3].link]
        add_links((links, anchors), matrix, pdf, page, names, tags)
        if tags is not None:
            for _, target, _, box in links:
                if box.link_annotation is not None:
                    box.link_annotation["Contents"] = pydyf.String(_describe(box, target))
                    box.link_annotation["F"] = 4   # printed, like the text it covers

    wp_pdf.add_links = add_described_links

    build_box_tree = wp_tags._build_box_tree

    def build_refined(box, parent, pdf, page_number, nums, annotations, tags):
        if isinstance(box, boxes.MarginBox):
            return   # drawn as artifacts, see marked_or_pagination
        if _empty_generated(box):
            return   # a page reference on its target's page (pagerefs.py): nothing shown
        toc = box.element is not None and box.element.get("role") == "doc-toc"
        _IN_TOC.append(toc) if toc else None
        try:
            for element in build_box_tree(box, parent, pdf, page_number, nums,
                                          annotations, tags):
                _refine(element, box, parent, pdf)
                _flatten(element, pdf, nums)
                yield element
        finally:
            _IN_TOC.pop() if toc else None

    wp_tags._build_box_tree = build_refined


def _empty_generated(box) -> bool:
    """Tell whether a box is generated content (::before, ::after) that shows nothing:
    inline boxes and text boxes without text, no image, no link of its own."""
    from weasyprint.formatting_structure import boxes

    return ("::" in (getattr(box, "element_tag", None) or "")
            and getattr(box, "link_annotation", None) is None
            and all(isinstance(part, boxes.InlineBox | boxes.TextBox)
                    and not getattr(part, "text", "") for part in _descendants(box)))


def _descendants(box):
    yield box
    for child in getattr(box, "children", ()):
        yield from _descendants(child)


def _artifact(stream, properties):
    from contextlib import contextmanager

    @contextmanager
    def artifact():
        stream.begin_marked_content("Artifact", properties)
        try:
            yield
        finally:
            stream.end_marked_content()

    return artifact()


def _text(element) -> str:
    return SPACE.sub(" ", "".join(element.itertext())).strip() if element is not None else ""


def _describe(box, target: str) -> str:
    """What a link annotation says to a screen reader: its text, and where it goes."""
    text = box.element.get("aria-label") or _text(box.element) if box.element is not None \
        else ""
    if target.startswith(("http:", "https:", "mailto:")):
        return f"{text} ({target})" if text and text != target else target
    return text or target


def _refine(element, box, parent, pdf) -> None:
    import pydyf

    html = box.element if box.element is not None else None
    kind = element["S"]
    if html is not None and box.element_tag not in ("html", "body"):
        lang = html.get("lang")
        if lang and lang != getattr(pdf.catalog.get("Lang"), "string", None):
            element["Lang"] = pydyf.String(lang)
        tag = box.element_tag
        if tag in RUBY:
            element["S"] = kind = RUBY[tag]
        if kind == "/Ruby":
            for part in _kids(element, pdf):
                if _plain(part):
                    part["S"] = "/RB"   # the base text, beside /RT and /RP
        elif kind == "/TH":
            scope = html.get("scope", "col")
            element["A"]["Scope"] = "/Row" if scope == "row" else "/Column"
        elif kind == "/L" and _IN_TOC and parent.get("S") != "/LI":
            element["S"] = "/TOC"
            for item in _kids(element, pdf):
                if item.get("S") == "/LI":
                    item["S"] = "/TOCI"
                    for part in _kids(item, pdf):
                        if part.get("S") == "/LBody":
                            part["S"] = "/Reference"


PLAIN = {"Type", "S", "K", "P", "Pg"}
RUBY = {"ruby": "/Ruby", "rt": "/RT", "rp": "/RP"}


def _flatten(element, pdf, nums: dict) -> None:
    """Put the content of plain /Span and /NonStruct children (a box for each inline
    element, each line of text, each phrase of CJK text) straight into the element.

    They say nothing to a reader, and a Japanese page has hundreds of them.
    """
    import pydyf

    kids = pydyf.Array()
    changed = False
    for reference in element["K"]:
        kid = _object(pdf, reference)
        grandchildren = [_object(pdf, k) for k in kid["K"]] if _plain(kid) else None
        if grandchildren is None or any(g is not None and g.get("Type") == "/OBJR"
                                        for g in grandchildren):
            kids.append(reference)
            continue
        changed = True
        for k, grandchild in zip(kid["K"], grandchildren, strict=True):
            if grandchild is None:   # a marked-content id
                nums[k] = element.reference
            else:
                grandchild["P"] = element.reference
            kids.append(k)
        kid.clear()   # no longer in the tree: written as an empty dictionary
    if changed:
        element["K"] = kids


def _plain(kid) -> bool:
    return (isinstance(kid, dict) and kid.get("S") in ("/Span", "/NonStruct")
            and set(kid) <= PLAIN)


def _object(pdf, reference):
    """The structure element or other object a /K entry refers to; None for an MCID."""
    if isinstance(reference, bytes) and reference.endswith(b" R"):
        return pdf.objects[_number(reference)]
    return None


def _number(reference: bytes) -> int:
    return int(reference.split()[0])


def _kids(element, pdf):
    for reference in element["K"]:
        if isinstance(reference, bytes) and reference.endswith(b" R"):
            kid = pdf.objects[_number(reference)]
            if isinstance(kid, dict):
                yield kid
