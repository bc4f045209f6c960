"""Replies to the invitations: recording them, importing them from a CSV, and where they stand.

A reply is recorded per municipality and campaign year (a later reply replaces an earlier one,
so recording or importing twice never duplicates). Status counts come from the send journal
(who was invited) and the replies; the list of blue buildings made from them for the press is
`lighting_report.py`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from bluekit.errors import BluekitError, InputFileError, Location, Problem, ValidationFailed
from bluekit.files.tables import read_table
from bluekit.municipalities import registry
from bluekit.municipalities.registry import Municipality
from bluekit.store.database import Store
from bluekit.store.tables import now, replies, sends

_TIME = re.compile(r"^([01]?\d|2[0-3])[:.hu]([0-5]\d)$")
YES = {"accepted", "yes", "ja", "oui", "y", "1", "true", "accepte", "accepté", "akzeptiert"}
NO = {"declined", "no", "nee", "neen", "non", "nein", "n", "0", "false", "refuse", "refusé"}


class ReplyError(InputFileError):
    """A reply cannot be recorded as given."""


def parse_time(value: str | None, what: str) -> str | None:
    """'21:00', '21.00', '21u00', '21h00' -> '21:00'."""
    if value is None or not value.strip():
        return None
    match = _TIME.match(value.strip())
    if not match:
        raise ReplyError(f"{what} {value!r} is not a time", hint="write it as HH:MM, e.g. 21:30")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


@dataclass(frozen=True)
class Reply:
    municipality: Municipality
    accepted: bool
    building: str | None = None
    lit_from: str | None = None
    lit_until: str | None = None
    reason: str | None = None


def check_reply(reply: Reply) -> None:
    if reply.accepted and not (reply.building and reply.building.strip()):
        raise ReplyError(
            f"{reply.municipality.display_name}: an acceptance needs the building",
            hint='add --building "Stadhuis" (the building that will be lit)',
        )
    if not reply.accepted and (reply.building or reply.lit_from or reply.lit_until):
        raise ReplyError(
            f"{reply.municipality.display_name}: a refusal has no building or hours",
            hint="leave --building, --from and --until out, or record --accepted",
        )


def record(store: Store, year: int, reply: Reply, *, source: str = "command line") -> None:
    """Record (or replace) a municipality's answer for the year."""
    check_reply(reply)
    with store.transaction() as db:
        _upsert(db, year, reply, source)


def _upsert(db: Connection, year: int, reply: Reply, source: str) -> None:
    values = {
        "accepted": reply.accepted,
        "building": reply.building.strip() if reply.building else None,
        "lit_from": reply.lit_from,
        "lit_until": reply.lit_until,
        "reason": reply.reason,
        "source": source,
        "recorded_at": now(),
    }
    key = (replies.c.year == year, replies.c.code == reply.municipality.code)
    if db.execute(sa.select(replies.c.code).where(*key)).first():
        db.execute(replies.update().where(*key).values(**values))
    else:
        db.execute(replies.insert().values(year=year, code=reply.municipality.code, **values))


def read_replies_csv(path: Path) -> list[Reply]:
    """Replies gathered in Excel: `refnis;status;building;from;until;reason` (a name works in
    place of the code; `,` also accepted; or the same columns in an `.xlsx`). Every bad row is
    reported with its line."""
    table = read_table(path)
    missing = {"refnis", "status"} - set(table.names)
    if missing:
        raise InputFileError(
            f"{path}:1: missing column(s) {', '.join(sorted(missing))}",
            hint="columns: refnis;status;building;from;until;reason",
        )
    found: list[Reply] = []
    problems: list[Problem] = []
    for line, values in table.records():
        if not any(values.values()):
            continue
        try:
            municipality = registry.find(values.get("refnis", ""))
            status = values.get("status", "").lower()
            if status not in YES | NO:
                raise ReplyError(
                    f"status {status!r} is neither accepted nor declined",
                    hint="write accepted or declined (ja/nee, oui/non work too)",
                )
            reply = Reply(
                municipality,
                accepted=status in YES,
                building=values.get("building") or None,
                lit_from=parse_time(values.get("from"), "from"),
                lit_until=parse_time(values.get("until"), "until"),
                reason=values.get("reason") or None,
            )
            check_reply(reply)
        except BluekitError as exc:  # unknown municipality, bad status or time
            problems.append(Problem(Location(path, line), exc.message, hint=exc.hint))
            continue
        found.append(reply)
    if problems:
        raise ValidationFailed(path, problems, what="replies file")
    return found


def import_replies(store: Store, year: int, path: Path) -> int:
    """Import a replies CSV in one transaction (all or nothing); returns the number of rows."""
    found = read_replies_csv(path)
    with store.transaction() as db:
        for reply in found:
            _upsert(db, year, reply, f"import {path.name}")
    return len(found)


def invited_codes(store: Store, year: int) -> set[str]:
    with store.transaction() as db:
        rows = db.execute(
            sa.select(sends.c.code).where(
                sends.c.year == year, sends.c.kind == "invitation", sends.c.status == "sent"
            )
        )
        return {r.code for r in rows}


def all_replies(store: Store, year: int) -> dict[str, Row[Any]]:
    with store.transaction() as db:
        rows = db.execute(sa.select(replies).where(replies.c.year == year))
        return {r.code: r for r in rows}


def area_of(m: Municipality) -> str:
    """The province's short Dutch/French name, or Brussels."""
    if m.province_nl is None:
        return "Brussel / Bruxelles"
    nl = registry.province_short_name(m.province_nl)
    fr = registry.province_short_name(m.province_fr or m.province_nl)
    return nl if nl == fr else f"{nl} / {fr}"


def status(store: Store, year: int) -> dict[str, Any]:
    """Invited / accepted / declined / no answer, overall, per region and per province."""
    invited = invited_codes(store, year)
    answered = all_replies(store, year)
    codes = invited | set(answered)

    def empty() -> dict[str, int]:
        return {"invited": 0, "accepted": 0, "declined": 0, "no_answer": 0}

    total = empty()
    by_region: dict[str, dict[str, int]] = {}
    by_area: dict[str, dict[str, int]] = {}
    for code in sorted(codes):
        m = registry.by_code(code)
        assert m is not None
        reply = answered.get(code)
        key = "no_answer" if reply is None else ("accepted" if reply.accepted else "declined")
        for bucket in (
            total,
            by_region.setdefault(m.region, empty()),
            by_area.setdefault(area_of(m), empty()),
        ):
            bucket["invited"] += code in invited
            bucket[key] += 1
    return {
        "year": year,
        "total": total,
        "regions": by_region,
        "provinces": dict(sorted(by_area.items())),
    }


def participating(store: Store, year: int) -> list[tuple[Municipality, Row[Any]]]:
    """The accepted replies, by province then municipality name."""
    rows = []
    for code, reply in all_replies(store, year).items():
        if reply.accepted:
            m = registry.by_code(code)
            assert m is not None
            rows.append((m, reply))
    return sorted(rows, key=lambda pair: (area_of(pair[0]), pair[0].local_name))


def replies_for(codes: Sequence[str], store: Store, year: int) -> set[str]:
    """Which of `codes` have answered (either way)."""
    answered = all_replies(store, year)
    return {c for c in codes if c in answered}
