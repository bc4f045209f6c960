"""What a social post needs beyond its shape: a visual that can be drawn (a signal visual names
an existing signal, a countdown falls before World Day, a carousel goes only where carousels
exist), a posting time on the 5-minute steps Hootsuite's bulk composer accepts, and no two posts
of one day showing the same image on the same platform.

They run on a campaign the schema has accepted, beside the content rules.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from bluekit.campaign.problems import format_path
from bluekit.campaign.visual import NEEDS_HEADLINE
from bluekit.errors import Problem

if TYPE_CHECKING:
    from bluekit.campaign.model import Campaign, PlatformKey, SocialPost
    from bluekit.campaign.yaml_source import PathKey, YamlSource

CAROUSEL_PLATFORMS: tuple[PlatformKey, ...] = ("instagram", "linkedin")
HOOTSUITE_STEP_MINUTES = 5


def post_problems(campaign: Campaign, source: YamlSource) -> list[Problem]:
    """Every problem of the posts' visuals and times, in the order of the file."""
    problems: list[Problem] = []
    for i, post in enumerate(campaign.social.posts):
        loc: PathKey = ("social", "posts", i)
        problems += _time_problems(post, loc, source)
        problems += _visual_problems(campaign, post, loc, source)
    problems += _shared_images(campaign, source)
    return problems


def post_date(campaign: Campaign, post: SocialPost) -> dt.date:
    """The day a post goes out: its campaign date minus `days_before`."""
    kickoff = campaign.dates.kickoff
    day = kickoff.date if post.day == "kickoff" and kickoff else campaign.dates.world_day
    return day - dt.timedelta(days=post.days_before)


def _problem(source: YamlSource, loc: PathKey, message: str, hint: str) -> Problem:
    return Problem(source.location(loc), message, format_path(loc), hint)


def _time_problems(post: SocialPost, loc: PathKey, source: YamlSource) -> list[Problem]:
    when = post.time
    if when.minute % HOOTSUITE_STEP_MINUTES == 0 and when.second == 0 and not when.microsecond:
        return []
    earlier = when.replace(minute=when.minute - when.minute % 5, second=0, microsecond=0)
    return [_problem(
        source, (*loc, "time"),
        f"{when:%H:%M:%S} is not on a 5-minute step: Hootsuite's bulk composer refuses it",
        f"use a time such as {earlier:%H:%M} (minutes 00, 05, 10, ... 55, no seconds)",
    )]


def _visual_problems(
    campaign: Campaign, post: SocialPost, loc: PathKey, source: YamlSource
) -> list[Problem]:
    visual = post.visual
    if visual is None:
        return []
    at = (*loc, "visual")
    problems: list[Problem] = []
    count = len(campaign.poster.signals)
    if visual.kind == "signal":
        if visual.signal is None:
            problems.append(_problem(source, (*at, "kind"), "a signal visual needs `signal`",
                                     f"add `signal: N`, N from 1 to {count} (poster.signals)"))
        elif visual.signal > count:
            problems.append(_problem(
                source, (*at, "signal"),
                f"there is no signal {visual.signal}: poster.signals has {count}",
                f"choose a number from 1 to {count}",
            ))
    elif visual.signal is not None:
        problems.append(_problem(source, (*at, "signal"),
                                 f"a {visual.kind} visual shows no single signal",
                                 "remove `signal`, or use `kind: signal`"))
    if visual.kind in NEEDS_HEADLINE and visual.headline is None:
        problems.append(_problem(source, (*at, "kind"),
                                 f"a {visual.kind} visual needs its `headline`",
                                 "add `headline:` with the text per language"))
    if visual.kind == "kickoff" and campaign.dates.kickoff is None:
        problems.append(_problem(source, (*at, "kind"), "a kickoff visual needs dates.kickoff",
                                 "set dates.kickoff, or choose another visual"))
    if visual.kind == "countdown" and post_date(campaign, post) >= campaign.dates.world_day:
        problems.append(_problem(source, (*at, "kind"),
                                 "a countdown visual counts the days to World Day, but this post "
                                 "goes out on or after it",
                                 "publish it before 30 July (days_before), or choose another"))
    if visual.kind == "carousel":
        where = post.platforms or []
        if not where or any(p not in CAROUSEL_PLATFORMS for p in where):
            problems.append(_problem(
                source, (*loc, "platforms") if post.platforms else (*at, "kind"),
                "a carousel is posted on Instagram and LinkedIn only",
                "set `platforms: [instagram, linkedin]` (or one of them) on this post",
            ))
    return problems


def _image_of(post: SocialPost) -> tuple[str, int | None]:
    visual = post.visual
    return (visual.kind, visual.signal) if visual else ("slogan", None)


def _shared_images(campaign: Campaign, source: YamlSource) -> list[Problem]:
    """A warning for each post showing the image of an earlier post of the same day on a
    platform both are on: followers would see the same picture twice."""
    everywhere = list(campaign.social.platforms)
    seen: list[tuple[dt.date, tuple[str, int | None], set[str], str]] = []
    problems: list[Problem] = []
    for i, post in enumerate(campaign.social.posts):
        day, image = post_date(campaign, post), _image_of(post)
        platforms: set[str] = set(post.platforms or everywhere)
        for other_day, other_image, other_platforms, other_id in seen:
            if other_day == day and other_image == image and platforms & other_platforms:
                problems.append(Problem(
                    source.location(("social", "posts", i, "visual")),
                    f"post {post.id!r} shows the same image as post {other_id!r} on the same "
                    f"day ({day:%d/%m})",
                    format_path(("social", "posts", i, "visual")),
                    "give one of them another visual",
                    kind="warning",
                ))
                break
        seen.append((day, image, platforms, post.id))
    return problems
