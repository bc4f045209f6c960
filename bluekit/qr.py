"""QR codes as vector SVG, pointing at the reporting point with campaign tracking parameters."""

from __future__ import annotations

import io
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import qrcode
import qrcode.image.svg

QUIET_ZONE = 4  # modules of white around the code, as the QR standard requires


def tracked_url(
    url: str, *, campaign: str, medium: str, source: str, content: str | None = None
) -> str:
    """`url` with UTM parameters added (existing query parameters are kept)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [("utm_source", source), ("utm_medium", medium), ("utm_campaign", campaign)]
    if content:
        query.append(("utm_content", content))
    return urlunsplit(parts._replace(query=urlencode(query)))


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
