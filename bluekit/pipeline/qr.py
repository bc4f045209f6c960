"""QR codes for the renderer, with the quiet zone the standard requires: as vector SVG (screens
and images) and as runs of dark modules that a template draws in one ink (print PDFs)."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg

QUIET_ZONE = 4  # modules of white around the code, as the QR standard requires


def _code(data: str) -> qrcode.QRCode[qrcode.image.svg.SvgPathImage]:
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=QUIET_ZONE,
        image_factory=qrcode.image.svg.SvgPathImage,
    )
    code.add_data(data)
    code.make(fit=True)
    return code


def qr_svg(data: str) -> tuple[str, int]:
    """The QR code of `data` as SVG text (error correction M, quiet zone included) and its
    width in modules, quiet zone included."""
    code = _code(data)
    image = code.make_image()
    buffer = io.BytesIO()
    image.save(buffer)
    modules = code.modules_count + 2 * QUIET_ZONE
    return buffer.getvalue().decode("utf-8"), modules


def qr_runs(data: str) -> list[tuple[int, int, int]]:
    """The dark modules of `data`'s QR code (the same code as `qr_svg`) as horizontal runs
    (row, first column, length), counted from the quiet zone's top-left corner."""
    runs: list[tuple[int, int, int]] = []
    for row, cells in enumerate(_code(data).get_matrix()):
        start: int | None = None
        for col, dark in enumerate([*cells, False]):
            if dark and start is None:
                start = col
            elif not dark and start is not None:
                runs.append((row, start, col - start))
                start = None
    return runs
