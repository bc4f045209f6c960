"""Tracked addresses: the campaign's links with UTM parameters, so the reporting point can tell
which poster, post or e-mail brought a visitor."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


def tracked_url(
    url: str, *, campaign: str, medium: str, source: str, content: str | None = None
) -> str:
    """`url` with UTM parameters added (existing query parameters are kept)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [("utm_source", source), ("utm_medium", medium), ("utm_campaign", campaign)]
    if content:
        query.append(("utm_content", content))
    return urlunsplit(parts._replace(query=urlencode(query)))
