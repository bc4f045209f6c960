"""Which database bluekit uses, and how it is named in messages: the URL from `--db` (a file or
a URL), else `BLUEKIT_DATABASE_URL`, else the file `orders/bluekit.db`; shown everywhere without
its password.

A PostgreSQL URL may be written as PostgreSQL's own tools write it (`postgresql://host/db`): it
is given to the psycopg driver, which reads a password left out of the URL from `PGPASSWORD` or
the password file (`~/.pgpass`, `%APPDATA%\\postgresql\\pgpass.conf`), as psql does. Parsing a
URL does not load SQLAlchemy's engine: `bluekit db status` of a broken URL answers at once.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bluekit.errors import BluekitError

DEFAULT_PATH = Path("orders") / "bluekit.db"
ENV_URL = "BLUEKIT_DATABASE_URL"
BACKENDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# the driver bluekit installs for each backend, used when the URL names none
DRIVERS = {"sqlite": "sqlite", "postgresql": "postgresql+psycopg"}

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


class AddressError(BluekitError):
    """A database URL bluekit cannot use."""


def is_url(value: str) -> bool:
    """Whether `--db` names a URL rather than a file (a Windows path `C:\\...` is a file)."""
    match = _SCHEME.match(value)
    return match is not None and len(match.group(1)) > 1


def database_url(db: str | Path | None = None) -> str:
    """The database to use: `--db` (a file or a URL), else BLUEKIT_DATABASE_URL, else
    orders/bluekit.db; in the form SQLAlchemy takes, with bluekit's driver for the backend."""
    if db is not None and not (isinstance(db, str) and is_url(db)):
        return f"sqlite:///{db}"
    url = str(db) if db is not None else (os.environ.get(ENV_URL) or f"sqlite:///{DEFAULT_PATH}")
    return with_driver(url)


def backend_of(url: str) -> str:
    """'sqlite' or 'postgresql', from the URL's scheme; any other is refused by name."""
    match = _SCHEME.match(url)
    scheme = match.group(1).lower() if match else ""
    backend = scheme.split("+")[0]
    if backend == "postgres":
        backend = "postgresql"
    if backend not in BACKENDS:
        shown = f"{scheme}://" if scheme else "this value"
        raise AddressError(
            f"cannot use the database {shown}…: bluekit keeps its ledger in SQLite or PostgreSQL",
            hint=f"set {ENV_URL} to postgresql://HOST/DATABASE or sqlite:///orders/bluekit.db, "
            "or give --db a file",
        )
    return backend


def with_driver(url: str) -> str:
    """The URL with bluekit's driver when it names none (`postgresql://` -> psycopg 3)."""
    backend = backend_of(url)
    scheme, rest = url.split("://", 1)
    if "+" in scheme:
        return url
    return f"{DRIVERS[backend]}://{rest}"


def redacted(url: str) -> str:
    """The URL as bluekit shows it: the password replaced by ***, whatever the driver, and
    nothing else changed (a URL that cannot be parsed keeps only its scheme)."""
    match = _SCHEME.match(url)
    if match is None:
        return "(a database URL that cannot be read)"
    try:
        parts = urlsplit(url)
    except ValueError:
        return f"{match.group(0)}…"
    netloc = parts.netloc
    if "@" in netloc:
        credentials, host = netloc.rsplit("@", 1)
        user, sep, _password = credentials.partition(":")
        netloc = f"{user}{':***' if sep else ''}@{host}"
    query = re.sub(r"(?i)(password=)[^&]*", r"\1***", parts.query)
    shown = f"{parts.scheme}://{netloc}{parts.path}" + (f"?{query}" if query else "")
    return shown


def password_of(url: str) -> str | None:
    """The password written in the URL, if any: what must never be shown (see `scrub`)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    found = unquote(parts.password) if parts.password else None
    in_query = re.search(r"(?i)password=([^&]*)", parts.query)
    return found or (unquote(in_query.group(1)) if in_query else None)


def scrub(text: str, url: str) -> str:
    """A message of the driver with the URL's password taken out, should it quote it."""
    secret = password_of(url)
    return text.replace(secret, "***") if secret else text


def describe(url: str) -> str:
    """'PostgreSQL postgresql+psycopg://bluekit:***@db.just.fgov.be/bluekit' and the like."""
    return f"{BACKENDS[backend_of(url)]} {redacted(url)}"


def sqlite_file(url: str) -> Path | None:
    """The file of an SQLite URL (None for another backend or an in-memory database)."""
    if backend_of(url) != "sqlite":
        return None
    path = url.split("://", 1)[1].removeprefix("/")
    path = path.split("?", 1)[0]
    return Path(path) if path and path != ":memory:" else None
