"""Safe file names from data (municipality names, item codes): no path tricks, portable."""

from __future__ import annotations

import re
import unicodedata


def slug(text: str, *, max_length: int = 60) -> str:
    """'Sint-Genesius-Rode' -> 'sint-genesius-rode', 'Liège' -> 'liege'; never empty, never a
    path: only a-z, 0-9 and single dashes remain, so the name is safe on Windows and Linux."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    cleaned = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")
    return cleaned[:max_length].rstrip("-") or "unnamed"
