"""`orders fetch`: the orders mailbox read over IMAP and imported as `orders import` imports a
file, message by message.

Exactly once, whatever stops it: each message is committed on its own (an order, a case for
review, or a reply to an invitation kept for `lighting inbox`) and only then is the folder's
last UID advanced in the store; a message committed but not yet counted is read again and known
by its Message-ID or digest. A new UIDVALIDITY (the server numbered the folder anew) means
reading the folder again from the start, with the same safeguard. With a folder to move to,
messages are moved only once they are committed; what a stopped run committed but did not move
is moved by the next. Two fetches of one folder take turns (`store.locks`), so that no message
is moved twice.
"""

from __future__ import annotations

import email.policy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from typing import Any, Protocol

import sqlalchemy as sa

from bluekit.campaign.model import Campaign
from bluekit.ledger.intake import ImportReport, import_message
from bluekit.ledger.lighting_inbox import invitation_answered, keep_reply
from bluekit.ledger.order_mail import message_ref, read_order
from bluekit.ledger.orders import current_user
from bluekit.store.database import Store
from bluekit.store.locks import held
from bluekit.store.tables import mailbox_state, now

BATCH = 25  # messages fetched (and moved) at a time: few round trips, little memory


class Folder(Protocol):
    """What fetching needs of an IMAP session (`mail.imap.Mailbox`)."""

    def select(self, folder: str, *, readonly: bool) -> int: ...
    def uids_after(self, last_uid: int) -> list[int]: ...
    def fetch(self, uids: Sequence[int]) -> dict[int, bytes]: ...
    def ensure_folder(self, folder: str) -> bool: ...
    def move(self, uids: Sequence[int], folder: str) -> None: ...


@dataclass
class FetchReport(ImportReport):
    """An import's report, and what the mailbox side did."""

    read: int = 0  # messages fetched from the server
    moved: int = 0
    renumbered: bool = False  # UIDVALIDITY changed: the folder was read again from the start
    replies: list[str] = field(default_factory=list)  # REFNIS codes of invitation replies

    def as_dict(self) -> dict[str, Any]:
        return {
            **super().as_dict(), "read": self.read, "moved": self.moved,
            "renumbered": self.renumbered, "invitation_replies": self.replies,
        }


@dataclass(frozen=True)
class Where:
    """The folder read: the server, the mailbox and the folder's name."""

    host: str
    mailbox: str
    folder: str = "INBOX"

    def key(self) -> tuple[Any, ...]:
        return (mailbox_state.c.host == self.host.lower(),
                mailbox_state.c.mailbox == self.mailbox.lower(),
                mailbox_state.c.folder == self.folder)


def fetch_orders(
    store: Store,
    campaign: Campaign,
    box: Folder,
    where: Where,
    *,
    move_to: str | None = None,
    by: str | None = None,
    progress: Callable[[str, str], None] | None = None,
) -> FetchReport:
    """Import the messages of the folder that arrived since the last fetch; see the module's
    docstring for why nothing is imported twice or moved before it is committed."""
    # One fetch of a folder at a time: a second one waits, then finds nothing new.
    with held(store, f"the folder {where.folder} of {where.mailbox} on {where.host}"):
        return _fetch(store, campaign, box, where, move_to, by or current_user(), progress)


def _fetch(
    store: Store, campaign: Campaign, box: Folder, where: Where, move_to: str | None, by: str,
    progress: Callable[[str, str], None] | None,
) -> FetchReport:
    report = FetchReport()
    uidvalidity = box.select(where.folder, readonly=move_to is None)
    last_uid = _last_uid(store, where, uidvalidity, report)
    if move_to is not None:
        box.ensure_folder(move_to)
        # committed by a run that stopped before it moved them (or before a reconnect)
        leftovers = [uid for uid in box.uids_after(0) if uid <= last_uid]
        _move(box, leftovers, move_to, report)
    new = box.uids_after(last_uid)
    for start in range(0, len(new), BATCH):
        batch = new[start:start + BATCH]
        messages = box.fetch(batch)
        for uid in batch:
            raw = messages.get(uid)
            if raw is not None:  # gone meanwhile (moved or deleted by someone else)
                report.read += 1
                take_message(store, campaign, f"{where.folder} UID {uid}", raw, report, by)
            _save(store, where, uidvalidity, uid)
            if progress:
                progress(str(uid), "done")
        if move_to is not None:
            _move(box, [uid for uid in batch if uid in messages], move_to, report)
    return report


def take_message(
    store: Store, campaign: Campaign, name: str, raw: bytes, report: FetchReport, by: str
) -> None:
    """A reply to an invitation is kept for `lighting inbox` (and its order imported, if it
    holds one); any other message is imported as `orders import` does."""
    try:
        message = message_from_bytes(raw, policy=email.policy.default)
        code = invitation_answered(store, campaign.year, message)
    except Exception:  # unreadable headers: `import_message` sends it to review
        code = None
    if code is None:
        import_message(store, campaign, name, raw, report, by)
        return
    assert isinstance(message, EmailMessage)
    ref = message_ref(raw, message)
    if keep_reply(store, campaign.year, code, ref, message, raw):
        report.replies.append(code)
    order, _reason = read_order(campaign, message, ref)
    if order is not None:
        import_message(store, campaign, name, raw, report, by)


def _move(box: Folder, uids: list[int], folder: str, report: FetchReport) -> None:
    if uids:
        box.move(uids, folder)
        report.moved += len(uids)


def _last_uid(store: Store, where: Where, uidvalidity: int, report: FetchReport) -> int:
    """The highest UID already committed, 0 for a folder never read or numbered anew."""
    with store.engine.connect() as db:
        row = db.execute(sa.select(mailbox_state).where(*where.key())).first()
    if row is None:
        return 0
    if row.uidvalidity != uidvalidity:
        report.renumbered = True
        _save(store, where, uidvalidity, 0)
        return 0
    return int(row.last_uid)


def _save(store: Store, where: Where, uidvalidity: int, last_uid: int) -> None:
    """Record how far the folder is read, after the message's own commit; never backwards (a
    second fetch running at the same moment may be behind this one), except for a folder
    numbered anew."""
    with store.transaction() as db:
        row = db.execute(sa.select(mailbox_state).where(*where.key())).first()
        values = {"uidvalidity": uidvalidity, "last_uid": last_uid, "updated_at": now()}
        if row is None:
            db.execute(mailbox_state.insert().values(
                host=where.host.lower(), mailbox=where.mailbox.lower(), folder=where.folder,
                **values,
            ))
        elif row.uidvalidity != uidvalidity or row.last_uid < last_uid:
            db.execute(mailbox_state.update().where(*where.key()).values(**values))
