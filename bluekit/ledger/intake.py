"""Bringing orders in: from e-mails (one `.eml`, an mbox, a Maildir) and from a CSV.

Every message is read on its own and committed on its own: an import that is interrupted keeps
what it finished, and running it again skips what it already has (by Message-ID, or by the
message's digest when it has none), so nothing is ever added twice. A message that is not a
readable order is never dropped: it goes to the review list with the reason and the original.
"""

from __future__ import annotations

import csv
import email.policy
import hashlib
import io
import mailbox
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bluekit.campaign.model import Campaign
from bluekit.errors import InputFileError, Location, NotFound, Problem, ValidationFailed
from bluekit.files.excel_csv import delimiter_of, read_text
from bluekit.ledger.order_checks import problems_of
from bluekit.ledger.order_entry import add_order
from bluekit.ledger.order_form_reader import form_labels, label_key, parse_form, parse_quantity
from bluekit.ledger.orders import NewOrder, OrderError, Partner, current_user
from bluekit.store.database import Store, insert_ignore
from bluekit.store.tables import now, order_review, order_review_handled, orders


@dataclass
class ImportReport:
    """What an import did: orders added, messages already known, messages sent to review."""

    added: list[str] = field(default_factory=list)  # order numbers
    already: list[str] = field(default_factory=list)  # source references
    review: list[tuple[str, str]] = field(default_factory=list)  # (source, reason)

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "already_imported": len(self.already),
            "review": [{"source": s, "reason": r} for s, r in self.review],
        }


ProgressCallback = Callable[[str, str], None]


# --- e-mail ---------------------------------------------------------------------------------------


def _messages(path: Path) -> Iterator[tuple[str, bytes]]:
    """(name, raw bytes) of every message in a `.eml` file, an mbox file or a Maildir folder."""
    if path.is_dir():
        if not all((path / sub).is_dir() for sub in ("cur", "new", "tmp")):
            raise InputFileError(
                f"{path}: a folder, but not a Maildir (no cur/, new/ and tmp/)",
                hint="give an .eml file, an mbox file, a Maildir folder or a .csv file",
            )
        box = mailbox.Maildir(path, create=False)
        for key in sorted(box.keys()):
            yield f"{path.name}/{key}", box.get_bytes(key)
        return
    try:
        with path.open("rb") as handle:
            head = handle.read(1024).lstrip()
    except FileNotFoundError:
        raise InputFileError(f"{path}: no such file") from None
    if head.startswith(b"From "):
        mbox = mailbox.mbox(path, create=False)
        try:
            for number, key in enumerate(mbox.keys(), start=1):
                yield f"{path.name} #{number}", mbox.get_bytes(key)
        finally:
            mbox.close()
        return
    yield path.name, path.read_bytes()


def message_ref(raw: bytes, message: EmailMessage) -> str:
    """What identifies a message across imports: its Message-ID, else the digest of its bytes."""
    message_id = (message.get("Message-ID") or "").strip()
    return message_id[:400] if message_id else "sha256:" + hashlib.sha256(raw).hexdigest()


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


def _known(store: Store, ref: str) -> bool:
    with store.engine.connect() as db:
        return bool(
            db.execute(sa.select(orders.c.id).where(orders.c.source_ref == ref)).first()
            or db.execute(
                sa.select(order_review.c.id).where(order_review.c.source_ref == ref)
            ).first()
        )


def _to_review(
    store: Store, year: int, ref: str, name: str, message: EmailMessage | None, raw: bytes,
    reason: str,
) -> None:
    with store.transaction() as db:
        insert_ignore(
            db, order_review, year=year, source_ref=ref, source_name=name,
            sender=str(message.get("From", "")) if message else None,
            subject=str(message.get("Subject", "")) if message else None,
            reason=reason, original=raw, received_at=now(),
        )


def import_message(
    store: Store, campaign: Campaign, name: str, raw: bytes, report: ImportReport, by: str
) -> None:
    """Import one e-mail: an order, a known message (nothing happens) or a case for review."""
    try:
        message = message_from_bytes(raw, policy=email.policy.default)
        ref = message_ref(raw, message)  # type: ignore[arg-type]
    except Exception as exc:  # a message too broken to read its headers still goes to review
        _to_review(store, campaign.year, "sha256:" + hashlib.sha256(raw).hexdigest(), name,
                   None, raw, f"not readable as an e-mail ({exc.__class__.__name__})")
        report.review.append((name, "not readable as an e-mail"))
        return
    if _known(store, ref):
        report.already.append(ref)
        return
    order, reason = _read_order(campaign, message, ref)  # type: ignore[arg-type]
    if order is not None:
        added, new = add_order(store, campaign, order, by=by)
        (report.added.append(added.number) if new else report.already.append(ref))
        return
    _to_review(store, campaign.year, ref, name, message, raw, reason)  # type: ignore[arg-type]
    report.review.append((name, reason))


def _read_order(campaign: Campaign, message: EmailMessage, ref: str) -> tuple[NewOrder | None, str]:
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


# --- CSV ------------------------------------------------------------------------------------------

CSV_FIELDS = ("organisation", "contact", "email", "telephone", "street", "postcode", "city",
              "language", "remarks", "reference")


def _csv_rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter_of(text))
    rows = [(reader.line_num, row) for row in reader]
    if not rows:
        raise InputFileError(f"{path}: empty", hint="the first row names the columns")
    return rows[0][1], rows[1:]


def read_orders_csv(campaign: Campaign, path: Path) -> list[NewOrder]:
    """Orders from a CSV (one row per order, one column per item code); every bad row is
    reported at once, with its line, and then nothing is imported."""
    header, rows = _csv_rows(path)
    catalogue = {m.code for m in campaign.materials}
    columns: dict[int, str] = {}
    problems: list[Problem] = []
    for index, title in enumerate(header):
        key = title.strip()
        if key.upper() in catalogue:
            columns[index] = key.upper()
        elif key.casefold() in CSV_FIELDS:
            columns[index] = key.casefold()
        elif label_key(key) in form_labels():
            columns[index] = form_labels()[label_key(key)]
        elif key:
            problems.append(Problem(
                f"unknown column {key!r}", Location(path, 1, index + 1),
                hint=f"use {', '.join(CSV_FIELDS)} and the item codes ({', '.join(catalogue)})",
            ))
    result: list[NewOrder] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        values = {columns[i]: v.strip() for i, v in enumerate(row) if i in columns}
        if not any(values.values()):
            continue
        lines: list[tuple[str, int]] = []
        row_problems: list[str] = []
        for code in (c for c in values if c in catalogue):
            try:
                quantity = parse_quantity(values[code])
            except ValueError:
                row_problems.append(f"{code}: {values[code]!r} is not a quantity")
                continue
            if quantity:
                lines.append((code, quantity))
        # The same row imported again is recognised by its content (or its own reference);
        # identical rows in one file are told apart by their rank.
        digest = values.get("reference") or hashlib.sha256(
            "\x1f".join(f"{k}={values[k]}" for k in sorted(values)).encode()
        ).hexdigest()[:32]
        seen[digest] = seen.get(digest, 0) + 1
        ref = f"csv:{digest}" + (f"#{seen[digest]}" if seen[digest] > 1 else "")
        order = NewOrder(
            Partner(
                organisation=values.get("organisation", ""),
                contact=values.get("contact", ""),
                email=values.get("email", ""),
                street=values.get("street", ""),
                postcode=values.get("postcode", ""),
                city=values.get("city", ""),
                language=(values.get("language") or "").lower(),
                telephone=values.get("telephone") or None,
            ),
            tuple(lines),
            values.get("remarks") or None,
            "csv",
            ref,
        )
        row_problems += problems_of(campaign, order)
        problems += [Problem(p, Location(path, line)) for p in row_problems]
        result.append(order)
    if problems:
        raise ValidationFailed(path, problems, what="orders CSV")
    return result


# --- the import command ---------------------------------------------------------------------------


def import_orders(
    store: Store,
    campaign: Campaign,
    path: Path,
    *,
    by: str | None = None,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import orders from an `.eml`, an mbox, a Maildir or a `.csv`; safe to run again."""
    by = by or current_user()
    report = ImportReport()
    if path.suffix.lower() == ".csv":
        for order in read_orders_csv(campaign, path):
            added, new = add_order(store, campaign, order, by=by)
            (report.added if new else report.already).append(
                added.number if new else order.source_ref or ""
            )
            if progress:
                progress(added.number, "added" if new else "known")
        return report
    for name, raw in _messages(path):
        import_message(store, campaign, name, raw, report, by)
        if progress:
            progress(name, "done")
    return report


@dataclass(frozen=True)
class ReviewItem:
    id: int
    source_name: str
    sender: str | None
    subject: str | None
    reason: str
    received_at: str
    year: int = 0  # the campaign it came in for
    handled_at: str | None = None  # set once a person dealt with it
    handled_by: str | None = None
    note: str | None = None
    order_number: str | None = None  # the order it became, if it did

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _review_rows(db: sa.Connection, *where: Any) -> list[ReviewItem]:
    handled = order_review_handled
    rows = db.execute(
        sa.select(order_review, handled.c.handled_at, handled.c.handled_by, handled.c.note,
                  handled.c.order_number)
        .select_from(order_review.outerjoin(handled, handled.c.review_id == order_review.c.id))
        .where(*where)
        .order_by(order_review.c.id)
    ).all()
    return [
        ReviewItem(r.id, r.source_name, r.sender, r.subject, r.reason,
                   r.received_at.isoformat(timespec="seconds"), r.year,
                   r.handled_at.isoformat(timespec="seconds") if r.handled_at else None,
                   r.handled_by, r.note, r.order_number)
        for r in rows
    ]


def review_list(store: Store, year: int, *, handled: bool = False) -> list[ReviewItem]:
    """The messages waiting for a person: not an order bluekit could read. With `handled`,
    also those a person has dealt with."""
    where = [order_review.c.year == year]
    if not handled:
        where.append(order_review_handled.c.review_id.is_(None))
    with store.engine.connect() as db:
        return _review_rows(db, *where)


def review_item(store: Store, review_id: int, year: int | None = None) -> ReviewItem:
    """One review item, open or handled; with `year`, only one of that campaign."""
    with store.engine.connect() as db:
        found = _review_rows(db, order_review.c.id == review_id)
    if not found or (year is not None and found[0].year != year):
        raise NotFound(
            f"no review item {review_id}" + (f" for {year}" if year is not None and found else ""),
            hint="`bluekit orders review` lists them",
        )
    return found[0]


def _already_handled(item: ReviewItem) -> ReviewHandled:
    return ReviewHandled(
        f"review item {item.id} was already dealt with ({item.handled_at} by {item.handled_by}"
        + (f" as order {item.order_number}" if item.order_number else "")
        + (f": {item.note}" if item.note else "") + ")",
        hint="`bluekit orders review --all` shows the items dealt with",
    )


class ReviewHandled(OrderError):
    """The review item was dealt with already."""


def resolve_review(
    store: Store, review_id: int, *, year: int | None = None, by: str | None = None,
    note: str | None = None,
) -> ReviewItem:
    """Mark a review item as dealt with (typed in by hand, answered, or no order at all): it
    leaves the open list and keeps its original. Marking it twice is an error."""
    review_item(store, review_id, year)
    with store.transaction() as db:
        done = _claim(db, review_id, by=by, note=note)
    if not done:
        raise _already_handled(review_item(store, review_id))
    return review_item(store, review_id)


def _claim(
    db: sa.Connection, review_id: int, *, by: str | None, note: str | None,
    order_number: str | None = None,
) -> bool:
    """Record that a person dealt with the item; False if someone already did."""
    return insert_ignore(
        db, order_review_handled, review_id=review_id, handled_at=now(),
        handled_by=by or current_user(), note=(note or "").strip() or None,
        order_number=order_number,
    )


def retry_review(
    store: Store, campaign: Campaign, review_id: int, *, by: str | None = None,
    note: str | None = None,
) -> tuple[ReviewItem, str | None]:
    """Read a review item's original again, with the campaign's catalogue and rules as they are
    now (an item code added, say). If it is an order now, it is added and the item marked dealt
    with, in one transaction; returns the item and the order's number, or None when it still is
    no order (the reason is updated). An order is never added twice, nor for an item someone
    dealt with meanwhile."""
    item = review_item(store, review_id, campaign.year)
    if item.handled_at:
        raise _already_handled(item)
    with store.engine.connect() as db:
        row = db.execute(
            sa.select(order_review.c.source_ref, order_review.c.original)
            .where(order_review.c.id == review_id)
        ).one()
    try:
        message = message_from_bytes(bytes(row.original), policy=email.policy.default)
    except Exception as exc:  # as on import: a message too broken to read stays in review
        order, reason = None, f"not readable as an e-mail ({exc.__class__.__name__})"
    else:
        order, reason = _read_order(campaign, message, row.source_ref)  # type: ignore[arg-type]
    if order is None:
        with store.transaction() as db:
            db.execute(order_review.update().where(order_review.c.id == review_id)
                       .values(reason=reason))
        return review_item(store, review_id), None

    def claim(db: sa.Connection, number: str) -> None:
        # in the order's own transaction: if someone marked the item meanwhile (having typed
        # the order in by hand, say), this raises and the order is not added
        if not _claim(db, review_id, by=by, order_number=number,
                      note=note or "imported on a new reading"):
            raise _already_handled(review_item(store, review_id))

    added, _ = add_order(store, campaign, order, by=by, also=claim)
    return review_item(store, review_id), added.number


def review_original(store: Store, review_id: int) -> bytes:
    """The original message of a review item, byte for byte."""
    with store.engine.connect() as db:
        row = db.execute(
            sa.select(order_review.c.original).where(order_review.c.id == review_id)
        ).first()
    if row is None:
        raise NotFound(f"no review item {review_id}", hint="`bluekit orders review` lists them")
    return bytes(row.original)
