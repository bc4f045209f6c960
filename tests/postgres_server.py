"""A real PostgreSQL server for the tests, started once per test session on 127.0.0.1 in a
temporary data directory, with a fresh database per test (a copy of a template that already
holds the schema, which takes PostgreSQL a few milliseconds).

PostgreSQL refuses to run as root, which CI is: then initdb and the server run as the
`postgres` system user that Debian's package creates (`.ci/run` installs it). The server trusts
nobody: every connection gives the password, so that the tests see whether bluekit ever shows
it. Durability is switched off (fsync, synchronous commit): a test server need not survive a
power cut, and the suite runs twice as fast.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

PASSWORD = "pg-Secret-8d1f"  # the tests check that no output ever shows it
USER = "bluekit"
TEMPLATE = "bluekit_template"
SKIP_VARIABLE = "BLUEKIT_TESTS_WITHOUT_POSTGRES"


class NoPostgres(Exception):
    """No PostgreSQL server programs on this machine."""


def _bin_dir() -> Path:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                      key=lambda p: int(Path(p).parent.parent.name))
    if versions:
        return Path(versions[-1]).parent
    raise NoPostgres(
        "the ledger's tests need PostgreSQL's server programs (initdb, postgres): install "
        f"them (Debian: apt-get install postgresql), or set {SKIP_VARIABLE}=1 to run the "
        "tests on SQLite only"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PostgresServer:
    """A running server: its port, and how to make and drop a database on it."""

    bin_dir: Path
    folder: Path
    port: int = field(default_factory=_free_port)
    durable: bool = False  # as a real server (the benchmark), else fast (the tests)
    process: subprocess.Popen[bytes] | None = None
    _numbers: itertools.count[int] = field(default_factory=itertools.count)

    def _as_owner(self) -> dict[str, object]:
        # PostgreSQL will not run as root: then as the postgres system user
        if os.geteuid() != 0:
            return {}
        return {"user": "postgres", "group": pwd.getpwnam("postgres").pw_gid}

    def url(self, database: str, *, password: bool = True) -> str:
        secret = f":{PASSWORD}" if password else ""
        return f"postgresql://{USER}{secret}@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        data = self.folder / "data"
        password_file = self.folder / "password"
        password_file.write_text(PASSWORD)
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            for path in (self.folder, password_file):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        subprocess.run(
            [str(self.bin_dir / "initdb"), "-D", str(data), "-U", USER, "-A", "scram-sha-256",
             f"--pwfile={password_file}", "-E", "UTF8", "--no-locale", "--no-sync"],
            check=True, capture_output=True, **self._as_owner(),  # type: ignore[call-overload]
        )
        log = open(self.folder / "server.log", "wb")  # noqa: SIM115  (the server's, until it stops)
        self.process = subprocess.Popen(
            [str(self.bin_dir / "postgres"), "-D", str(data), "-h", "127.0.0.1",
             "-p", str(self.port), "-k", "", "-c", "max_connections=200",
             *(() if self.durable else ("-c", "fsync=off", "-c", "synchronous_commit=off",
                                        "-c", "full_page_writes=off"))],
            stdout=log, stderr=subprocess.STDOUT, **self._as_owner(),  # type: ignore[call-overload]
        )
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        import psycopg

        deadline = time.monotonic() + 60
        while True:
            try:
                psycopg.connect(self._conninfo("postgres"), connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if self.process is not None and self.process.poll() is not None:
                    log = (self.folder / "server.log").read_text(errors="replace")
                    raise RuntimeError(f"PostgreSQL did not start:\n{log}") from None
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def _conninfo(self, database: str) -> str:
        return f"host=127.0.0.1 port={self.port} user={USER} password={PASSWORD} dbname={database}"

    def admin(self, *statements: str) -> None:
        """Run statements outside a transaction (CREATE DATABASE needs that)."""
        import psycopg

        with psycopg.connect(self._conninfo("postgres"), autocommit=True) as connection:
            for statement in statements:
                connection.execute(statement)  # type: ignore[arg-type]

    def make_template(self) -> None:
        """The database every test's database is copied from: the schema, no rows."""
        from bluekit.store.database import Store

        self.admin(f"CREATE DATABASE {TEMPLATE}")
        Store(self.url(TEMPLATE)).close()

    def new_database(self, *, empty: bool = False) -> tuple[str, str]:
        """A database of its own: (name, URL). A copy of the template, or with `empty`, a
        database without any table (to test creating and upgrading the schema)."""
        name = f"test_{next(self._numbers)}"
        template = "template0" if empty else TEMPLATE
        self.admin(f"CREATE DATABASE {name} TEMPLATE {template}")
        return name, self.url(name)

    def drop_database(self, name: str) -> None:
        self.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # "fast" shutdown: clients are let go
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        with contextlib.suppress(OSError):
            shutil.rmtree(self.folder)


def start_server(*, durable: bool = False) -> PostgresServer:
    """A running server with the template database made; stop() it when done."""
    folder = Path(tempfile.mkdtemp(prefix="bluekit-pg-"))
    server = PostgresServer(_bin_dir(), folder, durable=durable)
    try:
        server.start()
        server.make_template()
    except BaseException:
        server.stop()
        raise
    return server
