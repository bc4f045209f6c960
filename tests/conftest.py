"""Shared fixtures: the real campaign files and a way to write broken variants of them."""

from __future__ import annotations

import copy
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
# what bluekit caches (a validated campaign's catalogue) goes to a folder of this test session
os.environ.setdefault("BLUEKIT_CACHE_DIR", tempfile.mkdtemp(prefix="bluekit-cache-"))
CAMPAIGN_2024 = ROOT / "campaigns" / "2024.yaml"
CAMPAIGN_2022 = ROOT / "campaigns" / "2022.yaml"
EXAMPLE_CONTACTS = ROOT / "campaigns" / "contacts.example.csv"


@pytest.fixture(scope="session")
def campaign_data() -> dict[str, Any]:
    """The 2024 campaign as plain data."""
    return yaml.safe_load(CAMPAIGN_2024.read_text(encoding="utf-8"))


@pytest.fixture
def write_campaign(tmp_path: Path, campaign_data: dict[str, Any]) -> Callable[..., Path]:
    """Write the 2024 campaign after `change(data)` edits a deep copy of it; returns the path."""

    def write(change: Callable[[dict[str, Any]], None] | None = None, name: str = "c.yaml") -> Path:
        data = copy.deepcopy(campaign_data)
        if change:
            change(data)
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
        return path

    return write


# A name for tests that send: the real signatory is staff's to fill in, never bluekit's.
TEST_SIGNATORY = "Anna Test"


def signed(campaign: Any) -> Any:
    """The campaign with its letters signed by TEST_SIGNATORY."""
    inv = campaign.invitation
    signatory = inv.signatory.model_copy(update={"name": TEST_SIGNATORY})
    return campaign.model_copy(
        update={"invitation": inv.model_copy(update={"signatory": signatory})}
    )


def write_signed_campaign(folder: Path) -> Path:
    """A copy of the 2024 campaign file in `folder`, signed by TEST_SIGNATORY, beside its
    contacts file."""
    folder.mkdir(parents=True, exist_ok=True)
    text = CAMPAIGN_2024.read_text(encoding="utf-8")
    assert "\n    name:\n" in text
    path = folder / "2024.yaml"
    path.write_text(text.replace("\n    name:\n", f"\n    name: {TEST_SIGNATORY}\n", 1), "utf-8")
    (folder / EXAMPLE_CONTACTS.name).write_bytes(EXAMPLE_CONTACTS.read_bytes())
    return path


@pytest.fixture
def signed_campaign_file(tmp_path: Path) -> Path:
    """A copy of the 2024 campaign file, signed by TEST_SIGNATORY, beside its contacts file."""
    return write_signed_campaign(tmp_path / "signed")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def line_of(path: Path, needle: str) -> int:
    """The 1-based number of the first line of `path` containing `needle`."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


# --- a real SMTP server on localhost (aiosmtpd) ------------------------------------------------

import asyncio  # noqa: E402
import socket  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402

from aiosmtpd.controller import Controller  # noqa: E402
from aiosmtpd.smtp import AuthResult, LoginPassword  # noqa: E402


@dataclass
class MailSink:
    """Collects what the server accepted; can refuse messages to test failures."""

    messages: list[tuple[list[str], bytes]] = field(default_factory=list)
    temporary_failures: int = 0  # answer 451 to this many DATA commands first
    refuse: set[str] = field(default_factory=set)  # recipients answered 550
    refuse_content: set[str] = field(default_factory=set)  # recipients whose DATA gets 554
    refused_content: list[str] = field(default_factory=list)  # ... and each time it did
    # hold every DATA until this many connections have sent one: runs that truly overlap
    hold_until_sessions: int = 0
    sessions: set[int] = field(default_factory=set)
    hang_on: set[str] = field(default_factory=set)  # take the content, never answer (while set)
    hung: list[str] = field(default_factory=list)  # recipients whose content the server took

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.sessions.add(id(session))
        deadline = time.monotonic() + 30
        while len(self.sessions) < self.hold_until_sessions and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        if self.temporary_failures > 0:
            self.temporary_failures -= 1
            return "451 4.3.0 Try again later"
        rcpts = list(envelope.rcpt_tos)
        if set(rcpts) & self.refuse_content:
            self.refused_content += rcpts
            return "554 5.6.0 Message content rejected"
        if set(rcpts) & self.hang_on:
            self.hung += rcpts
            while set(rcpts) & self.hang_on and time.monotonic() < deadline + 30:
                await asyncio.sleep(0.02)
            return "451 4.4.2 Timed out"
        self.messages.append((rcpts, envelope.content))
        return "250 Message accepted"

    def recipients(self) -> list[str]:
        return [r for rcpts, _ in self.messages for r in rcpts]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.password == b"s3cret-pw"
    return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1 that requires login (user any, password s3cret-pw)."""
    sink = MailSink()
    controller = Controller(
        sink,
        hostname="127.0.0.1",
        port=_free_port(),
        authenticator=_authenticator,
        auth_required=True,
        auth_require_tls=False,
    )
    controller.start()
    sink.port = controller.port  # type: ignore[attr-defined]
    try:
        yield sink
    finally:
        controller.stop()


# --- the 2024 kit, built once for the tests that publish it ------------------------------------


@pytest.fixture(scope="session")
def built_kit(tmp_path_factory) -> Path:
    """dist/2024 as `bluekit build campaigns/2024.yaml` makes it (read only: copy to change)."""
    from bluekit.workflows.build import build

    out, _ = build(CAMPAIGN_2024, tmp_path_factory.mktemp("built-kit") / "dist", jobs=2)
    return out


@pytest.fixture
def no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any name but localhost is 'not found', so a mistake in a test cannot go online."""
    real = socket.getaddrinfo

    def local_only(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in ("localhost", "127.0.0.1", "::1"):
            raise socket.gaierror(socket.EAI_NONAME, f"tests never reach the internet ({host})")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", local_only)


# --- the ledger's database: SQLite and a real PostgreSQL server -------------------------------

from .postgres_server import SKIP_VARIABLE, NoPostgres, PostgresServer, start_server  # noqa: E402

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres_server() -> Any:
    """One PostgreSQL server for the whole session (see tests/postgres_server.py)."""
    if os.environ.get(SKIP_VARIABLE):
        pytest.skip(f"{SKIP_VARIABLE} is set: the tests run on SQLite only")
    try:
        server = start_server()
    except NoPostgres as exc:
        pytest.fail(str(exc))
    try:
        yield server
    finally:
        server.stop()


def _database(request: pytest.FixtureRequest, tmp_path: Path, *, empty: bool) -> Any:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / ('empty.db' if empty else 'ledger.db')}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name, url = server.new_database(empty=empty)
    try:
        yield url
    finally:
        server.drop_database(name)


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """A database of the test's own, on each backend in turn: an SQLite file, or a database on
    the test PostgreSQL server that holds the current schema and no rows."""
    yield from _database(request, tmp_path, empty=False)


@pytest.fixture(params=BACKENDS)
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """A database without any table, on each backend in turn."""
    yield from _database(request, tmp_path, empty=True)


@pytest.fixture
def store(db_url: str) -> Any:
    """The ledger's store on each backend in turn."""
    from bluekit.store.database import Store

    opened = Store(db_url)
    yield opened
    opened.close()


def texts_in(value: object) -> list[str]:
    """Every string in a tree of dicts and lists, such as a campaign file's data."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in texts_in(v)]
    if isinstance(value, list):
        return [s for v in value for s in texts_in(v)]
    return []
