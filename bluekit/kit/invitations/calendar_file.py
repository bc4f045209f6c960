"""The calendar file sent with an invitation, `blue-heart-<year>.ics`: the World Day as an
all-day event, with a reminder the day before, in the municipality's languages."""

from __future__ import annotations

import datetime as dt
import json

from bluekit.campaign.model import Campaign
from bluekit.kit.invitations.invitees import Invitee
from bluekit.kit.invitations.texts import mail_strings


def calendar_key(campaign: Campaign, invitee: Invitee) -> str:
    """Everything the calendar file is made from, for its fingerprint."""
    lang = invitee.languages[0]
    return json.dumps([
        "ics-v1", campaign.year, invitee.municipality.code, invitee.languages,
        campaign.dates.world_day.isoformat(), campaign.invitation.date_on_letters.isoformat(),
        campaign.invitation.sender.email, campaign.hashtags, campaign.reporting_point.url[lang],
        [mail_strings()[lg] for lg in invitee.languages],
    ])


def calendar_file(campaign: Campaign, invitee: Invitee) -> bytes:
    """30 July as an all-day event, with a display alarm at 09:00 the day before."""
    lang = invitee.languages[0]
    strings = mail_strings()[lang]
    import icalendar  # here: only a build that writes calendar files needs it

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
    event.add("summary", " / ".join(mail_strings()[lg]["event"] for lg in invitee.languages))
    event.add(
        "description",
        f"{strings['event_description']} {' '.join(campaign.hashtags)}\n"
        f"{campaign.reporting_point.url[lang]}",
    )
    event.add("transp", "TRANSPARENT")
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", mail_strings()[lang]["event"])
    alarm.add("trigger", dt.timedelta(hours=-15))  # 09:00 on 29 July
    event.add_component(alarm)
    calendar.add_component(event)
    ical: bytes = calendar.to_ical()  # icalendar leaves its return type unannotated
    return ical
