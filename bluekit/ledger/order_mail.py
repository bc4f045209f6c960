"""Orders in e-mails: the messages of an `.eml` file, an mbox or a Maildir, what identifies each
across imports, its readable text, and the order its filled-in form holds.

Reading only: what becomes of a message (an order, or a case for review) is `intake.py`'s and
`review.py`'s business.
"""

from __future__ import annotations

import hashlib
import mailbox
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path

from bluekit.campaign.model import Campaign
from bluekit.errors import InputFileError
from bluekit.ledger import outlook
from bluekit.ledger.order_checks import problems_of
from bluekit.ledger.order_form_reader import parse_form
from bluekit.ledger.orders import NewOrder


def messages_in(path: Path) -> Iterator[tuple[str, bytes]]:
    """(name, raw bytes) of every message in a `.eml` file, an Outlook `.msg` file, an mbox
    file, a Maildir folder or a folder of saved mails (`.msg`, `.eml`)."""
    if path.is_dir():
        if not all((path / sub).is_dir() for sub in ("cur", "new", "tmp")):
            yield from _saved_mails(path)
            return
        box = mailbox.Maildir(path, create=False)
        for key in sorted(box.keys()):
            yield f"{path.name}/{key}", box.get_bytes(key)
        return
    try:
        with path.open("rb") as handle:
            head = handle.read(1024).lstrip()
    except FileNotFoundError:
        raise InputFileError(f"{path}: no such file") from None
    if head.startswith(outlook.OLE_SIGNATURE):
        outlook.require_extract_msg(path)
        yield path.name, outlook.outlook_message(path)
        return
    if head.startswith(b"From "):
        mbox = mailbox.mbox(path, create=False)
        try:
            for number, key in enumerate(mbox.keys(), start=1):
                yield f"{path.name} #{number}", mbox.get_bytes(key)
        finally:
            mbox.close()
        return
    yield path.name, path.read_bytes()


def _saved_mails(folder: Path) -> Iterator[tuple[str, bytes]]:
    """The mails of a folder they were saved or dragged into: Outlook files (told by their
    content) and e-mails."""
    files = list(outlook.files_in(folder))
    if not files:
        raise InputFileError(
            f"{folder}: a folder with no saved mails in it (and not a Maildir)",
            hint="give an .eml or .msg file, a folder of them, an mbox file, a Maildir or a .csv",
        )
    ole = [f for f in files if outlook.is_outlook_file(f)]
    if ole:  # said before anything is imported
        outlook.require_extract_msg(ole[0])
    for file in files:
        name = str(file.relative_to(folder.parent))
        yield name, outlook.outlook_message(file) if file in ole else file.read_bytes()


def message_ref(raw: bytes, message: EmailMessage) -> str:
    """What identifies a message across imports: its Message-ID, else the digest of its bytes."""
    message_id = (message.get("Message-ID") or "").strip()
    return message_id[:400] if message_id else raw_ref(raw)


def raw_ref(raw: bytes) -> str:
    """What identifies bytes that are no readable message: their digest."""
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def message_text(message: EmailMessage) -> str:
    """The readable text of a message: its plain-text body, else its HTML body as text."""
    body = message.get_body(preferencelist=("plain", "html"))
    parts = [body] if body is not None else [
        p for p in message.walk() if p.get_content_maintype() == "text"
    ]
    for part in parts:
        content = part.get_content()
        if part.get_content_subtype() == "html":
            from bs4 import BeautifulSoup  # here, not at the top: only HTML mails need it

            soup = BeautifulSoup(content, "html.parser")
            # Line breaks where the mail program shows them (Outlook puts a label and its value
            # in separate <span>s of one line): after blocks and at <br>, nowhere else.
            for br in soup.find_all("br"):
                br.replace_with("\n")
            for block in soup.find_all(BLOCKS):
                block.append("\n")
            return soup.get_text("")
        return str(content)
    return ""


BLOCKS = ["p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote",
          "pre", "ul", "ol"]


def read_order(campaign: Campaign, message: EmailMessage, ref: str) -> tuple[NewOrder | None, str]:
    """The order an e-mail holds, or None and why it is not one."""
    try:
        text = message_text(message)
    except (LookupError, UnicodeError, ValueError) as exc:
        return None, f"the text cannot be decoded ({exc})"
    sender = parseaddr(str(message.get("From", "")))[1] or None
    parsed = parse_form(campaign, text, sender=sender)
    if parsed.order is None:
        return None, "; ".join(parsed.problems)
    order = NewOrder(parsed.order.partner, parsed.order.lines, parsed.order.remarks, "email", ref)
    problems = problems_of(campaign, order)
    return (None, "; ".join(problems)) if problems else (order, "")
