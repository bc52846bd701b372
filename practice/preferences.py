"""A client's preferences for messages from the bot: when reminders come, when nothing comes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

DEFAULT_REMINDER_TIME = time(9, 0)
# The default, and a common one: no message in the evening or the night.
DEFAULT_QUIET_START = time(21, 0)
DEFAULT_QUIET_END = time(8, 0)

REMINDER_TIME_CHOICES = (
    time(7, 0),
    time(8, 0),
    time(9, 0),
    time(12, 0),
    time(17, 0),
    time(18, 0),
    time(19, 0),
    time(20, 0),
)
QUIET_CHOICES: tuple[tuple[time, time], ...] = (
    (time(21, 0), time(8, 0)),
    (time(22, 0), time(7, 0)),
    (time(23, 0), time(9, 0)),
    (time(20, 0), time(9, 0)),
)

# Time zones offered as buttons beside the practice's own (typing any other works too).
COMMON_ZONES = (
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Australia/Sydney",
)


@dataclass(frozen=True)
class Preferences:
    timezone: str
    reminder_time: time
    quiet_start: time | None
    quiet_end: time | None

    @classmethod
    def of(
        cls,
        timezone: str | None,
        reminder_time: time | None,
        quiet_start: time | None,
        quiet_end: time | None,
        *,
        fallback_zone: str,
    ) -> Preferences:
        """A client's stored choices, with the defaults for what they have not chosen."""
        if quiet_start is None and quiet_end is None:
            quiet_start, quiet_end = DEFAULT_QUIET_START, DEFAULT_QUIET_END
        return cls(
            timezone=timezone or fallback_zone,
            reminder_time=reminder_time or DEFAULT_REMINDER_TIME,
            quiet_start=quiet_start,
            quiet_end=quiet_end,
        )

    @property
    def quiet_label(self) -> str:
        if self.quiet_start is None or self.quiet_end is None or self.quiet_start == self.quiet_end:
            return "none"
        return quiet_label(self.quiet_start, self.quiet_end)


def hhmm(moment: time | datetime) -> str:
    return f"{moment:%H:%M}"


def quiet_label(start: time, end: time) -> str:
    return f"{hhmm(start)}–{hhmm(end)}"


def encode_time(value: time) -> str:
    return f"{value:%H%M}"


def decode_time(text: str) -> time | None:
    """ "0830" → 08:30; anything else → None (callback data is never trusted)."""
    if len(text) != 4 or not text.isdigit():
        return None
    hour, minute = int(text[:2]), int(text[2:])
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def zones_to_offer(practice_zone: str) -> list[str]:
    return [practice_zone, *(z for z in COMMON_ZONES if z != practice_zone)]


def local_clock(zone: str, now: datetime) -> str:
    return hhmm(now.astimezone(ZoneInfo(zone)))
