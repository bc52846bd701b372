"""What the bot says: progress and decision points.

The rules for every text (what is escaped, `Html` and `Plain`): bot/shared/texts/__init__.py.
"""

from __future__ import annotations

from datetime import date

from bot.shared.bounded import TEXT_LIMIT
from practice.checkins import ACTIVITY_ANCHORS
from practice.decisions import answer_words

from .common import Html, Plain, esc, first_name, greeting
from .notes import long_date

PROGRESS_PICK = "Whose progress? Tap a client or type a name."
CARD_OPEN = "👤 Open the card"
DECISION_ADJUST = "📋 Adjust plan"
DECISION_REFER = "↗️ Refer"
DECISION_CONTINUE = "▶️ Continue as planned"
DECISION_DISCHARGE = "🎓 Discharge"
DECISION_EXTEND = "➕ More sessions"
DECISION_MAINTENANCE = "🔁 Maintenance"
DECISION_RECORDED = "Recorded ✓"
NOTE_SEND = "✅ Send"
NOTE_DROP = "✖️ Don't send"
NOTE_ALREADY = "That note was already sent or dropped."
NOTE_DROPPED = "Not sent. Nothing went to the client."
NOTE_UNREACHABLE = "The client can't get messages from the bot (not on it, or has blocked it)."
NOTE_FAILED = "Telegram did not take the message; nothing was sent. Try again later."

_DECISION_TITLES = {
    "worse": "⚠️ {name} is getting worse.",
    "reeval": "📋 Time to re-evaluate {name}'s plan.",
    "noprog": "⏸ {name}: no real change so far.",
    "improved": "🌱 {name} is clearly better.",
    "end": "🏁 {name} has had the sessions the plan expected.",
}


def progress_caption(name: str, summary: str) -> str:
    return f"📈 <b>{esc(name)}</b>\n{esc(summary)}"


# What the therapist might do, under the figures (the buttons below do it).
_DECISION_HINTS = {
    "worse": "You might adjust the plan, or refer them on.",
    "reeval": "Keep the plan, adjust it, or refer them on?",
    "noprog": "You might adjust the plan, or refer them on.",
    "improved": "You might send {first} a note to say so.",
    "end": "Discharge, book more sessions, move to maintenance, or change the plan?",
}


def _decision_title(name: str, kind: str) -> str:
    return _DECISION_TITLES.get(kind, "{name}").format(name=esc(name))


def decision_prompt(name: str, kind: str, summary: str) -> str:
    title = _decision_title(name, kind)
    hint = _DECISION_HINTS.get(kind, "What would you like to do?").format(
        first=esc(first_name(name))
    )
    return f"{title}\n{esc(summary)}\n<i>{hint}</i>"


def decision_send_note(first: str) -> Plain:
    return Plain(f"💬 Send {first} a note")


def decision_answered(name: str, kind: str, summary: str, answer: Html, today: date) -> str:
    """The decision point once answered: its title and figures stay (what was decided, and
    on what), and the last line says what was done or what comes next."""
    return f"{_decision_title(name, kind)}\n{_decision_outcome(name, summary, answer, today)}"


def _decision_outcome(name: str, summary: str, answer: Html, today: date) -> str:
    if answer == "refer":  # recorded only once the referral is saved
        return (
            f"{esc(summary)}\n↗️ Referring {esc(name)}: fill in the referral below. The decision "
            "is recorded when you save it; cancel it and this question comes back."
        )
    if answer == "extend":  # recorded only once the plan is saved
        return (
            f"{esc(summary)}\n➕ More sessions for {esc(name)}: say how many more below. The "
            "new plan counts from the next session; the decision is recorded when you save it."
        )
    if answer == "maintenance":  # recorded only once the plan is saved
        return (
            f"{esc(summary)}\n🔁 Maintenance for {esc(name)}: choose how often they come "
            "below (e.g. monthly). The new plan counts from the next session; the decision is "
            "recorded when you save it."
        )
    if answer == "discharge":
        return (
            f"{esc(summary)}\n✓ Decided {long_date(today, today)}: {esc(name)} is discharged, "
            "treatment finished. Their homework reminders are stopped; the record stays, and "
            "/plan starts a new plan if they come back."
        )
    if answer == "adjust":  # recorded only once the plan is saved
        return (
            f"{esc(summary)}\n📋 Adjusting {esc(name)}'s plan: change it below. The decision "
            "is recorded when you save it; cancel it and this question comes back."
        )
    if answer == "note":  # this card is not edited again: it names no state that changes
        return (
            f"{esc(summary)}\n✓ Decided {long_date(today, today)}: a note to {esc(name)}, "
            "drafted below."
        )
    return (
        f"{esc(summary)}\n✓ Decided {long_date(today, today)}: "
        f"{answer_words(answer)} ({esc(name)})."
    )


def decision_already(answer: str) -> Plain:
    return Plain(f"Already decided: {answer_words(answer)}.")


def improvement_note(
    name: str, therapist: str, *, pain: tuple[int, str] | None, homework: tuple[int, int] | None
) -> Plain:
    """Plain text, not HTML: it goes to the client as the therapist's own words would.
    It says what was observed, never why (a cause only the therapist can judge): `pain` the
    first and current pain ("6", "about 3.5"), `homework` (done, due) when the client kept
    their exercises up; None says nothing of it (none given, or not kept up)."""
    observed = ""
    if pain is not None:
        observed += f"Your pain has come down from {pain[0]} to {pain[1]} out of 10. "
    if homework is not None:
        done, due = homework
        observed += f"You did your exercises {done} of the {due} times they were due. "
    return Plain(
        f"{greeting(name)}, {therapist} here. Your ratings show a real, meaningful improvement "
        f"since we started — well done. {observed}"
        "Keep going, and tell me at your next visit how everyday life feels now. 🌿"
    )


def note_draft(name: str, draft: str) -> str:
    return (
        f"A note for {esc(name)} — tap Send as it is, or reply to this message with your own "
        f"words and those are sent instead:\n\n{esc(draft)}"
    )


def note_sent(name: str) -> str:
    return f"Sent to {esc(name)} ✓"


CHANGE_PLAN = "✏️ Change plan"
ADD_EXERCISE = "➕ Add exercise"
ADD_ANOTHER = "➕ Another exercise"
SET_PLAN = "📋 Set a plan"
ADD_HOMEWORK = "🧘 Add homework"
PLAN_PICK = "📋 Whose plan? Tap a client, or send /plan and part of a name."
HOMEWORK_PICK = "🧘 Homework for whom? Tap a client, or send /homework and part of a name."
NO_PLAN = "No plan yet."
NO_HOMEWORK_THERAPIST = "No homework yet."


def _end(sentence: str) -> str:
    """A full stop, unless the sentence already ends with one (as "Anna K." does)."""
    return sentence if sentence.endswith((".", "!", "?")) else sentence + "."


def not_sent(blocked: bool) -> str:
    if blocked:
        return "They have blocked the bot, so nothing was sent."
    return "They are not on the bot, so nothing was sent."


def plan_saved(name: str, version: int, changed: bool, sent: bool, blocked: bool) -> str:
    what = f"Plan changed (version {version})" if changed else "Plan saved"
    if sent:
        return _end(f"✓ {what} and sent to {esc(name)}")
    return _end(f"✓ {what} for {esc(name)}") + " " + not_sent(blocked)


def plan_message(
    *,
    therapist: str,
    changed: bool,
    complaint: str,
    goal: str,
    sessions: int,
    frequency: str,
    activity: str | None,
) -> str:
    head = "Your treatment plan has changed" if changed else "Your treatment plan"
    lines = [
        f"📋 <b>{head}</b>, from {esc(therapist)}",
        "",
        f"<b>What we're working on:</b> {esc(complaint)}",
        f"<b>Your goal:</b> {esc(goal)}",
        f"<b>Sessions:</b> about {sessions}, {esc(frequency)}",
        "<b>Between visits:</b> the exercises your therapist gives you — I'll remind you.",
    ]
    if activity:
        lines.append(
            f"<b>We'll track:</b> {esc(activity)} — now and then I'll ask how well you can do "
            f"it, from 0 to 10 ({ACTIVITY_ANCHORS})."
        )
    return "\n".join(lines)


def homework_saved(exercise: str, name: str, when: str, sent: bool, blocked: bool) -> str:
    saved = f"✓ {esc(exercise)} for {esc(name)}: {esc(when)}"
    if sent:
        return _end(f"{saved} — sent to {esc(name)}")
    return f"{saved}. {not_sent(blocked)}"


def your_homework(therapist: str) -> str:
    return f"🧘 <b>Your homework from {esc(therapist)}</b>"


def chunks(header: Html, sections: list[Html], limit: int = TEXT_LIMIT) -> list[str]:
    """Messages under Telegram's limit, split between sections (never inside one's markup)."""
    out: list[str] = []
    current: str = header
    for section in sections:
        if len(current) + 2 + len(section) > limit:
            out.append(current)
            current = section
        else:
            current += "\n\n" + section
    out.append(current)
    return out


def homework_for_client(
    *,
    name: str,
    dose: str,
    steps: list[str],
    caution: str | None,
    when: str,
    note: str | None,
) -> str:
    lines = [
        f"<b>{esc(name)}</b> — {esc(dose)}",
        *(f"{i}. {esc(step)}" for i, step in enumerate(steps, start=1)),
        *([f"⚠️ {esc(caution)}"] if caution else []),
        f"🗓 {esc(when)}",
    ]
    if note:
        lines.append(f"💬 {esc(note)}")
    return "\n".join(lines)


def reminder_clocks(theirs: Html, yours: Html, days: int) -> Html:
    """A homework reminder's time for a therapist on another clock than the client's:
    "08:00 their time (07:00 yours)", "08:00 their time (23:00 yours, the day before)"."""
    day = ", the day before" if days < 0 else ", the next day" if days > 0 else ""
    return Html(f"{theirs} their time ({yours} yours{day})")


def homework_line(name: str, dose: str, when: str, paused: bool) -> str:
    state = " (paused)" if paused else ""
    return f"• <b>{esc(name)}</b> — {esc(dose)}; {esc(when)}{state}"


def exercise_saved(name: str) -> str:
    return (
        f"✓ {esc(name)} is in your exercises. It is offered when you give homework "
        "(type its name at the exercise question)."
    )
