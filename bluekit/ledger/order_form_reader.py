"""Reading a filled-in order form back out of an e-mail or a text, in any of the four languages.

The labels are those that wrote the form (`bluekit.kit.order_form`); a reply, a forward with
"> " quoting or an HTML mail converted to text still parses, and anything not understood is
named, so the message goes to review rather than a guess being ordered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from bluekit.campaign.model import Campaign
from bluekit.kit.order_form import FIELDS, REQUIRED, order_strings
from bluekit.language import LANGUAGES
from bluekit.ledger.orders import NewOrder, Partner
from bluekit.municipalities.registry import fold


@dataclass
class ParsedForm:
    """What was read from a form; `problems` empty means it is a complete order."""

    order: NewOrder | None = None
    form_language: str | None = None
    problems: list[str] = field(default_factory=list)


def label_key(text: str) -> str:
    """'Taal (nl, fr, de of en)' and 'taal' read the same."""
    return fold(re.sub(r"\(.*?\)", "", text))


@cache
def form_labels() -> dict[str, str]:
    """Folded label in any language -> field name."""
    result: dict[str, str] = {}
    for strings in order_strings().values():
        for name in (*FIELDS, "remarks"):
            result[label_key(strings[f"label_{name}"])] = name
    return result


def _name_pattern(name: str) -> str:
    """A campaign name as a form may come back: any run of spaces, and 'oe' for 'œ' (a mail
    program that drops the ligature)."""
    return r"\s+".join(re.escape(word).replace("œ", "(?:œ|oe)") for word in name.split())


def _start_pattern() -> re.Pattern[str]:
    titles = "|".join(re.escape(s["form_title"]) for s in order_strings().values())
    # the campaign's name in any language; forms sent before it was translated say Blue Heart
    names = {"Blue Heart", *(s["campaign"] for s in order_strings().values())}
    campaign = "|".join(_name_pattern(n) for n in sorted(names))
    return re.compile(
        rf"^=+\s*(?:{campaign})\s+(\d{{4}})\s*[–-]\s*({titles})\s*=+$", re.I
    )


def _end_pattern() -> re.Pattern[str]:
    ends = "|".join(re.escape(s["form_end"]) for s in order_strings().values())
    return re.compile(rf"^=+\s*({ends})\s*=+$", re.I)


_QUOTE = re.compile(r"^(\s*>)+\s?")
# A whole number, with thousands written 1.000 or 1 000, optionally followed by a unit word.
# Anything else (1,000 - a decimal comma in Belgium -, 2 x 50, 10-20, 1.5) is not a quantity:
# the message goes to review rather than a guess being ordered.
_QUANTITY = re.compile(r"^(\d{1,3}(?:[.\u00a0\u202f ]\d{3})+|\d+)\s*(?P<unit>[^\d\s].*)?$")
UNITS = frozenset({
    "st", "st.", "stuk", "stuks", "ex", "ex.", "exemplaar", "exemplaren", "pièce", "pièces",
    "pc", "pcs", "exemplaire", "exemplaires", "stück", "exemplar", "exemplare", "piece",
    "pieces", "copy", "copies",
})
_EMAIL = re.compile(r"[^\s<>:;,]+@[^\s<>:;,]+\.[^\s<>:;,]+")
_ITEM_LIKE = re.compile(r"^[A-Z0-9]+(?:-[A-Z0-9]+)+\b")


def find_form(text: str) -> tuple[list[str], str | None, int | None] | None:
    """The lines of the first form block in a text (quoting removed), its language and year;
    None if there is no start marker."""
    start, end = _start_pattern(), _end_pattern()
    lines = [_QUOTE.sub("", line).rstrip() for line in text.splitlines()]
    for index, line in enumerate(lines):
        found = start.match(line.strip())
        if not found:
            continue
        title = found.group(2).casefold()
        lang = next(k for k, s in order_strings().items() if s["form_title"].casefold() == title)
        block: list[str] = []
        for inner in lines[index + 1 :]:
            if end.match(inner.strip()):
                return block, lang, int(found.group(1))
            block.append(inner)
        return block, lang, None  # no end marker: cut off (a reply that trimmed it)
    return None


def parse_quantity(value: str) -> int | None:
    """'20', '1.000', '1 000', '20 stuks' -> the number; '' or 0 -> None; anything else (a
    decimal, a range, '2 x 50', '1,000') raises ValueError."""
    value = value.strip()
    if value.isascii() and value.isdigit():  # nearly always: a plain number
        return int(value) or None
    if not value or value in {"-", "–", "0"}:
        return None
    found = _QUANTITY.match(value)
    if not found or (found["unit"] and found["unit"].strip().casefold() not in UNITS):
        raise ValueError(value)
    return int(re.sub(r"\D", "", found.group(1))) or None


def parse_form(campaign: Campaign, text: str, *, sender: str | None = None) -> ParsedForm:
    """Read an order out of a text holding a filled-in form (in any of the four languages).

    `sender` (the e-mail's From address) fills in an e-mail left empty on the form."""
    found = find_form(text)
    if found is None:
        return ParsedForm(problems=[
            "no order form found (the line '=== Blue Heart 2024 – order form ===' or its "
            "translation)"
        ])
    block, form_lang, year = found
    result = ParsedForm(form_language=form_lang)
    if year is None:
        result.problems.append("the form's end line ('=== … ===') is missing")
    elif year != campaign.year:
        result.problems.append(f"the form is for {year}, not for {campaign.year}")
    values, lines, remarks = _read_block(campaign, block, result.problems)
    for name in REQUIRED:
        if not values.get(name):
            label = order_strings()[form_lang or "en"][f"label_{name}"]
            result.problems.append(f"{label} is empty")
    # "an@x.be <mailto:an@x.be>", as mail programs turn addresses into links: the address only
    found_email = _EMAIL.search(values.get("email", ""))
    email = found_email.group(0) if found_email else (values.get("email") or sender or "")
    if not email:
        result.problems.append("no e-mail address (on the form or as sender)")
    language = (values.get("language") or form_lang or "").strip().lower()[:2]
    if language not in LANGUAGES:
        result.problems.append(f"language {values.get('language')!r} is not nl, fr, de or en")
    if not lines:
        result.problems.append("no quantity filled in for any item")
    if result.problems:
        return result
    result.order = NewOrder(
        partner=Partner(
            organisation=values["organisation"],
            contact=values["contact"],
            email=email,
            street=values["street"],
            postcode=values["postcode"],
            city=values["city"],
            language=language,
            telephone=values.get("telephone") or None,
        ),
        lines=tuple(lines),
        remarks="\n".join(remarks).strip() or None if remarks is not None else None,
    )
    return result


def _read_block(
    campaign: Campaign, block: list[str], problems: list[str]
) -> tuple[dict[str, str], list[tuple[str, int]], list[str] | None]:
    """The fields, the order lines and the remarks' lines (None: no remarks label) of a form
    block; what is not understood is added to `problems`."""
    catalogue = {m.code: m for m in campaign.materials}
    values: dict[str, str] = {}
    lines: list[tuple[str, int]] = []
    remarks: list[str] | None = None
    for raw in block:
        line = raw.strip()
        if remarks is not None:  # everything after "Remarks:" belongs to the remarks
            remarks.append(raw.rstrip())
            continue
        if not line or (line.endswith(":") and label_key(line[:-1]) in _items_headings()):
            continue
        label, colon, value = line.partition(":")
        code = label.split("(")[0].strip().upper()
        if colon and code in catalogue:
            try:
                quantity = parse_quantity(value)
            except ValueError:
                problems.append(f"{code}: {value.strip()!r} is not a quantity")
                continue
            if quantity:
                lines.append((code, quantity))
            continue
        name = form_labels().get(label_key(label)) if colon else None
        if name == "remarks":
            remarks = [value.strip()] if value.strip() else []
        elif name:
            values[name] = value.strip()
        elif _ITEM_LIKE.match(label.strip()):
            problems.append(f"{label.split('(')[0].strip()} is not an item of the "
                            f"{campaign.year} catalogue")
        else:
            problems.append(f"line not understood: {line!r}")
    return values, lines, remarks


@cache
def _items_headings() -> frozenset[str]:
    return frozenset(label_key(s["form_items"].rstrip(":")) for s in order_strings().values())
