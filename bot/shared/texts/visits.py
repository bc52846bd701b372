"""Visits: booking, the client's notices and reminder, the therapist's day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from .common import Html, Plain, esc

# --- the therapist books ---------------------------------------------------------------------

NEXT_VISIT = Plain("📅 Next visit")
VISIT_PICK = "Whose next visit? Tap a client, or send <code>/book Anna</code>."
VISIT_WHEN_PROMPT = (
    "<b>When?</b> Tap one, or type a day and time: “tue 14:00”, “12.1 9:30”, “in 10 days”."
)
VISIT_WHEN_LABEL = "When"
VISIT_DONE_PROMPT = "check and save:"
VISIT_GONE = Plain("That visit is no longer there.")
VISIT_CLOSED = Plain("That visit is already settled.")
MOVE_VISIT = Plain("🔁 Move")
CANCEL_VISIT = Plain("✖️ Cancel visit")
CALENDAR_FILE = Plain("📆 Add to calendar")
YES_CANCEL_VISIT = Plain("Yes, cancel it")
KEEP_VISIT = Plain("No, keep it")
VISIT_NOT_YET = Plain("That visit is still to come.")
VISIT_TIME_PASSED = Plain("That time has passed: pick another with 🔁 Move.")

# What the card, /today and the record call each status (practice.visits.VisitStatus).
VISIT_STATUS_LABELS = {
    "booked": "booked",
    "confirmed": "✅ confirmed",
    "change": "🔁 asks to move",
    "cancel_client": "✖️ cancelled by the client",
    "cancel_ther": "✖️ cancelled by you",
    "cancel_late": "↩️ cancelled late",
    "done": "done",
    "no_show": "🚫 didn't come",
}


def visit_when(day: date, clock: Html) -> Html:
    """ "Tue 8 Dec, 14:00" (the year only when it is not this one's, given by the caller)."""
    return Html(f"{day:%a} {day.day} {day:%b}, {clock}")


def client_time(own: Html, practice: Html, place: str, therapist: str) -> Html:
    """A visit's time for a client whose clock differs from the practice's:
    "Tue 8 Dec, 12:00 your time (11:00 in London, where Maya is)"."""
    return Html(f"{own} your time ({practice} in {esc(place)}, where {esc(therapist)} is)")


def therapist_time(practice: Html, theirs: Html | None, minutes: int | None = None) -> Html:
    """A visit's time for the therapist, the client's own named only when it differs:
    "Tue 8 Dec, 11:00 (60 min; 12:00 their time)", "Tue 8 Dec, 11:00 (60 min)"."""
    within = [f"{minutes} min"] if minutes is not None else []
    if theirs is not None:
        within.append(f"{theirs} their time")
    return Html(f"{practice} ({'; '.join(within)})" if within else practice)


def visit_title(name: str) -> str:
    return f"📅 Visit for {esc(name)}"


def suggestion_label(when: Html, words: Html) -> Plain:
    """A rhythm button: "Tue 8 Dec, 14:00 — same time next week"."""
    return Plain(f"{when} — {words}")


def rhythm_words(days: int, same_time: bool, from_today: bool) -> Html:
    """How far a rhythm button's time is (practice.visits.Gap): counted from today
    ("same time next week", "in two weeks, same time", "in 3 days, same time") or, when a
    visit on another day is moved, from that visit ("a week later, same time"). "Same time"
    only when the wall time is the one counted from; "next week" only for 7 days from today."""
    if days % 7 == 0:
        weeks = days // 7
        span = "a week" if weeks == 1 else f"{_NUMBER_WORDS.get(weeks, str(weeks))} weeks"
    else:
        span = "a day" if days == 1 else f"{days} days"
    if from_today and days == 7:
        return Html("same time next week" if same_time else "next week")
    distance = f"in {span}" if from_today else f"{span} later"
    return Html(f"{distance}, same time" if same_time else distance)


_NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}


def overlap_warning(name: str, span: Html) -> Html:
    return Html(
        f"⚠️ Overlaps {esc(name)}'s visit ({span}). Save keeps both; ⬅️ Back picks another time."
    )


def visit_booked(name: str, when: Html, moved: bool, told: bool) -> str:
    """`when` with the visit's length: therapist_time(…, minutes)."""
    head = "🔁 Moved" if moved else "📅 Booked"
    told_line = (
        f"{esc(name)} is told in the bot, and reminded before."
        if told
        else f"{esc(name)} gets no messages from the bot: tell them yourself."
    )
    return f"{head}: <b>{esc(name)}</b>, {when}.\n{told_line}"


def visit_booked_too_late(when: Html) -> str:
    return f"⚠️ {when} has passed meanwhile: nothing was booked. Book again with 📅 Next visit."


def visit_line(when: Html, status: Html) -> Html:
    """On the client card: "📅 Next visit: Tue 8 Dec, 14:00 · ✅ confirmed"."""
    return Html(f"📅 Next visit: {when} · {status}")


def missed_line(missed: str) -> Html:
    """On the client card, as the record says it (reports.wording.missed_visits_line):
    "🚫 Missed visits: 1 no-show (7 Jan)"."""
    return Html(f"🚫 Missed visits: {esc(missed)}")


def cancel_visit_question(name: str, when: Html) -> str:
    return f"Cancel {esc(name)}'s visit on {when}? They are told in the bot."


def visit_cancelled(name: str, when: Html, told: bool) -> str:
    told_line = " They are told in the bot." if told else ""
    return f"✖️ Cancelled: {esc(name)}, {when}.{told_line}"


# --- what the client is told -------------------------------------------------------------------

I_WILL_BE_THERE = Plain("✅ I'll be there")
NEED_ANOTHER_TIME = Plain("🔁 I need another time")
CANT_COME = Plain("✖️ I can't come")
VISIT_NOT_YOURS = Plain("That visit isn't yours.")
VISIT_NO_LONGER = Plain("That visit has changed since: see the newer message.")
ADD_TO_CALENDAR = Plain("📆 Add to my calendar")
VISIT_OVER = Plain("That visit is no longer ahead.")


def next_visit_notice(when: Html, therapist: str, confirmed: bool = False) -> Html:
    """The booking's notice, and the client's home: "📅 Next visit with Maya: Tue 8 Dec,
    12:00 · ✅ confirmed" (the status once the client said they will come)."""
    status = f" · {VISIT_STATUS_LABELS['confirmed']}" if confirmed else ""
    return Html(f"📅 Next visit with {esc(therapist)}: {when}{status}")


def visit_moved_notice(when: Html, therapist: str) -> str:
    return f"🔁 Your visit with {esc(therapist)} is moved: now {when}"


def visit_cancelled_notice(when: Html, therapist: str) -> str:
    return (
        f"✖️ Cancelled: your visit with {esc(therapist)} on {when}.\n"
        f"Would you like another time? Write it here: {esc(therapist)} gets your message."
    )


def visit_reminder(when: Html, therapist: str) -> str:
    return f"⏰ Reminder: your visit with {esc(therapist)} is on {when}. Will you come?"


def reminder_answered(when: Html, therapist: str, answer: str, elsewhere: bool) -> str:
    """The reminder edited in place with the client's answer (y, m or n). `elsewhere`: the
    client's clock is not the practice's (the time they type is read as theirs)."""
    if answer == "y":
        return f"✅ See you on {when}. {esc(therapist)} knows you're coming."
    if answer == "n":
        return f"✖️ Cancelled: your visit with {esc(therapist)} on {when}. {esc(therapist)} is told."
    own = " in your own time" if elsewhere else ""
    return (
        f"🔁 Your visit on {when}: you need another time.\n"
        f"<b>When would suit you?</b> Type it{own}, e.g. “thu 15:00” or “any morning next week”."
    )


def client_calendar_event(therapist: str) -> Plain:
    """A visit's title, and its alarm, in the client's own calendar: nothing clinical."""
    return Plain(f"Massage with {therapist}")


def client_calendar_caption(therapist: str) -> str:
    return f"📆 Your visit with {esc(therapist)}: open the file to add it to your calendar."


def other_time_sent(therapist: str) -> str:
    return f"Sent to {esc(therapist)} ✓ They will book the new time and you'll get it here."


# --- what the therapist is told ----------------------------------------------------------------


def client_cannot_come(name: str, when: Html) -> str:
    return f"✖️ {esc(name)} can't come on {when}: the visit is cancelled."


def client_needs_another_time(name: str, when: Html) -> str:
    return f"🔁 {esc(name)} needs another time than {when}. Their suggestion follows."


def client_suggests(name: str, when: Html, typed: str, read_as: Html | None) -> str:
    line = f"🔁 {esc(name)} asks to move {when}: “{esc(typed)}”"
    if read_as is not None:
        line += f"\nRead as {read_as}: book it with one tap, or pick another time."
    else:
        line += "\nPick a new time with 🔁 Move."
    return line


def book_this(when: Html) -> Plain:
    return Plain(f"📅 Book {when}")


# --- after the visit ----------------------------------------------------------------------------

WRITE_THE_NOTE = Plain("📝 Write the note")
DIDNT_COME = Plain("🚫 Didn't come")
CANCELLED_LATE = Plain("↩️ Cancelled late")
BOOK_AGAIN = Plain("📅 Book again")


def visit_outcome_question(name: str, when: Html) -> str:
    return f"How did {esc(name)}'s visit on {when} go? There is no note for it yet."


def visit_outcome_recorded(name: str, when: Html, status: Html) -> str:
    return f"{esc(name)}, {when}: {status}."


# --- the day ahead: /today, /week, the morning digest ---------------------------------------------

NO_VISITS_TODAY = "📅 No visits today."
NO_VISITS_WEEK = "📅 No visits in the next 7 days."
NO_UPCOMING = "📅 No visits booked ahead."


def agenda_line(
    name: str,
    clock: Html,
    status: Html,
    pain: int | None,
    was: int | None,
    homework: Html | None,
    health: Sequence[str] = (),
) -> str:
    """ "Anna K. 14:00 ✅ confirmed · pain 4 (was 6) · homework 5 of 7", and under it what
    to know before the visit (`health`: agenda_check's, the card's intake_warnings)."""
    parts = [f"<b>{esc(name)}</b> {clock} {status}"]
    if pain is not None:
        parts.append(f"pain {pain}" + (f" (was {was})" if was is not None else ""))
    if homework is not None:
        parts.append(f"homework {homework}")
    line = " · ".join(parts)
    return f"{line}\n   {' · '.join(health)}" if health else line


# The client's answer to the visit's pre-visit question, beside it on /today.
AGENDA_CHECK_WAITING = "🩺 Health question not answered yet"


def agenda_check(changed: list[str] | None) -> str:
    """ "🩺 No change since last visit", "🩺 Something changed: medicines"."""
    if changed is None:
        return "🩺 No change since last visit"
    if not changed:
        return "🩺 Something changed"
    return f"🩺 Something changed: {esc(', '.join(changed))}"


def agenda_day(day: date) -> Html:
    return Html(f"<b>{day:%a} {day.day} {day:%b}</b>")


def agenda_today(day: date) -> Html:
    return Html(f"📅 <b>Today, {day:%a} {day.day} {day:%b}</b>")


def agenda_week(day: date) -> Html:
    return Html(f"📅 <b>The next 7 days, from {day:%a} {day.day} {day:%b}</b>")


def agenda_more(count: int) -> str:
    return f"… and {count} more"


def calendar_caption(count: int) -> str:
    if count == 1:
        return "📆 1 upcoming visit: open the file to add it to your calendar."
    return f"📆 {count} upcoming visits: open the file to add them to your calendar."


def calendar_event(name: str) -> Plain:
    """A visit's title in the therapist's own calendar."""
    return Plain(f"Aftercare: {name}")


def calendar_alarm(name: str) -> Plain:
    return Plain(f"Visit: {name}")
