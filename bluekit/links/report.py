"""What a link check found, in words: the counts, one warning per redirected campaign-file
value, and the error that stops a build while a QR code's address is dead (a QR code cannot be
corrected once printed).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bluekit.campaign.model import Campaign
from bluekit.campaign.yaml_source import load_yaml
from bluekit.errors import OutputError
from bluekit.links.check import LinkResult, check_links
from bluekit.links.collect import collect_links
from bluekit.links.settings import CheckSettings


def summary(results: Sequence[LinkResult]) -> dict[str, int]:
    """How many links were checked, and how many are ok, redirected and dead."""
    counts = {"checked": len(results), "ok": 0, "redirected": 0, "dead": 0}
    for r in results:
        counts[r.status] += 1
    return counts


def redirect_warnings(results: Sequence[LinkResult]) -> list[str]:
    """One line per campaign-file value whose addresses are redirected, saying what to write."""
    lines: dict[str, None] = {}
    for r in results:
        if r.status != "redirected":
            continue
        fields = ", ".join(dict.fromkeys(f"{u.field} ({u.location})" for u in r.link.usages))
        if r.suggestion:
            text = f"{r.link.address} has moved to {r.suggestion}: write it for {fields}"
        else:
            text = f"{r.link.address} is redirected (temporarily) to {r.final_url}; from {fields}"
        if r.note:
            text += f"; {r.note}"
        lines[text] = None
    return list(lines)


class DeadLinksError(OutputError):
    """Addresses that must work are dead; nothing was written."""

    def __init__(self, dead: Sequence[LinkResult], checked: int):
        lines = []
        for r in dead:
            lines.append(f"  {r.url}: {r.error}")
            for usage in r.link.usages:
                lines.append(f"    used at {usage.location} ({usage.field}): {usage.what}")
        super().__init__(
            f"{len(dead)} of the {checked} QR code addresses are dead, so nothing was built:\n"
            + "\n".join(lines),
            hint="fix the address in the campaign file (or the web site), then build again; "
            "`bluekit links` checks every address of the campaign",
        )
        self.dead = list(dead)


def require_live_qr_targets(
    campaign: Campaign,
    campaign_path: Path | None = None,
    settings: CheckSettings | None = None,
) -> list[LinkResult]:
    """Check the addresses the posters' QR codes open; raise DeadLinksError if any is dead.

    This runs before a build writes print files: a QR code cannot be corrected once printed.
    Returns the results (redirected ones are alive but worth a warning).
    """
    source = load_yaml(campaign_path) if campaign_path is not None else None
    targets = [link for link in collect_links(campaign, source) if link.is_qr_target]
    results = check_links(targets, settings)
    dead = [r for r in results if r.status == "dead"]
    if dead:
        raise DeadLinksError(dead, len(results))
    return results
