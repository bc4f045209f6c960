"""The contacts CSV: who to write to in each municipality, kept by staff in Excel.

Excel in Belgium saves CSV as UTF-8 with a byte-order mark and `;` between fields; bluekit reads
that (and also `,`), and writes it the same way so a round trip through Excel changes nothing.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from email_validator import EmailNotValidError, validate_email

from bluekit.errors import InputFileError, Location, Problem, ValidationFailed
from bluekit.files.atomic import write_atomic
from bluekit.files.excel_csv import excel_csv
from bluekit.files.tables import read_table
from bluekit.language import LANGUAGES
from bluekit.municipalities import registry

COLUMNS = ("refnis", "municipality", "email", "addressee", "street", "postcode", "city", "language")
REQUIRED_COLUMNS = ("refnis", "email")
# Optional columns for a municipality written to in two languages: `addressee_fr`, `street_nl`,
# `city_fr`... give the letter in that language its own wording ("Collège communal" in the French
# letter to Eupen, "Place Exemple 1, 1030 Schaerbeek" in the French one to Schaarbeek).
LOCALISED = ("addressee", "street", "city")
LOCALISED_COLUMNS = tuple(f"{name}_{lang}" for name in LOCALISED for lang in LANGUAGES)


@dataclass(frozen=True)
class Contact:
    """The invitation addressee of one municipality."""

    code: str
    email: str
    addressee: str = ""
    street: str = ""
    postcode: str = ""
    city: str = ""
    languages: tuple[str, ...] = ()  # empty: use the municipality's language regime
    # ((field, language, text), ...) from the optional columns such as `addressee_fr`
    localised: tuple[tuple[str, str, str], ...] = ()

    def in_language(self, name: str, lang: str) -> str:
        """The addressee, street or city for the letter in `lang`: its own column
        (`addressee_fr`) if filled in, else the common one."""
        for field, language, text in self.localised:
            if field == name and language == lang:
                return text
        return str(getattr(self, name))

    def addressee_in(self, lang: str, main: str) -> str:
        """The addressee of the letter in `lang` when the contacts file gives one: its own
        column (`addressee_fr`), else the common column, but only for the letter in the main
        language `main`, in which that column is written (the common "Gemeindekollegium" must
        not head the French letter to Eupen); '' when the file gives none."""
        for field, language, text in self.localised:
            if field == "addressee" and language == lang:
                return text
        return self.addressee if lang == main else ""

    def languages_for(self, municipality: registry.Municipality) -> tuple[str, ...]:
        """The language(s) to write in: the override if set, else the municipality's regime."""
        return self.languages or municipality.languages


def read_contacts(path: Path) -> dict[str, Contact]:
    """Read a contacts CSV (or `.xlsx`) into REFNIS code -> Contact; every bad row is reported
    at once."""
    table = read_table(
        path, missing_hint="create one with `bluekit municipalities template --out contacts.csv`"
    )
    _check_header(path, table.names)
    contacts: dict[str, Contact] = {}
    first_row: dict[str, int] = {}
    problems: list[Problem] = []
    for line, values in table.records():
        if not any(values.values()):
            continue
        found = _contact_of_row(values, path, line, first_row)
        if isinstance(found, Problem):
            problems.append(found)
        elif found is not None:
            contacts[found.code] = found
    if problems:
        raise ValidationFailed(path, problems, what="contacts file")
    return contacts


def _check_header(path: Path, header: list[str]) -> None:
    """Refuse a file without the required columns or with a misspelt column for one language."""
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise InputFileError(
            f"{path}:1: missing column(s) {', '.join(missing)}",
            hint=f"the first row must name the columns: {';'.join(COLUMNS)}",
        )
    # A column meant for one language but misspelt (`adressee_fr`) would be ignored without a
    # word, and the letter would go out with the common wording: refuse it.
    for column in header:
        if re.fullmatch(r"[a-z]+_(nl|fr|de|en)", column or "") and column not in LOCALISED_COLUMNS:
            close = difflib.get_close_matches(column, LOCALISED_COLUMNS, n=1)
            raise InputFileError(
                f"{path}:1: unknown column {column!r}"
                + (f" (did you mean {close[0]!r}?)" if close else ""),
                hint="the columns for one language are addressee_, street_ and city_ followed "
                "by nl, fr, de or en",
            )


def _contact_of_row(
    values: dict[str, str], path: Path, line: int, first_row: dict[str, int]
) -> Contact | Problem | None:
    """The contact one row gives, the problem that keeps it from giving one, or None for a
    template row nobody has filled in yet. Notes the row's line under its code in `first_row`,
    so a second row for the same municipality is refused."""
    where = Location(path, line)
    code = values.get("refnis", "")
    municipality = registry.by_code(code)
    if municipality is None:
        return Problem(
            where,
            f"unknown REFNIS code {code!r}" if code else "the REFNIS code is empty",
            "refnis",
            "use the 5-digit code of `bluekit municipalities list` (Excel may drop a "
            "leading zero: format the column as text)",
        )
    if code in first_row:
        return Problem(
            where,
            f"{municipality.display_name} ({code}) already has a row on line {first_row[code]}",
            "refnis",
            "keep one row per municipality",
        )
    first_row[code] = line
    # only bluekit's own columns count: a template row with just a note of one's own in an
    # extra column is still a row nobody has filled in
    if not any(values.get(c, "") for c in (*COLUMNS[2:], *LOCALISED_COLUMNS)):
        return None
    email = values.get("email", "")
    try:
        email = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        return Problem(where, f"invalid e-mail address {email!r}: {exc}", "email")
    languages = _languages(values.get("language", ""))
    unknown = [lang for lang in languages if lang not in LANGUAGES]
    if unknown:
        return Problem(
            where,
            f"unknown language {unknown[0]!r}",
            "language",
            "leave empty for the municipality's own language(s), or write nl, fr, de, "
            "en, or two joined with + (nl+fr)",
        )
    return _contact(code, email, languages, values)


def _languages(text: str) -> tuple[str, ...]:
    """'nl+fr', 'NL/FR' or 'nl, fr' -> ('nl', 'fr'); empty -> ()."""
    return tuple(
        part.strip().lower()
        for part in text.replace("+", ",").replace("/", ",").split(",")
        if part.strip()
    )


def _contact(code: str, email: str, languages: tuple[str, ...], values: dict[str, str]) -> Contact:
    """The Contact of a checked row, with the wording of its per-language columns."""
    return Contact(
        code=code,
        email=email,
        addressee=values.get("addressee", ""),
        street=values.get("street", ""),
        postcode=values.get("postcode", ""),
        city=values.get("city", ""),
        languages=languages,
        localised=tuple(
            (name, lang, values[f"{name}_{lang}"])
            for name in LOCALISED
            for lang in LANGUAGES
            if values.get(f"{name}_{lang}")
        ),
    )


def contacts_csv(rows: list[dict[str, str]]) -> bytes:
    """Rows as Excel-for-Belgium CSV: UTF-8 with BOM, `;` separated, CRLF line ends; the
    per-language columns (`addressee_fr`...) only when a row fills one in."""
    columns = COLUMNS + tuple(c for c in LOCALISED_COLUMNS if any(row.get(c) for row in rows))
    return excel_csv(columns, ([row.get(c, "") for c in columns] for row in rows))


def write_contacts(path: Path, contacts: dict[str, Contact]) -> None:
    """Write contacts back in Excel's dialect, sorted by REFNIS code."""
    rows = []
    for code in sorted(contacts):
        c = contacts[code]
        municipality = registry.by_code(code)
        rows.append(
            {
                "refnis": c.code,
                "municipality": municipality.local_name if municipality else "",
                "email": c.email,
                "addressee": c.addressee,
                "street": c.street,
                "postcode": c.postcode,
                "city": c.city,
                "language": "+".join(c.languages),
            }
            | {f"{name}_{lang}": text for name, lang, text in c.localised}
        )
    write_atomic(path, contacts_csv(rows))


def write_template(path: Path, *, overwrite: bool = False) -> int:
    """A contacts CSV listing every municipality with empty contact columns; returns the count."""
    if path.exists() and not overwrite:
        raise InputFileError(
            f"{path} already exists", hint="choose another file name or pass --force"
        )
    rows = [{"refnis": m.code, "municipality": m.local_name} for m in registry.municipalities()]
    write_atomic(path, contacts_csv(rows))
    return len(rows)
