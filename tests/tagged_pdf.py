"""What a screen reader finds in a tagged PDF: its structure tree walked in reading order, each
text with the language it is read in, each figure with its alternative text.

The text of a structure element is in the page's marked content (its MCIDs): the content stream
is read with pypdf, which decodes the fonts, while the BDC/EMC operators say which marked
content a text belongs to. A text's language is that of its marked content, else of the nearest
structure element that names one, else the document's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.generic import DictionaryObject, IndirectObject


@dataclass(frozen=True)
class Piece:
    """A text (its marked content) or a figure, as read aloud."""

    kind: str  # "text" or "figure"
    lang: str
    text: str  # the text, or the figure's alternative text
    role: str  # the structure element's type: P, Span, Figure, TD...


def _page_texts(page: Any, number: int, found: dict[tuple[int, int], tuple[str | None, str]]
                ) -> None:
    """Add the marked contents of one page to `found`."""
    stack: list[tuple[int | None, str | None]] = []

    def before(op: bytes, args: list[Any], cm: Any, tm: Any) -> None:
        if op == b"BDC":
            props = args[1].get_object() if len(args) > 1 else {}
            mcid = props.get("/MCID") if isinstance(props, dict) else None
            lang = props.get("/Lang") if isinstance(props, dict) else None
            stack.append((None if mcid is None else int(mcid),
                          None if lang is None else _text(lang)))
        elif op == b"BMC":
            stack.append((None, None))
        elif op == b"EMC" and stack:
            stack.pop()

    def text(value: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        marked = next(((m, lang) for m, lang in reversed(stack) if m is not None), None)
        if marked is None or not value:
            return
        key = (number, marked[0])
        lang, known = found.get(key, (marked[1], ""))
        found[key] = (lang, known + value)

    page.extract_text(visitor_operand_before=before, visitor_text=text)


def _marked_texts(reader: PdfReader) -> dict[tuple[int, int], tuple[str | None, str]]:
    """(page, MCID) -> (language of the marked content or None, its text)."""
    found: dict[tuple[int, int], tuple[str | None, str]] = {}
    for number, page in enumerate(reader.pages):
        _page_texts(page, number, found)
    return found


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def read_aloud(path: Path) -> list[Piece]:
    """Every text and figure of the tagged PDF at `path`, in the structure tree's order."""
    reader = PdfReader(path)
    root = reader.trailer["/Root"]
    pages = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)}
    marked = _marked_texts(reader)
    pieces: list[Piece] = []

    def walk(node: Any, lang: str, page: int | None, role: str) -> None:
        if isinstance(node, IndirectObject):
            node = node.get_object()
        if isinstance(node, int):  # an MCID on the element's page
            assert page is not None
            own, content = marked.get((page, node), (None, ""))
            if content.strip():
                pieces.append(Piece("text", own or lang, " ".join(content.split()), role))
            return
        if not isinstance(node, DictionaryObject):
            return
        if node.get("/Type") == "/MCR":
            ref = node.get("/Pg")
            walk(int(node["/MCID"]), lang, pages[ref.idnum] if ref else page, role)
            return
        if "/Pg" in node:
            page = pages[node.raw_get("/Pg").idnum]
        lang = _text(node.get("/Lang", lang))
        role = str(node.get("/S", role)).lstrip("/")
        if role == "Figure":
            pieces.append(Piece("figure", lang, _text(node.get("/Alt", "")), role))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [] if kids is None else [kids]:
            walk(kid, lang, page, role)

    walk(root["/StructTreeRoot"], _text(root.get("/Lang", "")), None, "Document")
    return pieces


def standards(path: Path) -> dict[str, str]:
    """What the file claims in its XMP metadata: the PDF/UA part, its title, its language."""
    reader = PdfReader(path)
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    claims = {}
    for key, pattern in (("ua", r"<pdfuaid:part>(\d)</pdfuaid:part>"),
                         ("title", r"<dc:title><rdf:Alt><rdf:li[^>]*>([^<]*)</rdf:li>"),
                         ("language", r"<dc:language><rdf:Bag><rdf:li>([^<]*)</rdf:li>")):
        match = re.search(pattern, xmp)
        if match:
            claims[key] = match[1]
    return claims


def spoken(path: Path) -> str:
    """The texts alone, in reading order, as one text (a text set on several lines is several
    marked contents; any run of spaces, no-break spaces included, is one space)."""
    return " ".join(" ".join(p.text for p in read_aloud(path) if p.kind == "text").split())


def in_order(text: str, *needles: str) -> bool:
    """Whether each of `needles` is in `text`, each after the one before. Spaces do not count:
    a text's runs (a date kept on one line, a word and its punctuation) are marked contents of
    their own, which `spoken` joins with a space."""
    flat = "".join(text.split())
    start = 0
    for needle in needles:
        found = flat.find("".join(needle.split()), start)
        if found < 0:
            raise AssertionError(f"{needle!r} is not read after the texts before it in: {text}")
        start = found + 1
    return True
