"""The calendar file sent with an invitation, `blue-heart-<year>.ics`: the World Day as an
all-day event, with a reminder the day before, in every language of the municipality (title,
description and alarm alike), so both halves of a bilingual college read it."""

from __future__ import annotations

import datetime as dt
import json

from bluekit.campaign.model import Campaign
from bluekit.kit.invitations.invitees import Invitee
from bluekit.kit.invitations.texts import mail_strings
from bluekit.language import written_list


def calendar_key(campaign: Campaign, invitee: Invitee) -> str:
    """Everything the calendar file is made from, for its fingerprint."""
    return json.dumps([
        "ics-v2", campaign.year, invitee.municipality.code, invitee.languages,
        campaign.dates.world_day.isoformat(), campaign.invitation.date_on_letters.isoformat(),
        campaign.invitation.sender.email, campaign.hashtags,
        [campaign.reporting_point.url[lg] for lg in invitee.languages],
        [mail_strings()[lg] for lg in invitee.languages],
    ])


def _description(campaign: Campaign, invitee: Invitee) -> str:
    """A paragraph per language, each with the reporting point in that language."""
    return "\n\n".join(
        mail_strings()[lg]["event_description"].format(
            hashtags=written_list(campaign.hashtags, lg)
        )
        + "\n"
        + campaign.reporting_point.url[lg]
        for lg in invitee.languages
    )


def calendar_file(campaign: Campaign, invitee: Invitee) -> bytes:
    """30 July as an all-day event, with a display alarm at 09:00 the day before."""
    import icalendar  # here: only a build that writes calendar files needs it

    def in_each(key: str) -> str:
        return " / ".join(mail_strings()[lg][key] for lg in invitee.languages)

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//FOD Justitie//bluekit//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = icalendar.Event()
    day = campaign.dates.world_day
    domain = campaign.invitation.sender.email.split("@")[-1]
    event.add("uid", f"blueheart-{campaign.year}-{invitee.municipality.code}@{domain}")
    event.add(
        "dtstamp",
        dt.datetime.combine(campaign.invitation.date_on_letters, dt.time(9), tzinfo=dt.UTC),
    )
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("summary", in_each("event"))
    event.add("description", _description(campaign, invitee))
    event.add("transp", "TRANSPARENT")
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", in_each("alarm"))
    alarm.add("trigger", dt.timedelta(hours=-15))  # 09:00 on 29 July
    event.add_component(alarm)
    calendar.add_component(event)
    ical: bytes = calendar.to_ical()  # icalendar leaves its return type unannotated
    return ical
