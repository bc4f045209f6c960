"""The checks of an incoming order, before it is added: every field of the partner, every line
against the campaign's catalogue.

Whatever the source (a command, a CSV row, an e-mail), the same checks apply, and each problem
is worded so that a partner's mail can be answered with it.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from bluekit.campaign.model import Campaign
from bluekit.language import LANGUAGES
from bluekit.ledger.orders import SOURCES, NewOrder, Partner
from bluekit.municipalities import registry

SINGLE_LINE = ("organisation", "contact", "email", "telephone", "street", "postcode", "city",
               "language")
MAX_QUANTITY = 1_000_000
# Control characters (the ASCII line breaks, U+0085 NEXT LINE among them) and Unicode's own line
# and paragraph separators (U+2028, U+2029): none belongs in a one-line field.
LINE_BREAKING = ("Cc", "Zl", "Zp")


def ascii_email(address: str) -> str:
    """The address as every mail server takes it: an accented domain in its ASCII form
    (liège.be -> xn--lige-6oa.be); accents before the @ are refused."""
    return validate_email(
        address.strip(), check_deliverability=False, allow_smtputf8=False
    ).ascii_email or address.strip()


def problems_of(campaign: Campaign, order: NewOrder) -> list[str]:
    """Everything wrong with an incoming order, in words a partner's mail can be answered with."""
    problems = _text_problems(order)
    problems += _contact_problems(order.partner)
    problems += _line_problems(campaign, order)
    if order.source not in SOURCES:
        problems.append(f"source {order.source!r} is not one of {', '.join(SOURCES)}")
    if not problems:  # only a complete address is worth setting on the slip
        from bluekit.ledger.documents import address_problem  # Typst: only when needed

        problem = address_problem(campaign, order.partner)
        problems += [problem] if problem else []
    return problems


def _text_problems(order: NewOrder) -> list[str]:
    """Fields left empty, and texts that hold a line break or what the packing slip cannot
    print."""
    from bluekit.pipeline.fonts import unprintable

    problems: list[str] = []
    p = order.partner
    for name in ("organisation", "contact", "email", "street", "postcode", "city"):
        if not getattr(p, name).strip():
            problems.append(f"{name} is missing")
    texts = {name: getattr(p, name) or "" for name in SINGLE_LINE}
    for name, value in texts.items():
        if any(unicodedata.category(c) in LINE_BREAKING for c in value):
            problems.append(f"{name} holds a line break or a control character: {value!r}")
    for name, value in [*texts.items(), ("remarks", order.remarks or "")]:
        missing = unprintable(value)
        if missing:
            problems.append(f"{name} holds {', '.join(repr(c) for c in missing)}, which the "
                            "packing slip cannot print")
    return problems


def _contact_problems(p: Partner) -> list[str]:
    """The e-mail address, the postcode, the telephone number and the language."""
    problems: list[str] = []
    if p.email.strip():
        try:
            ascii_email(p.email)
        except EmailNotValidError as exc:
            problems.append(f"e-mail {p.email!r} is not valid ({exc})")
    if p.postcode.strip():
        if not re.fullmatch(r"\d{4}", p.postcode.strip()):
            problems.append(f"postcode {p.postcode!r} is not a Belgian postcode (4 digits)")
        elif registry.by_postcode(p.postcode) is None:
            problems.append(f"postcode {p.postcode} does not exist in Belgium")
    if p.telephone:
        try:
            number = phonenumbers.parse(p.telephone, "BE")
            valid = phonenumbers.is_valid_number(number)
        except phonenumbers.NumberParseException:
            valid = False
        if not valid:
            problems.append(f"telephone {p.telephone!r} is not a valid number")
    if p.language not in LANGUAGES:
        problems.append(f"language {p.language!r} is not one of {', '.join(LANGUAGES)}")
    return problems


def _line_problems(campaign: Campaign, order: NewOrder) -> list[str]:
    """Items not in the catalogue or listed twice, quantities out of bounds, no item at all."""
    problems: list[str] = []
    catalogue = {m.code for m in campaign.materials}
    seen: set[str] = set()
    for item, quantity in order.lines:
        if item not in catalogue:
            problems.append(f"item {item!r} is not in the {campaign.year} catalogue")
        if item in seen:
            problems.append(f"item {item} is listed twice")
        seen.add(item)
        if quantity <= 0:
            problems.append(f"{item}: the quantity must be at least 1 (got {quantity})")
        elif quantity > MAX_QUANTITY:
            problems.append(f"{item}: {quantity} is more than {MAX_QUANTITY:,} (a typing error?)")
    if not order.lines:
        problems.append("no item ordered")
    return problems
