"""The checks of an incoming order, before it is added: every field of the partner, every line
against the campaign's catalogue.

Whatever the source (a command, a CSV row, an e-mail), the same checks apply, and each problem
is worded so that a partner's mail can be answered with it.
"""

from __future__ import annotations

import functools
import re

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from bluekit.campaign.model import Campaign
from bluekit.language import LANGUAGES
from bluekit.ledger.orders import SOURCES, NewOrder, Partner
from bluekit.municipalities import registry

SINGLE_LINE = ("organisation", "contact", "email", "telephone", "street", "postcode", "city",
               "language")
MAX_QUANTITY = 1_000_000


# The plain form nearly every address has before its @ (RFC 5322's dot-atom in ASCII), which
# email_validator accepts as it is; any other goes through email_validator whole.
_PLAIN_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
# Control characters (Unicode's category Cc, U+0000 to U+001F and U+007F to U+009F: the ASCII
# line breaks, U+0085 NEXT LINE among them) and Unicode's own line and paragraph separators
# (categories Zl and Zp, U+2028 and U+2029): none belongs in a one-line field.
_LINE_BREAKING = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def ascii_email(address: str) -> str:
    """The address as every mail server takes it: an accented domain in its ASCII form
    (liège.be -> xn--lige-6oa.be); accents before the @ are refused."""
    address = address.strip()
    local, at, domain = address.rpartition("@")
    if at and len(local) <= 64 and len(address) <= 254 and _PLAIN_LOCAL.fullmatch(local):
        # the domain is checked once per import, not once per order (10,000 orders from a
        # few hundred municipalities' domains)
        return f"{local}@{_ascii_domain(domain)}"
    return _validated(address)


def _validated(address: str) -> str:
    return validate_email(
        address, check_deliverability=False, allow_smtputf8=False
    ).ascii_email or address


@functools.lru_cache(maxsize=4096)
def _ascii_domain(domain: str) -> str:
    return _validated(f"postmaster@{domain}").rpartition("@")[2]


@functools.lru_cache(maxsize=4096)
def _valid_telephone(value: str) -> bool:
    try:
        return bool(phonenumbers.is_valid_number(phonenumbers.parse(value, "BE")))
    except phonenumbers.NumberParseException:
        return False


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
    # each check once over all the fields, and field by field only when it finds something
    if _LINE_BREAKING.search("".join(texts.values())):
        for name, value in texts.items():
            if _LINE_BREAKING.search(value):
                problems.append(f"{name} holds a line break or a control character: {value!r}")
    texts["remarks"] = order.remarks or ""
    if unprintable("".join(texts.values())):
        for name, value in texts.items():
            missing = unprintable(value)
            if missing:
                problems.append(f"{name} holds {', '.join(repr(c) for c in missing)}, which "
                                "the packing slip cannot print")
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
    if p.telephone and not _valid_telephone(p.telephone):
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
