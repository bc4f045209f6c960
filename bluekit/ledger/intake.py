"""Bringing orders in: from e-mails (one `.eml`, an mbox, a Maildir) and from a CSV.

Every message is read on its own and committed on its own (the rows of a CSV a few hundred to
a transaction): an import that is interrupted keeps what it finished, and running it again
skips what it already has (by Message-ID, or by the
message's digest when it has none), so nothing is ever added twice. A message that is not a
readable order is never dropped: it goes to the review list with the reason and the original.
"""

from __future__ import annotations

import email.policy
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from email import message_from_bytes
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bluekit.campaign.model import Campaign
from bluekit.files.tables import WORKBOOK_SUFFIXES
from bluekit.ledger.order_entry import add_order, add_orders, known_refs
from bluekit.ledger.order_mail import message_ref, messages_in, raw_ref, read_order
from bluekit.ledger.orders import current_user
from bluekit.ledger.orders_csv import read_orders_csv
from bluekit.ledger.review import to_review
from bluekit.store.database import Store
from bluekit.store.tables import order_review, orders


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


def _known(store: Store, ref: str) -> bool:
    with store.engine.connect() as db:
        return bool(
            db.execute(sa.select(orders.c.id).where(orders.c.source_ref == ref)).first()
            or db.execute(
                sa.select(order_review.c.id).where(order_review.c.source_ref == ref)
            ).first()
        )


def import_message(
    store: Store, campaign: Campaign, name: str, raw: bytes, report: ImportReport, by: str
) -> None:
    """Import one e-mail: an order, a known message (nothing happens) or a case for review.
    Whatever fails in reading it sends it to review, and the import goes on with the next."""
    try:
        message = message_from_bytes(raw, policy=email.policy.default)
        ref = message_ref(raw, message)
    except Exception as exc:  # a message too broken to read its headers still goes to review
        to_review(store, campaign.year, raw_ref(raw), name, None, raw,
                  f"not readable as an e-mail ({exc.__class__.__name__})")
        report.review.append((name, "not readable as an e-mail"))
        return
    if _known(store, ref):
        report.already.append(ref)
        return
    try:
        order, reason = read_order(campaign, message, ref)
    except Exception as exc:  # what no reader foresaw, e.g. an encoded line break in From:
        order, reason = None, f"not readable as an order ({exc.__class__.__name__}: {exc})"
    if order is not None:
        added, new = add_order(store, campaign, order, by=by)
        (report.added.append(added.number) if new else report.already.append(ref))
        return
    to_review(store, campaign.year, ref, name, message, raw, reason)
    report.review.append((name, reason))


def import_orders(
    store: Store,
    campaign: Campaign,
    path: Path,
    *,
    by: str | None = None,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import orders from an `.eml`, an mbox, a Maildir, a `.csv` or an `.xlsx`; safe to run
    again."""
    by = by or current_user()
    report = ImportReport()
    if path.suffix.lower() in (".csv", *WORKBOOK_SUFFIXES):
        # every new row checked, or nothing imported; rows imported before are skipped
        known: dict[str, str] = {}

        def look_up(refs: list[str]) -> Collection[str]:
            with store.reading() as db:
                known.update(known_refs(db, refs))
            return known.keys()

        rows = read_orders_csv(campaign, path, known=look_up)
        for number, new, order in add_orders(store, campaign, rows, by=by, checked=True,
                                             known=known):
            (report.added if new else report.already).append(
                number if new else order.source_ref or ""
            )
            if progress:
                progress(number, "added" if new else "known")
        return report
    for name, raw in messages_in(path):
        import_message(store, campaign, name, raw, report, by)
        if progress:
            progress(name, "done")
    return report
