"""Visits as an iCalendar file (RFC 5545) for the therapist's own phone calendar: each event in
the practice's time zone (its VTIMEZONE included, so a calendar in another zone shows it at the
right moment) with an alarm before it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

# Imported inside visits_ics, the only place that writes a file: /calendar is rare and
# icalendar (with the dateutil time zones it reads) costs the start about 0.1 s. The bot
# checks at start that it is installed (bot/runtime/libraries.py).
LOADED_ON_FIRST_USE = ("icalendar",)

# The alarm on the therapist's phone, before each visit.
ALARM_BEFORE = timedelta(minutes=30)
PRODUCT = "-//Aftercare//Visits//EN"


@dataclass(frozen=True)
class CalendarVisit:
    visit_id: int
    start: datetime  # aware UTC
    minutes: int
    title: str  # the client's name is all it says: no health detail leaves in a calendar
    alarm: str


def visits_ics(visits: list[CalendarVisit], zone: str, *, made_at: datetime, host: str) -> bytes:
    """One file with every visit given. A visit keeps its UID across files, so a calendar
    that imports a newer file updates the event (a move) instead of doubling it."""
    from icalendar import Alarm, Calendar, Event

    tz = ZoneInfo(zone)
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    for visit in visits:
        event = Event()
        event.add("uid", f"visit-{visit.visit_id}@{host}")
        event.add("dtstamp", made_at)
        event.add("dtstart", visit.start.astimezone(tz))
        event.add("dtend", (visit.start + timedelta(minutes=visit.minutes)).astimezone(tz))
        event.add("summary", visit.title)
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", visit.alarm)
        alarm.add("trigger", -ALARM_BEFORE)
        event.add_component(alarm)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    data: bytes = calendar.to_ical()
    return data
