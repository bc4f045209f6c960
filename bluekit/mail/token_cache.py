"""Where the Microsoft 365 sign-in is kept between commands: MSAL's token cache, encrypted with
msal-extensions by the system's own keyring (DPAPI on Windows, the Keychain on macOS, libsecret
on Linux), or, where there is no keyring, a file only its owner may read, and bluekit says so.

The cache holds refresh tokens, which are as good as a password for sending mail: it is never
printed or logged, and `bluekit auth logout` empties it.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import msal

CACHE_ENV = "BLUEKIT_TOKEN_CACHE"

# What each platform's encrypted persistence is, for `bluekit auth status`.
KEYRINGS = {"win": "Windows DPAPI", "darwin": "the macOS Keychain", "linux": "libsecret"}


@dataclass(frozen=True)
class TokenCache:
    """An open token cache: MSAL's cache object, the file behind it, and how it is protected
    (`encrypted` False means a plain file readable by its owner only; `why_plain` says why)."""

    cache: msal.TokenCache
    path: Path
    protection: str
    encrypted: bool
    why_plain: str = ""


def default_path() -> Path:
    """BLUEKIT_TOKEN_CACHE, else the user's own cache folder (never the project folder, which
    may be shared or committed)."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit)
    if sys.platform.startswith("win"):
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "bluekit" / "msal-token-cache.bin"


def open_token_cache(path: Path | None = None) -> TokenCache:
    """The token cache, encrypted where the system has a keyring, else an owner-only file."""
    from msal_extensions import FilePersistence, PersistedTokenCache

    location = path or default_path()
    _private_folder(location.parent)
    try:
        persistence = _encrypted_persistence(location)
    except Exception as exc:  # no keyring: libsecret/D-Bus absent or locked, Keychain refused
        persistence = FilePersistence(str(location))
        _owner_only(location)
        return TokenCache(
            PersistedTokenCache(persistence), location, "a file only you can read",
            encrypted=False, why_plain=_reason(exc),
        )
    platform = next(name for prefix, name in KEYRINGS.items() if sys.platform.startswith(prefix))
    return TokenCache(
        PersistedTokenCache(persistence), location, f"encrypted with {platform}", encrypted=True
    )


def _encrypted_persistence(location: Path) -> object:
    """msal-extensions' encrypted persistence for this platform; raises where none works (on
    Linux it tries the keyring at once, on the other platforms the first use would fail)."""
    from msal_extensions import build_encrypted_persistence

    if os.environ.get("BLUEKIT_TOKEN_CACHE_PLAIN") == "1":
        raise RuntimeError("BLUEKIT_TOKEN_CACHE_PLAIN=1 asks for a plain file")
    persistence = build_encrypted_persistence(str(location))
    if not sys.platform.startswith("linux"):
        persistence.save(persistence.load() if location.exists() else "{}")
    return persistence


def _reason(exc: Exception) -> str:
    if isinstance(exc, ImportError):  # libsecret's Python binding (PyGObject) is not installed
        return "no keyring found (libsecret through PyGObject is not installed)"
    return f"no keyring could be used ({exc.__class__.__name__}: {str(exc)[:120]})"


def _private_folder(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        folder.chmod(0o700)


def _owner_only(location: Path) -> None:
    """Create the file readable and writable by its owner only, and make an existing one so."""
    descriptor = os.open(location, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(descriptor)
    if os.name == "posix":
        location.chmod(0o600)


def forget(cache: TokenCache) -> None:
    """Delete the cache file (and its lock file): signing out for good."""
    for path in (cache.path, cache.path.with_name(cache.path.name + ".lockfile")):
        path.unlink(missing_ok=True)
