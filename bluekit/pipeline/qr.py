"""QR codes as vector SVG, drawn for the renderer with the quiet zone the standard requires."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg

QUIET_ZONE = 4  # modules of white around the code, as the QR standard requires


def qr_svg(data: str) -> tuple[str, int]:
    """The QR code of `data` as SVG text (error correction M, quiet zone included) and its
    width in modules, quiet zone included."""
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=QUIET_ZONE,
        image_factory=qrcode.image.svg.SvgPathImage,
    )
    code.add_data(data)
    code.make(fit=True)
    image = code.make_image()
    buffer = io.BytesIO()
    image.save(buffer)
    modules = code.modules_count + 2 * QUIET_ZONE
    return buffer.getvalue().decode("utf-8"), modules
