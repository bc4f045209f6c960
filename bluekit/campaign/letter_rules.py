"""The invitation's own content rules: what a native reader and a civil servant expect of the
letter, the reminder and their e-mail, checked before anything is built.

- German goes on in lower case after a salutation that ends in a comma (DIN 5008), unless the
  first word is a noun or the formal Sie: a capitalised article, preposition or the like at the
  start of the letter or the reminder is an error.
- A reminder goes out once the reply-by date has passed, so it may not ask for an answer by
  {reply_by}; {reminder_reply_by} needs its date and belongs to the reminder alone.
- A subject in two languages fits an inbox (`SUBJECT_LIMIT`), so that both are seen.
- The letters are signed by a named official: a warning while the name is not filled in.
"""

from __future__ import annotations

import itertools
import re
from typing import TYPE_CHECKING

from bluekit.campaign.invitation import SUBJECT_LIMIT, two_language_subject
from bluekit.campaign.placeholders import placeholders_in_safe
from bluekit.campaign.problems import format_path, loc_from_path
from bluekit.errors import Problem

if TYPE_CHECKING:
    from bluekit.campaign.model import Campaign
    from bluekit.campaign.yaml_source import PathKey, YamlSource

# German words that are never capitalised inside a sentence: a text after the salutation that
# starts with one of them capitalised breaks DIN 5008 (nouns and Sie, Ihr... keep their capital).
LOWER_CASE_WORDS = frozenset({
    "der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einem", "einer", "eines",
    "wir", "ich", "es", "er", "man", "uns", "unser", "unsere", "unseren", "unserem", "unserer",
    "dies", "diese", "dieser", "dieses", "am", "an", "auf", "aus", "bei", "bis", "durch", "für",
    "gegen", "im", "in", "mit", "nach", "seit", "um", "unter", "von", "vor", "zu", "zum", "zur",
    "über", "als", "auch", "aber", "da", "dann", "daher", "deshalb", "darum", "damit", "dass",
    "denn", "doch", "gern", "gerne", "heute", "hiermit", "anbei", "leider", "nun", "noch",
    "schon", "so", "wie", "wenn", "weil", "bitte", "vielen", "herzlichen", "herzlich",
    "gestern", "jetzt", "was", "welche", "welches", "wo",
})


def letter_problems(campaign: Campaign, source: YamlSource) -> list[Problem]:
    """Every problem of the invitation's texts that the schema cannot see."""
    inv = campaign.invitation
    problems: list[Problem] = []
    if "de" in campaign.languages:
        problems += _german_start(source, ("invitation", "body", 0, "de"), inv.body[0]["de"])
        if inv.reminder:
            problems += _german_start(source, ("invitation", "reminder", "de"), inv.reminder["de"])
    problems += _deadline_problems(campaign, source)
    problems += _subject_problems(campaign, source)
    if inv.signatory.name is None:
        loc: PathKey = ("invitation", "signatory", "name")
        problems.append(Problem(
            source.location(loc if loc in source.values else loc[:-1]),
            "the letters are signed by no one: invitation.signatory.name is not filled in",
            format_path(loc),
            "write the first name and surname of the official who signs (the letters carry "
            "the function alone until then, and `invitations send` sends nothing)",
            kind="warning",
        ))
    return problems


def first_word(text: str) -> str:
    """The first word of a text, without the punctuation around it."""
    match = re.match(r"\W*(\w+)", text)
    return match.group(1) if match else ""


def _german_start(source: YamlSource, loc: PathKey, text: str) -> list[Problem]:
    word = first_word(text)
    if not word[:1].isupper() or word.casefold() not in LOWER_CASE_WORDS:
        return []
    return [Problem(
        source.location(loc),
        f"the German text after the salutation starts with {word!r}: after a salutation "
        "that ends in a comma, German goes on in lower case (DIN 5008)",
        format_path(loc),
        f"write {word.lower()!r} (nouns and the formal Sie, Ihr... keep their capital)",
    )]


def _deadline_problems(campaign: Campaign, source: YamlSource) -> list[Problem]:
    """A reminder never asks for an answer by a date that has passed when it is sent."""
    inv = campaign.invitation
    problems: list[Problem] = []
    for path, text in campaign.localized_texts():
        for lang, value in text.items():
            names = placeholders_in_safe(value)
            loc = (*loc_from_path(path), lang)
            if path == "invitation.reminder" and "reply_by" in names:
                problems.append(Problem(
                    source.location(loc),
                    "the reminder asks for an answer by {reply_by}, but reminders go out "
                    "once that date has passed",
                    format_path(loc),
                    "ask for an answer by {reminder_reply_by} (and set "
                    "invitation.reminder_reply_by), or as soon as possible",
                ))
            elif "reminder_reply_by" in names and path != "invitation.reminder":
                problems.append(Problem(
                    source.location(loc),
                    "{reminder_reply_by} is the reminder's reply-by date: only "
                    "invitation.reminder may use it",
                    format_path(loc),
                    "use {reply_by} here",
                ))
            elif "reminder_reply_by" in names and inv.reminder_reply_by is None:
                problems.append(Problem(
                    source.location(loc),
                    "the reminder uses {reminder_reply_by}, but invitation.reminder_reply_by "
                    "is not set",
                    format_path(loc),
                    "set invitation.reminder_reply_by to a date after reply_by and before "
                    "30 July",
                ))
    return problems


def _subject_problems(campaign: Campaign, source: YamlSource) -> list[Problem]:
    """A subject in two languages at most SUBJECT_LIMIT characters, for every pair."""
    inv = campaign.invitation
    key = "subject_short" if inv.subject_short else "subject"
    problems = []
    for pair in itertools.combinations(campaign.languages, 2):
        subject = two_language_subject(inv.subject_in(pair))
        over = len(subject) - SUBJECT_LIMIT
        if over <= 0:
            continue
        loc: PathKey = ("invitation", key)
        problems.append(Problem(
            source.location(loc),
            f"the subject of an e-mail in {' and '.join(pair)} is {len(subject)} characters: "
            f"an inbox shows about {SUBJECT_LIMIT}, so the second language would not be seen",
            format_path(loc),
            f"shorten invitation.{key} in {' or '.join(pair)} by {over} characters in all"
            + ("" if inv.subject_short else
               ", or add invitation.subject_short: shorter subjects for e-mails in two "
               "languages"),
        ))
    return problems
