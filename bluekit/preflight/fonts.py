"""The fonts of a PDF page as preflight needs them: whether each is embedded, and the widths of
its glyphs (to know where a text ends on the page)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pikepdf


def advance(
    font: tuple[Any, bool], codes: bytes, size: float, char_spacing: float, word_spacing: float,
    scale: float,
) -> float:
    """The width of a shown string in text space: glyph widths, character and word spacing;
    `font` is what `font_widths` gives."""
    widths, two_bytes = font
    step = 2 if two_bytes else 1
    total = 0.0
    for i in range(0, len(codes) - step + 1, step):
        code = int.from_bytes(codes[i : i + step], "big")
        total += widths(code) / 1000 * size + char_spacing
        if not two_bytes and code == 32:
            total += word_spacing
    return total * scale


def font_widths(font: Any) -> tuple[Any, bool]:
    """A function from character code to width (1/1000 em) and whether codes take 2 bytes."""
    if font is None:
        return (lambda code: 500.0), False
    if font.get("/Subtype") == "/Type0":
        descendant = font.DescendantFonts[0]
        default = float(descendant.get("/DW", 1000))
        table: dict[int, float] = {}
        w = list(descendant.get("/W", []))
        i = 0
        while i + 1 < len(w):
            first = int(w[i])
            if isinstance(w[i + 1], (int, float)) or hasattr(w[i + 1], "as_int"):
                last, value = int(w[i + 1]), float(w[i + 2])
                table.update(dict.fromkeys(range(first, last + 1), value))
                i += 3
            else:
                table.update({first + j: float(v) for j, v in enumerate(w[i + 1])})
                i += 2
        return (lambda code: table.get(code, default)), True
    first_char = int(font.get("/FirstChar", 0))
    simple = [float(v) for v in font.get("/Widths", [])]
    return (lambda code: simple[code - first_char]
            if 0 <= code - first_char < len(simple) else 500.0), False


def fonts_of(page: pikepdf.Page) -> Iterator[tuple[str, bool]]:
    """Each font the page (or a form it draws) uses: its name and whether it is embedded."""
    yield from _fonts_in(page.obj.get("/Resources"), set())


def _fonts_in(resources: Any, seen: set[tuple[int, int]]) -> Iterator[tuple[str, bool]]:
    if resources is None:
        return
    for font in (resources.get("/Font") or {}).values():
        if font.objgen in seen:
            continue
        seen.add(font.objgen)
        described = font.DescendantFonts[0] if font.get("/Subtype") == "/Type0" else font
        descriptor = described.get("/FontDescriptor")
        embedded = font.get("/Subtype") == "/Type3" or (descriptor is not None and any(
            key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")))
        yield str(font.get("/BaseFont", "(unnamed)"))[1:], embedded
    for xobject in (resources.get("/XObject") or {}).values():
        if xobject.get("/Subtype") == "/Form" and xobject.objgen not in seen:
            seen.add(xobject.objgen)
            yield from _fonts_in(xobject.get("/Resources"), seen)
