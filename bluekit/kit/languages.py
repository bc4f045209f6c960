"""The language codes an option, a contact or a municipality names, as the campaign's own
`Language` values: the kit writes only in the campaign's languages, and indexes its texts by them.
"""

from __future__ import annotations

from collections.abc import Iterable

from bluekit.campaign.model import Campaign
from bluekit.language import Language


def campaign_languages(campaign: Campaign, codes: Iterable[str]) -> tuple[Language, ...]:
    """Those of `codes` the campaign has texts in, in their order (the others left out)."""
    known: dict[str, Language] = {lang: lang for lang in campaign.languages}
    return tuple(known[code] for code in codes if code in known)
