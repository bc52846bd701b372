"""Progress check-ins between visits: when they are due, the scales, and when to alert.

Scales: pain now on the 0–10 numeric rating scale; change since before the last session on a
7-point global rating of change (GRC); the plan's functional activity 0–10 in the manner of
the Patient-Specific Functional Scale (ACTIVITY_ANCHORS below).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from practice.schedules import QuietHours, move_out_of_quiet_hours, to_utc

# Default plan: the first check-in two days after the session (soreness has settled, the
# effect is still fresh), then every 3–4 days, for at most two weeks without a new session.
FIRST_AFTER = timedelta(days=2)
GAPS = (timedelta(days=3), timedelta(days=4))
STOP_AFTER = timedelta(days=14)

# What the ends of the 0–10 scales mean, as the client is asked them: the same words in the
# chat, the chart, the record and the letter.
PAIN_ANCHORS = "0 = no pain, 10 = worst imaginable"
ACTIVITY_ANCHORS = "0 = not at all, 10 = as well as before the problem"

# Global rating of change, stored as -3 … +3.
CHANGE_LABELS: dict[int, str] = {
    3: "Much better",
    2: "Better",
    1: "A little better",
    0: "About the same",
    -1: "A little worse",
    -2: "Worse",
    -3: "Much worse",
}
# An alert for the therapist: pain this many points above the baseline, or "worse" and below.
PAIN_WORSENING_POINTS = 2
WORSE = -2


def checkin_due(day: date, at: time, tz: ZoneInfo, quiet: QuietHours | None) -> datetime:
    """A check-in on the client's local `day` at their reminder time, out of quiet hours."""
    local = datetime.combine(day, at)
    if quiet is not None:
        local = move_out_of_quiet_hours(local, quiet)
    return to_utc(local, tz)


# The rhythms a therapist can choose per client (days between check-ins); None is the default
# above, 0 is none at all.
RHYTHMS: tuple[int | None, ...] = (None, 2, 3, 7, 0)


def next_checkin_day(
    session_day: date,
    sent_so_far: int,
    every_days: int | None = None,
    next_visit: date | None = None,
) -> date | None:
    """The day of the next check-in after `sent_so_far` were sent since the session; None
    when the series is over or the client gets none (`every_days` 0).

    With the next visit booked (`next_visit`, the client's local day), the series runs until
    it, whatever its length, and its last check-in is the day before it, so the therapist has
    fresh ratings when the client comes; a rhythm day on the eve's eve is dropped, so no
    client is asked two days running. Without one it ends after two weeks (or two check-ins
    for a rhythm longer than a week)."""
    if every_days == 0:
        return None
    if next_visit is not None:
        eve = next_visit - timedelta(days=1)
        if eve <= session_day:
            return None  # the visit is the next day: it is the next rating
        full = [d for d in _rhythm_days(session_day, every_days, eve) if d < eve] + [eve]
        kept = [d for d in full if d != eve - timedelta(days=1)]
        # Booked after the eve's eve was asked (the count cannot tell which plan sent it),
        # the series ends there: that rating is a day older, and nobody is asked twice running.
        return kept[sent_so_far] if sent_so_far < len(kept) else None
    if every_days is None:
        day = session_day + FIRST_AFTER
        for n in range(sent_so_far):
            day += GAPS[n % 2]
        last = STOP_AFTER
    else:
        day = session_day + min(FIRST_AFTER, timedelta(days=every_days))
        day += timedelta(days=every_days * sent_so_far)
        last = max(STOP_AFTER, timedelta(days=every_days * 2))
    if day - session_day > last:
        return None
    return day


def _rhythm_days(session_day: date, every_days: int | None, until: date) -> list[date]:
    """The rhythm's check-in days after a session, up to `until`."""
    days: list[date] = []
    n = 0
    while True:
        if every_days is None:
            day = session_day + FIRST_AFTER + sum((GAPS[i % 2] for i in range(n)), timedelta(0))
        else:
            day = session_day + min(FIRST_AFTER, timedelta(days=every_days))
            day += timedelta(days=every_days * n)
        if day > until:
            return days
        days.append(day)
        n += 1


def describe_rhythm(every_days: int | None) -> str:
    if every_days is None:
        return "2 days after a session, then every 3–4 days"
    if every_days == 0:
        return "none"
    if every_days == 7:
        return "2 days after a session, then weekly"
    return f"every {every_days} days after a session"


def check_in_summary(check_in: object) -> str:
    """ "pain 4 · A little better · activity 6" from whatever was answered."""
    pain = getattr(check_in, "pain", None)
    change = getattr(check_in, "change", None)
    activity = getattr(check_in, "activity", None)
    parts = [f"pain {pain}" if pain is not None else "pain —"]
    if change is not None:
        parts.append(CHANGE_LABELS[change])
    if activity is not None:
        parts.append(f"activity {activity}")
    return " · ".join(parts)


def is_worsening(baseline: int | None, pain: int | None, change: int | None) -> bool:
    """What brings the therapist an alert at once."""
    if change is not None and change <= WORSE:
        return True
    return baseline is not None and pain is not None and pain - baseline >= PAIN_WORSENING_POINTS
