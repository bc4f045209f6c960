"""Raster images after Typst: a PNG's resolution, a JPEG from a PNG, and the files made from
a written picture (its JPEG, its thumbnail).

Typst renders PDF and PNG only; everything else about a picture is done here with Pillow or on
the PNG's bytes. The jobs below are derived jobs (see `bluekit.pipeline.jobs.DerivedJob`): they
read a planned file once it is on disk, so a picture is rendered once for all its formats.
"""

from __future__ import annotations

import hashlib
import io
import json
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from PIL import Image

from bluekit.errors import OutputError


def png_to_jpeg(png: bytes, ppi: float | None, quality: int = 92) -> bytes:
    """JPEG from a PNG render (Typst has no JPEG output)."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    out = io.BytesIO()
    dpi = (round(ppi), round(ppi)) if ppi else (72, 72)
    image.save(out, format="JPEG", quality=quality, dpi=dpi)
    return out.getvalue()


def png_with_dpi(png: bytes, ppi: float | None) -> bytes:
    """Record the resolution in the PNG (a pHYs chunk right after the header) so image programs
    print it at the right size. Done on the bytes: re-encoding would cost more than rendering."""
    if not ppi or png[12:16] != b"IHDR":
        return png
    per_metre = round(ppi / 0.0254)
    body = b"pHYs" + struct.pack(">IIB", per_metre, per_metre, 1)
    chunk = struct.pack(">I", 9) + body + struct.pack(">I", zlib.crc32(body))
    end_of_header = 8 + 8 + 13 + 4  # signature, IHDR length+type, IHDR data, CRC
    return png[:end_of_header] + chunk + png[end_of_header:]


@dataclass(frozen=True)
class _FromWrittenFile:
    """A file made from another planned file once that one is on disk (a derived job, see
    bluekit.pipeline.jobs): it is made again exactly when its source or its own options change."""

    source: str  # the planned file it reads
    source_fingerprint: str
    VERSION: ClassVar[str]

    @property
    def needs(self) -> tuple[str, ...]:
        return (self.source,)

    def options(self) -> list[Any]:
        raise NotImplementedError

    def fingerprint(self) -> str:
        key = [self.VERSION, self.source, self.source_fingerprint, *self.options()]
        return hashlib.sha256(json.dumps(key).encode()).hexdigest()

    def read_source(self, out_dir: Path, label: str) -> bytes:
        try:
            return (out_dir / self.source).read_bytes()
        except FileNotFoundError:
            raise OutputError(f"{label}: {self.source} is missing") from None


@dataclass(frozen=True)
class JpegFromPngJob(_FromWrittenFile):
    """The JPEG of a picture whose PNG is also planned: made from the written PNG, so the
    picture is rendered once for both formats."""

    ppi: float | None
    label: str = ""
    template: str = "jpeg"
    VERSION: ClassVar[str] = "jpeg-v1"
    in_pool: ClassVar[bool] = True  # decoding a large PNG is worth a core of its own
    heavy: ClassVar[bool] = True  # and takes as much memory as drawing it (see Job.heavy)

    def options(self) -> list[Any]:
        return [self.ppi]

    def build(self, out_dir: Path) -> bytes:
        return png_to_jpeg(self.read_source(out_dir, self.label), self.ppi)


@dataclass(frozen=True)
class ThumbnailJob(_FromWrittenFile):
    """A small PNG of a written JPEG, `width` pixels wide: JPEG decoding at a fraction of the
    size (Pillow's draft mode) makes this a few milliseconds."""

    width: int
    label: str = ""
    template: str = "thumbnail"
    VERSION: ClassVar[str] = "thumbnail-v1"

    def options(self) -> list[Any]:
        return [self.width]

    def build(self, out_dir: Path) -> bytes:
        with Image.open(io.BytesIO(self.read_source(out_dir, self.label))) as image:
            image.draft("RGB", (self.width, self.width * 4))
            image.thumbnail((self.width, self.width * 4))
            out = io.BytesIO()
            image.convert("RGB").save(out, format="PNG")
        return out.getvalue()
