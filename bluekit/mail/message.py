"""E-mail messages as planned outputs: an invitation or an order mail becomes a standard .eml
file, built after the files it attaches, with the same bytes for the same message so that a
rebuild with nothing changed leaves it alone.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import hashlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from email.charset import QP, Charset
from email.generator import BytesGenerator
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, parseaddr
from pathlib import Path
from typing import Any

from bluekit.errors import OutputError

# How a built message is read back to be sent: lines folded at 78 characters, CRLF on the wire.
POLICY = email.policy.SMTP.clone(max_line_length=78)


def message_id(campaign: Any, kind: str, code: str) -> str:
    """A stable Message-ID per campaign, kind and municipality: the same message keeps its id
    across runs, so a resend after an uncertain failure can be recognised by mail servers."""
    domain = campaign.invitation.sender.email.split("@")[-1]
    return f"<bluekit.{campaign.year}.{kind}.{code}@{domain}>"


@dataclass(frozen=True)
class EmailJob:
    """An e-mail with attachments taken from other planned files; built after them."""

    headers: tuple[tuple[str, str], ...]
    text: str
    html: str
    attachments: tuple[tuple[str, str, str, str], ...]  # (file name, path, mime type, fingerprint)
    date: dt.datetime
    label: str = ""
    template: str = "email"

    @property
    def needs(self) -> tuple[str, ...]:
        """The planned files it attaches: it is made once they are written."""
        return tuple(path for _, path, _, _ in self.attachments)

    def fingerprint(self) -> str:
        payload = json.dumps(
            ["email-v3", self.headers, self.text, self.html, self.attachments,
             self.date.isoformat()]
        )
        return hashlib.sha256(payload.encode()).hexdigest()

    def build(self, out_dir: Path) -> bytes:
        # Built with the classic email.mime classes: the same standard message as the newer
        # EmailMessage API makes, five times faster, which counts for 565 invitations.
        # Boundaries of our own, from the fingerprint: the same message gives the same bytes
        # (the generator would pick random ones, and compile a pattern per message to check
        # them). They start with "=_", which cannot occur in quoted-printable or base64 text,
        # the only encodings the parts use.
        token = self.fingerprint()[:32]
        alternative = MIMEMultipart("alternative", boundary=f"=_alternative_{token}")
        alternative.attach(_quoted_printable(self.text, "plain"))
        alternative.attach(_quoted_printable(self.html, "html"))
        message: MIMEBase = alternative
        if self.attachments:
            message = MIMEMultipart("mixed", boundary=f"=_mixed_{token}")
            message.attach(alternative)
        for filename, path, mime, _ in self.attachments:
            message.attach(self._attachment(out_dir, filename, path, mime))
        for header, value in self.headers:
            # typeshed takes a str only; a compat32 message takes a Header as well (see the
            # email.header docs), and folding it here ourselves would change the bytes
            message[header] = _encoded_header(header, value)  # type: ignore[assignment]
        message["Date"] = format_datetime(self.date)
        buffer = io.BytesIO()
        BytesGenerator(buffer, mangle_from_=False, policy=_GENERATOR_POLICY).flatten(message)
        return buffer.getvalue()

    def _attachment(self, out_dir: Path, filename: str, path: str, mime: str) -> MIMEBase:
        """One attached file, read from the output folder, under the name the reader sees."""
        try:
            content = (out_dir / path).read_bytes()
        except FileNotFoundError:
            raise OutputError(f"{self.label}: the attachment {path} is missing") from None
        maintype, subtype = mime.split("/")
        part: MIMEBase
        if maintype == "text":
            part = MIMEText(content.decode("utf-8"), subtype, "utf-8")
        else:
            part = MIMEApplication(content, subtype)
        # RFC 2231: a file name with accents or a dash travels intact
        name: str | tuple[str, str, str] = (
            filename if filename.isascii() else ("utf-8", "", filename)
        )
        part.add_header("Content-Disposition", "attachment", filename=name)
        return part


_QP_UTF8 = Charset("utf-8")
_QP_UTF8.body_encoding = QP
_GENERATOR_POLICY = email.policy.compat32.clone(linesep="\r\n", max_line_length=78)
_ADDRESS_HEADERS = {"from", "to", "cc", "reply-to"}


def _quoted_printable(text: str, subtype: str) -> MIMEText:
    """A UTF-8 text part in quoted-printable (the utf-8 charset alone would give base64)."""
    # typeshed types the charset as a str; the standard library documents that it takes a
    # Charset instance too, the one way to choose the body's encoding here
    return MIMEText(text, subtype, _QP_UTF8)  # type: ignore[arg-type]


def _encoded_header(name: str, value: str) -> str | Header:
    """A header value as the standard wants it on the wire: addresses with their display name
    encoded, other non-ASCII text as an encoded word (RFC 2047)."""
    if name.lower() in _ADDRESS_HEADERS:
        display, address = parseaddr(value)
        return formataddr((display, address), charset="utf-8") if display else address
    if value.isascii():
        return value
    return Header(value, "utf-8", header_name=name)


@dataclass(frozen=True)
class LazyEmailJob:
    """An e-mail whose texts are written only when it must be made (`make` gives its EmailJob):
    a rebuild with nothing changed does not write 565 invitations just to find them unchanged.
    Made after the files it attaches (`needs`).

    Like the pipeline's LazyJob, its fingerprint is that of `key`, which sums up its inputs; but
    its `make` gives an EmailJob, not bytes, so it is a job of its own rather than a LazyJob."""

    key: str
    make: Callable[[], EmailJob]
    label: str = ""
    template: str = "email"
    needs: tuple[str, ...] = ()  # the planned files it attaches

    def fingerprint(self) -> str:
        return hashlib.sha256(self.key.encode()).hexdigest()

    def build(self, out_dir: Path) -> bytes:
        return self.make().build(out_dir)
