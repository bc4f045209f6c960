"""Reading a mailbox over IMAP (imapclient): signing in with a password or, for Microsoft 365,
an OAuth token with SASL XOAUTH2 (a shared mailbox is read with its own address as the user and
the token of someone with FullAccess to it), a folder's UIDVALIDITY and UIDs, the messages'
bytes without marking them read, and moving messages to another folder.

What becomes of the messages is the ledger's business (`ledger/mailbox_fetch.py`).
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from bluekit.errors import BluekitError
from bluekit.mail.oauth import TokenSource

if TYPE_CHECKING:
    import imapclient


class MailboxError(BluekitError):
    """The mailbox cannot be reached, signed in to, or has no such folder."""


@dataclass(frozen=True)
class ImapSettings:
    """Which mailbox, on which server, signed in how. The password is never printed."""

    host: str
    mailbox: str  # the sign-in name: the mailbox's address (a shared one's own address)
    port: int = 993
    security: Literal["ssl", "starttls", "none"] = "ssl"
    password: str | None = field(default=None, repr=False)
    tokens: TokenSource | None = field(default=None, repr=False, compare=False)
    timeout: float = 60.0


class Mailbox:
    """An open IMAP session on one mailbox; use as a context manager."""

    def __init__(self, settings: ImapSettings) -> None:
        self.settings = settings
        self._client: imapclient.IMAPClient | None = None

    def __enter__(self) -> Mailbox:
        self._client = self._connect()
        return self

    def __exit__(self, *exc: object) -> None:
        client, self._client = self._client, None
        if client is not None:
            try:
                client.logout()
            except Exception:  # the server is gone already: just close the socket
                client.shutdown()

    @property
    def client(self) -> imapclient.IMAPClient:
        assert self._client is not None, "use Mailbox as a context manager"
        return self._client

    def _connect(self) -> imapclient.IMAPClient:
        import imapclient

        s = self.settings
        try:
            client = imapclient.IMAPClient(
                s.host, port=s.port, ssl=s.security == "ssl", timeout=s.timeout,
                ssl_context=ssl.create_default_context(),
            )
            if s.security == "starttls":
                client.starttls(ssl.create_default_context())
        except (OSError, imapclient.exceptions.IMAPClientError) as exc:
            raise MailboxError(
                f"cannot connect to {s.host}:{s.port} ({exc.__class__.__name__}: {exc})",
                hint="check --host, --port and --security, and the network",
            ) from None
        try:
            if s.tokens is not None:
                token = s.tokens()
                client.oauth2_login(s.mailbox, token.value)
            else:
                client.login(s.mailbox, s.password or "")
        except imapclient.exceptions.LoginError as exc:
            client.shutdown()
            raise _refused(s, exc) from None
        return client

    @contextmanager
    def _talking(self, what: str) -> Iterator[None]:
        """A lost connection or a refused command in the middle of a fetch, as one clear error
        (what was committed stays: the next run goes on from there)."""
        import imapclient

        try:
            yield
        except (OSError, imapclient.exceptions.IMAPClientError) as exc:
            raise MailboxError(
                f"{self.settings.host}: {what} failed ({exc.__class__.__name__}: "
                f"{str(exc)[:200]})",
                hint="run the same command again: what was imported is kept, and nothing is "
                "imported twice",
            ) from None

    def select(self, folder: str, *, readonly: bool) -> int:
        """Open a folder; returns its UIDVALIDITY."""
        import imapclient

        try:
            answer = self.client.select_folder(folder, readonly=readonly)
        except imapclient.exceptions.IMAPClientError as exc:
            names = ", ".join(self.folders()[:20])
            raise MailboxError(
                f"{self.settings.mailbox} has no folder {folder!r} ({exc})",
                hint=f"the folders are: {names}",
            ) from None
        return int(answer[b"UIDVALIDITY"])

    def folders(self) -> list[str]:
        return [str(name) for _flags, _sep, name in self.client.list_folders()]

    def uids_after(self, last_uid: int) -> list[int]:
        """The UIDs above `last_uid` in the open folder, in order (`n:*` also answers the
        highest UID when it is below n, hence the filter)."""
        with self._talking("searching the folder"):
            found = self.client.search(["UID", f"{last_uid + 1}:*"])
        return sorted(int(uid) for uid in found if int(uid) > last_uid)

    def fetch(self, uids: Sequence[int]) -> dict[int, bytes]:
        """The messages' bytes by UID, without setting \\Seen (BODY.PEEK)."""
        if not uids:
            return {}
        with self._talking("reading messages"):
            answer: dict[int, dict[bytes, Any]] = self.client.fetch(list(uids), ["BODY.PEEK[]"])
        return {int(uid): bytes(data[b"BODY[]"]) for uid, data in answer.items()}

    def ensure_folder(self, folder: str) -> bool:
        """Create the folder unless it exists; True if it was created."""
        with self._talking(f"creating the folder {folder!r}"):
            if self.client.folder_exists(folder):
                return False
            self.client.create_folder(folder)
        return True

    def move(self, uids: Sequence[int], folder: str) -> None:
        """Move messages of the open folder (MOVE, else COPY, \\Deleted and EXPUNGE of just
        these UIDs where the server has UIDPLUS)."""
        import imapclient

        with self._talking(f"moving messages to {folder!r}"):
            try:
                self._move(list(uids), folder)
            except imapclient.exceptions.IMAPClientError as exc:
                if "EXPUNGEISSUED" not in str(exc):
                    raise
                # another fetch moved some of them meanwhile: move those still here
                left = self.client.search(["UID", ",".join(str(u) for u in uids)])
                self._move([int(u) for u in left], folder)

    def _move(self, uids: list[int], folder: str) -> None:
        if not uids:
            return
        client = self.client
        if client.has_capability("MOVE"):
            client.move(uids, folder)
            return
        client.copy(uids, folder)
        client.delete_messages(uids)
        if client.has_capability("UIDPLUS"):
            client.uid_expunge(uids)
        else:
            client.expunge()


def _refused(settings: ImapSettings, exc: Exception) -> MailboxError:
    text = str(exc)[:200]
    if settings.tokens is not None:
        return MailboxError(
            f"{settings.host} refused the OAuth sign-in to {settings.mailbox} ({text})",
            hint="run `bluekit auth login` again; for a shared mailbox IT must give your account "
            "FullAccess to it and the app IMAP.AccessAsUser.All (README, \"Sending from "
            "Microsoft 365\")",
        )
    return MailboxError(
        f"{settings.host} refused the password sign-in to {settings.mailbox} ({text})",
        hint="Microsoft 365 takes no passwords: `bluekit auth login`, then --auth oauth; "
        "elsewhere check the mailbox name and BLUEKIT_IMAP_PASSWORD",
    )
