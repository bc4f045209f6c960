"""A real IMAP server for the tests: Debian's Dovecot (installed by .ci/run) with a throwaway
configuration in a temporary folder, listening on a free loopback port. Any user name signs in
with the password PASSWORD (each test takes a mailbox of its own); SASL XOAUTH2 is checked by
Dovecot's oauth2 passdb against an introspection endpoint the tests serve, which asks the tests'
identity provider whether the bearer token is one it issued with IMAP.AccessAsUser.All.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

PASSWORD = "imap-s3cret"
DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"

# token -> the user it signs in, or None when the token is not (or no longer) valid
Introspect = Callable[[str], str | None]


@dataclass
class Dovecot:
    port: int
    folder: Path


def _config(root: Path, mail_root: Path, port: int, introspection: str) -> str:
    root_user = os.geteuid() == 0
    me = pwd.getpwuid(os.geteuid()).pw_name
    # As root, Dovecot runs its login and internal processes as its own users (which the
    # Debian package creates) and mail as `dovecot`; as anyone else, all of it as that user.
    internal, login = ("dovecot", "dovenull") if root_user else (me, me)
    mail_user = "dovecot" if root_user else me
    return f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2
mail_location = maildir:{mail_root}/%u
first_valid_uid = 0
default_internal_user = {internal}
default_login_user = {login}
passdb {{
  driver = static
  args = password={PASSWORD}
  mechanisms = plain login
}}
passdb {{
  driver = oauth2
  mechanisms = xoauth2
  args = {root}/oauth2.conf
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={mail_user} home={mail_root}/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


@contextmanager
def dovecot(port: int, introspection_url: str) -> Iterator[Dovecot]:
    """Dovecot started in the foreground with its own configuration, stopped at the end."""
    if not Path(DOVECOT).exists():
        if os.environ.get("CI"):
            pytest.fail("dovecot is missing: .ci/run installs dovecot-imapd")
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd)")
    root = Path(tempfile.mkdtemp(prefix="bluekit-dovecot-"))
    mail_root = root / "mail"
    mail_root.mkdir()
    if os.geteuid() == 0:  # the mail processes run as `dovecot`: let them in
        os.chmod(root, 0o755)
        shutil.chown(mail_root, "dovecot", "dovecot")
    for sub in ("run", "state"):
        (root / sub).mkdir()
    (root / "oauth2.conf").write_text(
        f"introspection_mode = post\nintrospection_url = {introspection_url}\n"
        "username_attribute = username\nactive_attribute = active\nactive_value = true\n"
    )
    config = root / "dovecot.conf"
    config.write_text(_config(root, mail_root, port, introspection_url))
    process = subprocess.Popen([DOVECOT, "-F", "-c", str(config)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    try:
        _wait_for(port, process, root)
        yield Dovecot(port, root)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(root, ignore_errors=True)


def _wait_for(port: int, process: subprocess.Popen[bytes], root: Path) -> None:
    import socket

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
            raise RuntimeError(f"dovecot stopped: {process.stderr.read() if process.stderr else ''}"
                               f"{log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                if s.recv(100).startswith(b"* OK"):
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("dovecot did not start listening in 15 s")


def introspection_answer(token: str, introspect: Introspect) -> str:
    """RFC 7662's answer to Dovecot: active with the user name, or not active."""
    user = introspect(token)
    return json.dumps({"active": True, "username": user} if user else {"active": False})
