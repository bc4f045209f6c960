"""The papers of an order, in the partner's language: the packing slip (PDF, through the same
Typst pipeline as the posters), and the confirmation and shipping e-mails (`.eml`).

They are planned outputs like every other file bluekit makes, written to
`dist/<year>/orders/<number>/`; a document is made again only when its order changed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from email.headerregistry import Address
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bluekit.campaign.model import Campaign
from bluekit.kit import brand
from bluekit.kit.accessibility import ACCESSIBLE, document_info, heart_alt
from bluekit.kit.order_form import order_strings
from bluekit.language import Language, written_date, written_number
from bluekit.ledger.orders import Event, Order, Partner
from bluekit.mail.message import EmailJob, message_id
from bluekit.mail.sender import Outgoing, read_eml
from bluekit.pipeline.jinja_templates import render_html, render_plain
from bluekit.pipeline.jobs import PlannedOutput
from bluekit.pipeline.outputs import write_outputs
from bluekit.pipeline.render import Job
from bluekit.pipeline.report import BuildReport

BRUSSELS = ZoneInfo("Europe/Brussels")

# Which e-mail goes with which step of the order's life.
MAIL_KINDS = {"confirmed": "order-confirmed", "shipped": "order-shipped"}


def _local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(BRUSSELS).date()


def _name(campaign: Campaign, code: str, lang: Language) -> str:
    for m in campaign.materials:
        if m.code == code:
            return m.name[lang]
    return code  # an item dropped from the catalogue after the order: its code says enough


def in_catalogue_order(
    campaign: Campaign, lines: Sequence[tuple[str, int]]
) -> list[tuple[str, int]]:
    """Order lines as the catalogue lists the items (posters, pins, brochures)."""
    rank = {m.code: i for i, m in enumerate(campaign.materials)}
    return sorted(lines, key=lambda line: (rank.get(line[0], len(rank)), line[0]))


_LONG_WORD = re.compile(r"\S{25,}")


def breakable(text: str) -> str:
    """`text` with a break opportunity (a zero-width space) every 20 characters of a very long
    word (a URL, a reference typed without spaces), so that it wraps on the slip instead of
    running off the page."""
    return _LONG_WORD.sub(
        lambda m: "\u200b".join(m[0][i : i + 20] for i in range(0, len(m[0]), 20)), text
    )


def recipient_lines(order: Order) -> list[str]:
    return partner_lines(order.partner)


def partner_lines(p: Partner) -> list[str]:
    """The delivery address as it goes on the slip and in the e-mails, a line each."""
    lines = [p.organisation, p.contact, p.street, f"{p.postcode} {p.city}"]
    return lines + ([p.telephone] if p.telephone else [])


# The slip's address window (packing_slip.typ): 78 mm wide, the text at 10 pt at most; five
# lines of 10 pt take 56 pt of its 85.
WINDOW_WIDTH_PT = 78 / 25.4 * 72
WINDOW_LINES_AT_FULL_SIZE = 5


def address_problem(campaign: Campaign, partner: Partner) -> str | None:
    """Why the delivery address can never be printed in the packing slip's window, or None.
    Checked when an order comes in, not when its papers are made: an address that cannot fit
    would otherwise stop `orders documents` for the whole year. An address whose lines each fit
    the window at full size fits; any other is set as the slip sets it (smaller, wrapped)."""
    from bluekit.pipeline.fonts import text_width
    from bluekit.pipeline.render import TextOverflowError, render

    lines = partner_lines(partner)
    if len(lines) <= WINDOW_LINES_AT_FULL_SIZE and all(
        text_width(line, 10) < WINDOW_WIDTH_PT for line in lines
    ):
        return None
    trial = Order(id=0, number=f"{campaign.year}-0000", year=campaign.year, status="received",
                  partner=partner, lines=[], remarks=None, source="command", source_ref=None,
                  created_at=dt.datetime.now(dt.UTC), municipality=None)
    try:
        render(slip_job(campaign, trial))
    except TextOverflowError as exc:
        return (f"the delivery address does not fit the packing slip's window even in its "
                f"smallest type ({exc.overflow_mm:.1f} mm too long): shorten the organisation, "
                "the contact or the street")
    return None


def slip_job(campaign: Campaign, order: Order) -> Job:
    """The packing slip: who it goes to, what goes in the parcel, boxes to tick; a tagged
    PDF/UA-1 document, so that it can be read aloud too."""
    lang = order.language
    s = order_strings()[lang]
    org = campaign.organisation
    data = {
        "palette": brand.palette_data(),
        "document": document_info(f"{s['slip_title']} {order.number}", org.name[lang]),
        "mark_alt": heart_alt((lang,)),
        "lang": lang,
        "organisation": org.name[lang],
        "sender_lines": [org.address[lang], f"{campaign.contacts.orders} · {org.telephone}"],
        "to_label": s["slip_to"],
        "recipient_lines": [breakable(line) for line in recipient_lines(order)],
        "title": s["slip_title"],
        "order_label": s["slip_order"],
        "number": order.number,
        "date_label": s["slip_date"],
        "date": written_date(_local_day(order.created_at), lang, "long"),
        "code_label": s["slip_code"],
        "item_label": s["slip_item"],
        "quantity_label": s["slip_quantity"],
        "packed_label": s["slip_packed"],
        "rows": [
            {"code": code, "name": _name(campaign, code, lang),
             "quantity": written_number(quantity, lang)}
            for code, quantity in in_catalogue_order(campaign, order.lines)
        ],
        "remarks_label": s["slip_remarks"],
        "remarks": breakable(order.remarks) if order.remarks else None,
        "packed_by_label": s["slip_packed_by"],
        "checked_by_label": s["slip_checked_by"],
        "thanks": s["slip_thanks"],
        "footer": f"{s['campaign']} {campaign.year} · {org.name[lang]} · "
        f"{campaign.contacts.orders}",
    }
    return Job(
        template="packing_slip.typ",
        data=data,
        format="pdf",
        label=f"packing slip {order.number}",
        check_glyphs=("organisation", "recipient_lines", "rows", "remarks", "title"),
        pdf_standards=ACCESSIBLE,
    )


def _step(order: Order, status: str) -> Event | None:
    return next((e for e in reversed(order.history) if e.status == status), None)


def mail_job(campaign: Campaign, order: Order, status: str) -> EmailJob:
    """The e-mail for a step of the order ("confirmed" or "shipped"), to the partner."""
    lang = order.language
    s = order_strings()[lang]
    step = _step(order, status)
    if step is None:
        raise ValueError(f"order {order.number} was never {status}")
    values = {
        "number": order.number,
        # without the weekday: "vom 1. Dezember 2026 erhalten" needs no commas around it
        "date": written_date(
            _local_day(order.created_at if status == "confirmed" else step.at), lang, "long"
        ),
        "carrier": step.carrier or "",
        "tracking": step.tracking or "",
        "contact": order.partner.contact,
    }
    subject = s[f"mail_{status}_subject"].format(**values)
    context = {
        "lang": lang,
        "subject": subject,
        "greeting": s["mail_greeting"].format(**values),
        "body": s[f"mail_{status}_body"].format(**values),
        "tracking": s["mail_tracking"].format(**values) if status == "shipped" and step.tracking
        else "",
        "contents_label": s["mail_contents"],
        "lines": [
            {"code": code, "name": _name(campaign, code, lang),
             "quantity": written_number(quantity, lang)}
            for code, quantity in in_catalogue_order(campaign, order.lines)
        ],
        "address_label": s["mail_address"],
        "address": recipient_lines(order),
        "questions": s["mail_questions"].format(orders=campaign.contacts.orders),
        "closing": s["mail_closing"],
        "organisation": campaign.organisation.name[lang],
        "signature": f"{s['campaign']} · {campaign.contacts.orders} · "
        f"{campaign.organisation.telephone}",
        "colours": {k: c.rgb for k, c in brand.PALETTE.items()},
    }
    sender = f"{campaign.organisation.name[lang]} – {s['campaign']} <{campaign.contacts.orders}>"
    headers = (
        ("From", sender),
        ("To", str(Address(order.partner.contact, addr_spec=order.partner.email))),
        ("Reply-To", campaign.contacts.orders),
        ("Subject", subject),
        ("Message-ID", message_id(campaign, MAIL_KINDS[status], order.number)),
        ("Content-Language", lang),
    )
    return EmailJob(
        headers=headers,
        text=render_plain("order_email.txt.j2", **context),
        html=render_html("order_email.html.j2", **context),
        attachments=(),
        date=step.at,
        label=f"{status} e-mail {order.number}",
    )


def order_folder(order: Order) -> str:
    return f"orders/{order.number}"


def plan_order_documents(campaign: Campaign, orders: Sequence[Order]) -> list[PlannedOutput]:
    """Per order: the packing slip, and the e-mail of each step it has reached."""
    planned = []
    for order in orders:
        folder = order_folder(order)
        if order.status != "cancelled":
            planned.append(
                PlannedOutput(f"{folder}/packing-slip-{order.number}.pdf",
                              slip_job(campaign, order))
            )
        for status in MAIL_KINDS:
            if _step(order, status) is not None and order.status != "cancelled":
                planned.append(
                    PlannedOutput(f"{folder}/{status}-{order.number}.eml",
                                  mail_job(campaign, order, status))
                )
    return planned


def write_order_documents(
    campaign: Campaign, orders: Sequence[Order], out_dir: Path, **options: Any
) -> BuildReport:
    """Make (or bring up to date) the documents of these orders in `out_dir`."""
    return write_outputs(plan_order_documents(campaign, orders), out_dir, **options)


def order_messages(
    campaign: Campaign, orders: Sequence[Order], out_dir: Path, status: str
) -> list[Outgoing]:
    """The written e-mails of one step ("confirmed" or "shipped") for the orders that reached
    it, to hand to `mail.send_messages` (whose journal keys them by order number)."""
    write_order_documents(campaign, orders, out_dir)
    return [
        Outgoing(
            code=order.number,
            name=order.partner.organisation,
            email=order.partner.email,
            message=read_eml(out_dir / order_folder(order) / f"{status}-{order.number}.eml"),
        )
        for order in orders
        if order.status != "cancelled" and _step(order, status) is not None
    ]
