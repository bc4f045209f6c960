"""The boxes of a print PDF: trim size, bleed and the slug around them, set on every page.

Print shops' preflight reads the TrimBox and BleedBox, which Typst does not write; they are set
here on the rendered PDF. Kept apart from rendering because only print PDFs need it (and pypdf,
which is slow to load).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

MM = 72 / 25.4  # PDF points per millimetre


@dataclass(frozen=True)
class PrintBoxes:
    """Trim size and margins of a print PDF, in millimetres (page = trim + 2 x slug)."""

    trim_width: float
    trim_height: float
    bleed: float = 3.0
    slug: float = 12.0  # room outside the trim for the bleed and the crop marks


def set_print_boxes(pdf: bytes, boxes: PrintBoxes) -> bytes:
    """Set TrimBox and BleedBox on every page, as print shops' preflight expects."""
    # pypdf is imported here: only print PDFs need it, and it is slow to load
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import RectangleObject

    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter(clone_from=reader)
    slug, bleed = boxes.slug * MM, boxes.bleed * MM
    width, height = boxes.trim_width * MM, boxes.trim_height * MM
    for page in writer.pages:
        page.trimbox = RectangleObject([slug, slug, slug + width, slug + height])
        page.bleedbox = RectangleObject(
            [slug - bleed, slug - bleed, slug + width + bleed, slug + height + bleed]
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
