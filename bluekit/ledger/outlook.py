"""Outlook `.msg` files (what Outlook on Windows saves when a mail is dragged out of it), read
with extract-msg and turned into the e-mail they hold, so that they are imported like any other.

A `.msg` is an OLE compound file: it is told by its signature, not by its name. The e-mail made
from it is the same bytes whenever the same mail is converted (its boundaries come from its
content), so the same mail saved twice is known as one, by its Message-ID or, without one, by
the digest. extract-msg is GPL-3.0 and an extra (`bluekit[outlook]`); without it, an Outlook
file gets an error that says what to install.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import hashlib
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from bluekit.errors import InputFileError

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
INSTALL = 'pip install "bluekit[outlook]"'
# Files Windows itself leaves in folders (Thumbs.db is an OLE file too, but no mail).
SYSTEM_FILES = {"thumbs.db", "desktop.ini", ".ds_store"}
# The headers of a received mail worth keeping; the MIME structure is made anew.
KEPT = ("From", "Sender", "Reply-To", "To", "Cc", "Date", "Subject", "Message-ID",
        "In-Reply-To", "References")


def is_outlook_file(path: Path) -> bool:
    """Whether the file is an OLE compound file, as Outlook's `.msg` files are."""
    with path.open("rb") as handle:
        return handle.read(8) == OLE_SIGNATURE


def require_extract_msg(path: Path) -> None:
    """Outlook files need the `outlook` extra: say so, naming the file and the command."""
    try:
        import extract_msg  # noqa: F401
    except ImportError:
        raise InputFileError(
            f"{path}: an Outlook file (.msg), and reading those needs extract-msg",
            hint=f"install it with `{INSTALL}` (or save the mail as .eml), then import again",
        ) from None


def files_in(folder: Path) -> Iterator[Path]:
    """The files of a folder of saved mails, in order, without Windows' own files."""
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.name.startswith(".") and (
            path.name.lower() not in SYSTEM_FILES
        ):
            yield path


def outlook_message(path: Path) -> bytes:
    """The e-mail an Outlook file holds, as bytes; a file extract-msg cannot read is handed
    on as it is, so that it goes to review with its original kept."""
    import extract_msg

    data = path.read_bytes()
    try:
        msg = extract_msg.openMsg(data, delayAttachments=False)
    except Exception:  # extract-msg raises many kinds on a damaged or foreign OLE file
        return data
    try:
        return _as_email(msg)
    except Exception:
        return data
    finally:
        msg.close()


def _as_email(msg: Any) -> bytes:
    headers = _headers(msg)
    plain, html = _bodies(msg)
    attachments = list(_attachments(msg))
    message = EmailMessage(policy=email.policy.default)
    for name, value in headers:
        message[name] = value
    if plain is not None:
        message.set_content(plain)
        if html is not None:
            message.add_alternative(html, subtype="html")
    elif html is not None:
        message.set_content(html, subtype="html")
    for name, (maintype, subtype), data in attachments:
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    # Boundaries from the content, so the same mail converts to the same bytes.
    digest = hashlib.sha256(repr((headers, plain, html, attachments)).encode()).hexdigest()
    for number, part in enumerate(message.walk()):
        if part.is_multipart():
            part.set_boundary(f"bluekit-{digest[:32]}-{number}")
    return message.as_bytes()


def _attachments(msg: Any) -> Iterator[tuple[str, tuple[str, str], bytes]]:
    """(file name, MIME type, bytes) of each attached file; an embedded mail or a link is not
    carried (it stays in the `.msg`)."""
    for attachment in getattr(msg, "attachments", []):
        data = getattr(attachment, "data", None)
        if not isinstance(data, bytes):
            continue
        kind = (getattr(attachment, "mimetype", None) or "application/octet-stream").split("/")
        name = (getattr(attachment, "longFilename", None)
                or getattr(attachment, "shortFilename", None) or "attachment")
        yield str(name), (kind[0], kind[1] if len(kind) > 1 else "octet-stream"), data


def _headers(msg: Any) -> list[tuple[str, str]]:
    """The mail's headers: from the transport headers Outlook keeps of a received mail, else
    from the message's properties (a draft, a mail saved from Sent Items)."""
    found = msg.header if getattr(msg, "headerText", None) else None
    if found is not None:
        kept = [(n, str(found[n])) for n in KEPT if found[n] and str(found[n]).strip()]
        if any(name == "From" for name, _ in kept):
            return kept
    values: dict[str, str | None] = {
        "From": _sender(msg), "To": msg.to, "Cc": msg.cc, "Subject": msg.subject,
        "Message-ID": msg.messageId, "In-Reply-To": getattr(msg, "inReplyTo", None),
    }
    date = msg.date
    if isinstance(date, dt.datetime):
        values["Date"] = format_datetime(date if date.tzinfo else date.replace(tzinfo=dt.UTC))
    return [(n, str(v).replace("\r", " ").replace("\n", " ")) for n, v in values.items() if v]


def _sender(msg: Any) -> str | None:
    """The sender with its address: extract-msg may give the name only, the address being in
    the SMTP address or the e-mail address property (PR_SENDER_SMTP_ADDRESS, _EMAIL_ADDRESS)."""
    from email.utils import formataddr, parseaddr

    name, address = parseaddr(str(msg.sender or ""))
    if "@" not in address:
        for stream in ("__substg1.0_5D01", "__substg1.0_0C1F"):
            found = msg.getStringStream(stream)
            if found and "@" in found:
                name, address = name or str(msg.sender or ""), found.strip()
                break
    return formataddr((name, address)) if address else (msg.sender or None)


def _bodies(msg: Any) -> tuple[str | None, str | None]:
    """The plain text and the HTML the file really holds (extract-msg would otherwise make an
    HTML body up from the text, or the text from the RTF)."""
    from extract_msg.enums import BodyTypes

    detected = msg.detectedBodies
    plain = msg.body if detected & BodyTypes.PLAIN else None
    html = None
    if detected & (BodyTypes.HTML | BodyTypes.RTF):
        raw = msg.htmlBody
        if isinstance(raw, bytes):  # in the mail's code page, often named in a <meta> only
            from bs4.dammit import UnicodeDammit

            html = UnicodeDammit(raw, ["utf-8", "windows-1252"]).unicode_markup
    if plain is None and html is None and detected & BodyTypes.RTF:
        plain = msg.body
    return plain, html
