"""The output intent of a print PDF: the CMYK printing condition its colours are meant for, as an
ICC profile embedded in the file (what PDF/X-4 requires).

bluekit ships one profile that may be redistributed: `assets/FOGRA39-bluekit.icc`, made with
ArgyllCMS from Fogra's FOGRA39L characterization data (coated paper, ISO 12647-2:2004, the
condition Belgian print shops name most), as Debian's icc-profiles-free packages it under the
zlib licence. A shop that wants its own (PSO Coated v3, say) gives its profile file instead.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

from bluekit.errors import BluekitError

BUNDLED_PROFILE = "FOGRA39-bluekit.icc"
ICC_REGISTRY = "http://www.color.org"


class OutputIntentError(BluekitError):
    """A file given as output intent is not a CMYK printer profile."""


@dataclass(frozen=True)
class OutputIntent:
    """An ICC output profile and the printing condition it stands for."""

    path: str  # the .icc file (read by the rendering process)
    identifier: str  # OutputConditionIdentifier: a registered name (FOGRA39) or "Custom"
    condition: str  # the printing condition in words
    registry: str  # where `identifier` is registered ("" for Custom)
    digest: str  # sha256 of the profile: part of the print PDFs' fingerprint

    @property
    def profile(self) -> bytes:
        return _read(self.path)

    @property
    def deflated_profile(self) -> bytes:
        return _deflated(self.path)


@cache
def _read(path: str) -> bytes:
    return Path(path).read_bytes()


@cache
def _deflated(path: str) -> bytes:
    return zlib.compress(_read(path), 9)


@cache
def bundled_intent() -> OutputIntent:
    """FOGRA39 (coated paper), with the profile bluekit ships."""
    path = str(files("bluekit") / "assets" / BUNDLED_PROFILE)
    return OutputIntent(
        path=path,
        identifier="FOGRA39",
        condition="Coated FOGRA39 (ISO 12647-2:2004)",
        registry=ICC_REGISTRY,
        digest=hashlib.sha256(_read(path)).hexdigest(),
    )


def intent_from_file(path: Path) -> OutputIntent:
    """The output intent of a print shop's ICC profile; refuses anything but a CMYK output
    (printer) profile, naming the file and what it is instead."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise OutputIntentError(
            f"{path}: cannot read the output intent profile ({exc.strerror or exc})",
            hint="give the .icc file your print shop sent (--output-intent FILE.icc)",
        ) from None
    if len(data) < 132 or data[36:40] != b"acsp":
        raise OutputIntentError(
            f"{path}: not an ICC profile (no 'acsp' signature in its header)",
            hint="give the .icc file your print shop sent (--output-intent FILE.icc)",
        )
    device_class, space = data[12:16].decode("latin-1"), data[16:20].decode("latin-1")
    if device_class != "prtr" or space != "CMYK":
        raise OutputIntentError(
            f"{path}: an ICC profile of class {device_class.strip()!r} for "
            f"{space.strip()!r}, not a CMYK printer profile",
            hint="an output intent is the CMYK profile of the press and paper (e.g. "
            "PSO Coated v3 or Coated FOGRA39): ask the print shop for theirs",
        )
    return OutputIntent(
        path=str(path.resolve()),
        identifier="Custom",
        condition=profile_description(data) or path.stem,
        registry="",
        digest=hashlib.sha256(data).hexdigest(),
    )


def profile_description(data: bytes) -> str:
    """The profile's description tag ('desc', as ICC v2 `desc` or v4 `mluc`), or ""."""
    count = struct.unpack(">I", data[128:132])[0]
    for i in range(min(count, 200)):
        signature, offset, size = struct.unpack(">4sII", data[132 + 12 * i : 144 + 12 * i])
        if signature != b"desc":
            continue
        tag = data[offset : offset + size]
        if tag[:4] == b"desc":  # ICC v2: an ASCII count, then the text
            length = struct.unpack(">I", tag[8:12])[0]
            return tag[12 : 12 + length].split(b"\0")[0].decode("latin-1").strip()
        if tag[:4] == b"mluc" and len(tag) >= 28:  # ICC v4: the first record, UTF-16BE
            length, start = struct.unpack(">II", tag[20:28])
            return tag[start : start + length].decode("utf-16-be", "replace").strip()
    return ""
