"""Sending through Microsoft 365 with OAuth: signing in (device code, browser), the token cache,
SASL XOAUTH2 against a real SMTP server that checks the bearer token with the tests' identity
provider, a token refreshed in the middle of a long send, and the errors that name the fix."""

from __future__ import annotations

import os
import stat
import sys
from email.message import EmailMessage
from pathlib import Path

import pytest
import sqlalchemy as sa

from bluekit.cli import app
from bluekit.mail.oauth import MicrosoftSignIn, SignInError, Tenant
from bluekit.mail.sender import Outgoing, send_messages
from bluekit.mail.smtp import SendError, SmtpSettings
from bluekit.mail.token_cache import open_token_cache
from bluekit.store.database import Store
from bluekit.store.tables import sends

from .conftest import write_signed_campaign
from .identity_provider import USER
from .mail_servers import OAuthSink, identity_provider, smtp


@pytest.fixture
def provider(tmp_path, monkeypatch):
    with identity_provider(tmp_path, monkeypatch) as running:
        yield running


@pytest.fixture
def sink(provider):
    return OAuthSink(provider=provider)


def _sign_in() -> MicrosoftSignIn:
    return MicrosoftSignIn(Tenant.from_options(None, None), open_token_cache())


def _signed_in(messages: list[str] | None = None) -> MicrosoftSignIn:
    sign_in = _sign_in()
    told = messages if messages is not None else []
    sign_in.login(device_code=True, user=None, show=told.append)
    return sign_in


def _outgoing(count: int) -> list[Outgoing]:
    result = []
    for number in range(count):
        message = EmailMessage()
        message["From"] = USER
        message["To"] = f"gemeente{number}@example.org"
        message["Subject"] = f"Blue Heart {number}"
        message["Message-ID"] = f"<invitation-{number}@bluekit.test>"
        message.set_content("Maak mensenhandel zichtbaar.")
        result.append(Outgoing(f"{number:05d}", f"Gemeente {number}", message["To"],
                               message.as_bytes()))
    return result


def _send_args(tmp_path: Path, port: int, *more: str) -> list[str]:
    return [
        # signed: unsigned letters are never sent
        "invitations", "send", str(write_signed_campaign(tmp_path / "signed")),
        "--out", str(tmp_path / "dist"),
        "--db", str(tmp_path / "s.db"), "--host", "127.0.0.1", "--port", str(port),
        "--security", "none", "--no-dry-run", "--no-limit", "--rate", "6000",
        "--region", "wallonia", *more,
    ]


def test_the_device_code_sign_in_tells_the_code_and_keeps_the_account(provider) -> None:
    told: list[str] = []
    sign_in = _signed_in(told)
    assert "BLUE-HEART" in told[0] and "devicelogin" in told[0]
    assert _sign_in().accounts() == [USER]  # a new process would find it in the cache
    assert provider.grants.count("urn:ietf:params:oauth:grant-type:device_code") == 2
    token = sign_in.token(None)
    assert token.account == USER and provider.valid(
        token.value, USER, "https://outlook.office.com/SMTP.Send"
    )


def test_without_a_keyring_the_cache_is_a_file_only_its_owner_reads(provider) -> None:
    sign_in = _signed_in()
    cache = sign_in.cache
    assert not cache.encrypted and "keyring" in cache.why_plain
    assert stat.S_IMODE(cache.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.path.parent.stat().st_mode) == 0o700
    assert USER in cache.path.read_text("utf-8")


def test_invitations_go_out_with_xoauth2_and_no_password(runner, tmp_path, sink, monkeypatch):
    _signed_in()
    monkeypatch.delenv("BLUEKIT_SMTP_PASSWORD", raising=False)
    with smtp(sink) as port:
        result = runner.invoke(app, _send_args(tmp_path, port, "--auth", "oauth"))
    assert result.exit_code == 0, result.output
    assert "sent 3 invitation(s)" in result.output
    assert len(sink.messages) == 3 and sink.logins == 1
    assert sink.tokens_used[0] not in result.output


def test_an_expired_token_is_renewed_in_the_middle_of_a_send_of_300(provider, sink, tmp_path):
    provider.lifetime = 301  # MSAL and bluekit renew 5 minutes early: this one lasts 1 s
    sign_in = _signed_in()
    store = Store(f"sqlite:///{tmp_path / 'state.db'}")
    with smtp(sink) as port:
        settings = SmtpSettings("127.0.0.1", port, "none", USER, auth="oauth",
                                tokens=sign_in.source(USER), timeout=5)
        report = send_messages(_outgoing(300), store=store, year=2024, kind="invitation",
                               settings=settings, dry_run=False, limit=None, per_minute=6000)
    assert len(report.sent) == 300 and not report.failed and not report.uncertain
    recipients = sink.recipients()
    assert len(recipients) == 300 and len(set(recipients)) == 300
    assert provider.grants.count("refresh_token") >= 2
    assert len(set(sink.tokens_used)) >= 3 and sink.logins == len(set(sink.tokens_used))
    with store.engine.connect() as db:
        statuses = db.execute(sa.select(sends.c.status, sa.func.count()).group_by(sends.c.status))
        assert dict(statuses.all()) == {"sent": 300}


def test_a_revoked_sign_in_stops_the_run_and_says_to_sign_in_again(provider, sink) -> None:
    sign_in = _signed_in()
    provider.expire_all()  # the cached access token is no longer accepted
    with smtp(sink) as port:
        settings = SmtpSettings("127.0.0.1", port, "none", USER, auth="oauth",
                                tokens=sign_in.source(None))
        with pytest.raises(SendError) as caught:
            settings.connect(settings.token())
    assert "refused the OAuth sign-in" in str(caught.value)
    assert "bluekit auth login" in caught.value.hint and "535" in str(caught.value)


def test_a_server_refusing_passwords_names_auth_oauth(runner, tmp_path, sink, monkeypatch):
    monkeypatch.setenv("BLUEKIT_SMTP_PASSWORD", "my-old-password")
    with smtp(sink) as port:
        settings = SmtpSettings("127.0.0.1", port, "none", USER, "my-old-password", 5)
        with pytest.raises(SendError) as caught:
            settings.connect()
        result = runner.invoke(app, _send_args(tmp_path, port, "--user", USER))
    assert "550 5.7.30" in str(caught.value) and "--auth oauth" in caught.value.hint
    assert result.exit_code == 2
    assert "--auth oauth" in result.output and "my-old-password" not in result.output
    assert not sink.messages


def test_sending_with_oauth_before_signing_in_says_to_sign_in(runner, tmp_path, sink) -> None:
    with smtp(sink) as port:
        result = runner.invoke(app, _send_args(tmp_path, port, "--auth", "oauth"))
    assert result.exit_code == 2
    assert "not signed in" in result.output and "bluekit auth login" in result.output
    with Store(f"sqlite:///{tmp_path / 's.db'}").engine.connect() as db:
        assert db.execute(sa.select(sa.func.count()).select_from(sends)).scalar() == 0


def test_without_tenant_and_client_id_the_error_names_the_variables(monkeypatch) -> None:
    for name in ("BLUEKIT_TENANT_ID", "BLUEKIT_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SignInError) as caught:
        Tenant.from_options("just.fgov.be", None)
    assert "--client-id" in str(caught.value) and "BLUEKIT_CLIENT_ID" in caught.value.hint


def test_auth_login_status_and_logout(runner, provider) -> None:
    login = runner.invoke(app, ["auth", "login", "--device-code"])
    assert login.exit_code == 0, login.output
    assert "BLUE-HEART" in login.output and f"signed in as {USER}" in login.output
    assert "a file only you can read" in login.output
    status = runner.invoke(app, ["auth", "status", "--check"])
    assert status.exit_code == 0, status.output
    assert f"signed in: {USER} (sign-in renewed: ok)" in status.output
    logout = runner.invoke(app, ["auth", "logout"])
    assert logout.exit_code == 0 and f"signed out: {USER}" in logout.output
    after = runner.invoke(app, ["auth", "status"])
    assert "nobody is signed in" in after.output


BROWSER = """\
import subprocess, sys
if len(sys.argv) == 2:  # the browser opens its window and returns at once
    subprocess.Popen([sys.executable, __file__, sys.argv[1], "window"])
    sys.exit(0)
from html.parser import HTMLParser
import requests

class Form(HTMLParser):
    action, fields = "", {}
    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.action = attrs["action"]
        if tag == "input":
            self.fields[attrs["name"]] = attrs["value"]

page = requests.get(sys.argv[1], allow_redirects=False, timeout=10)
if page.status_code == 302:
    requests.get(page.headers["Location"], timeout=10)
else:  # the auto-submitting form of response_mode=form_post
    form = Form()
    form.feed(page.text)
    requests.post(form.action, data=form.fields, timeout=10)
"""


def test_the_browser_sign_in_returns_through_the_local_redirect(tmp_path, provider, monkeypatch):
    browser = tmp_path / "browser.py"
    browser.write_text(BROWSER, "utf-8")
    monkeypatch.setenv("BROWSER", f"{sys.executable} {browser} %s")
    account = _sign_in().login(device_code=False, user=USER, show=lambda text: None)
    assert account == USER
    assert "authorization_code" in provider.grants
    assert _sign_in().token(USER).account == USER


def test_without_a_browser_the_sign_in_says_to_use_device_code(provider, monkeypatch) -> None:
    monkeypatch.setenv("BROWSER", "")
    monkeypatch.setattr("webbrowser._tryorder", [])
    monkeypatch.setattr("webbrowser._browsers", {})
    monkeypatch.setenv("PATH", os.devnull)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    with pytest.raises(SignInError) as caught:
        _sign_in().login(device_code=False, user=None, show=lambda text: None)
    assert "--device-code" in caught.value.hint


@pytest.mark.parametrize(("platform", "env", "expected"), [
    ("win32", {"LOCALAPPDATA": r"C:\Users\an\AppData\Local"},
     Path(r"C:\Users\an\AppData\Local") / "bluekit" / "msal-token-cache.bin"),
    ("linux", {"XDG_CACHE_HOME": "/home/an/.cache"},
     Path("/home/an/.cache/bluekit/msal-token-cache.bin")),
])
def test_the_token_cache_lives_in_the_users_own_cache_folder(monkeypatch, platform, env, expected):
    from bluekit.mail import token_cache

    monkeypatch.delenv("BLUEKIT_TOKEN_CACHE", raising=False)
    monkeypatch.setattr(token_cache.sys, "platform", platform)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert token_cache.default_path() == expected


def test_auto_signs_in_with_oauth_on_microsoft_365_only() -> None:
    from bluekit.mail.oauth import uses_oauth

    assert uses_oauth("auto", "smtp.office365.com") and uses_oauth("auto", "Outlook.Office365.com")
    assert not uses_oauth("auto", "smtp.telenet.be") and uses_oauth("oauth", "127.0.0.1")
    assert not uses_oauth("password", "smtp.office365.com")


def test_an_empty_tenant_variable_counts_as_missing(monkeypatch) -> None:
    monkeypatch.setenv("BLUEKIT_TENANT_ID", "")
    monkeypatch.setenv("BLUEKIT_CLIENT_ID", "0d5e1f0c-6d2a-4c9b-9d0e-b10e4ea47000")
    with pytest.raises(SignInError, match="needs --tenant"):
        Tenant.from_options(None, None)


def test_a_sign_in_service_out_of_reach_is_a_clear_error(provider) -> None:
    sign_in = _signed_in()
    provider.server.stop()  # the network is gone
    with pytest.raises(SignInError) as caught:
        sign_in.token(USER, force_refresh=True)
    assert "cannot reach" in str(caught.value) and "network" in caught.value.hint
    provider.server.start()


def test_a_dry_run_with_oauth_needs_no_sign_in(runner, tmp_path, sink) -> None:
    with smtp(sink) as port:
        args = [a for a in _send_args(tmp_path, port, "--auth", "oauth") if a != "--no-dry-run"]
        result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "dry run: would send" in result.output and not sink.messages
