"""What the bot says: the intake, to the client and to the therapist.

The client may be in pain and worried: every line to them is calm, says what happens next,
and never names a condition or guesses at a cause. A red flag's meaning (practice/intake.toml)
is for the therapist only.

The rules for every text (what is escaped, `Html` and `Plain`): bot/shared/texts/__init__.py.
"""

from __future__ import annotations

from bot.shared.bounded import TEXT_LIMIT, fit

from .common import Html, Plain, esc

INTAKE_SKIP = Plain("Skip")
INTAKE_DONE = Plain("Done ✓")
INTAKE_NONE_OF_THESE = Plain("None of these")
INTAKE_TAP_A_BUTTON = "Please tap one of the buttons above — or Skip if you'd rather not say."
INTAKE_TICK_FIRST = Plain("Tick what applies, or “None of these” — or Skip.")
INTAKE_ANSWERED_ALREADY = Plain("Already answered ✓ — you can change it in /mydata.")
INTAKE_BUTTON_NOT_YOURS = Plain("That question isn't one of yours.")
INTAKE_CORRECT = Plain("✏️ Correct my health answers")
INTAKE_FILL_IN = Plain("📝 Answer the health questions")
INTAKE_START_NOW = Plain("📝 Start now")
INTAKE_CORRECT_PICK = "Which answer would you like to change?"
INTAKE_SKIPPED = "skipped"


def bad_intake_answer(reason: str) -> str:
    """A typed answer refused: why, and nothing lost (the question still waits)."""
    return f"Sorry — {esc(reason)}. Please try again, or tap Skip."


def intake_intro(therapist: str) -> str:
    return (
        f"📝 <b>A few questions before your first session</b>\n"
        f"{esc(therapist)} would like to know a little about you and your health, so your "
        "massage suits you and is safe. One short question at a time; skip any you'd rather "
        "not answer. You can stop whenever you like and carry on later with /start."
    )


def intake_offer(therapist: str) -> str:
    """On the home card of a client who joined before there was an intake: offered once."""
    return (
        f"📝 {esc(therapist)} now asks a few short questions about your health before "
        "sessions. Tap below when you have two minutes — or later from /mydata."
    )


INTAKE_CARRY_ON = Plain("📝 Carry on")


def intake_carry_on(answered: int, total: int) -> str:
    return f"📝 Your health questions: {answered} of {total} answered. Carry on when you like."


def intake_question(
    number: int, total: int, prompt: str, example: str, minutes: int | None, lead_in: str = ""
) -> str:
    """One question; the first also says how long the whole takes (`minutes`, unless the
    client is correcting an answer). `lead_in` (the question's, in practice/intake.toml) comes
    first, on a line of its own: the calm word before the safety questions."""
    if number == 1 and minutes is not None:
        text = (
            f"<b>1 of {total}</b> · about {minutes} minute{'s' if minutes != 1 else ''}, "
            f"skip anything\n{esc(prompt)}"
        )
    else:
        text = f"<b>{number} of {total}</b> · {esc(prompt)}"
    if example:
        text += f"\n<i>{esc(example)}</i>"
    return f"{esc(lead_in)}\n{text}" if lead_in else text


def intake_answered(number: int, total: int, label: str, answer: str) -> str:
    """The question's message once answered: what was asked, and what was given."""
    return f"<b>{number} of {total}</b> · {esc(label)}: {esc(answer)} ✓"


def intake_finished(therapist: str) -> str:
    return (
        f"Thank you — that's everything ✓\n{esc(therapist)} will read it before your session. "
        "You can see or change your answers any time in /mydata."
    )


def intake_corrected(therapist: str) -> str:
    return (
        f"Updated ✓ {esc(therapist)} sees your new answer; the earlier one is kept with its "
        "date. Anything else to change? /mydata"
    )


def red_flag_reply(therapist: str, urgent: bool) -> str:
    """The client's answer was one a doctor should hear about: calm, and what to do."""
    text = (
        f"Thank you for telling me. {esc(therapist)} will look at this personally before "
        "your massage."
    )
    if urgent:
        text += (
            "\nThis is something a doctor should check without waiting for your appointment: "
            "please contact your doctor or an urgent care service <b>today</b>. If it is "
            "getting worse quickly, call your local emergency number."
        )
    else:
        text += " They may suggest you see your doctor first — that's a usual precaution."
    return text


def _red_flag_head(name: str, flag: str, meaning: str, urgent: bool) -> str:
    """The alert's headline and meaning: how urgent, whose, which flag; kept when the alert
    is edited to say what the therapist decided."""
    urgency = "🚩 <b>URGENT</b>" if urgent else "🚩 <b>Soon</b>"
    return f"{urgency} · <b>{esc(name)}</b>'s intake: {esc(flag)}\n{esc(meaning)}"


def red_flag_alert(name: str, flag: str, meaning: str, urgent: bool, answered: Html) -> str:
    """To the therapist, at once: the flag, its usual meaning in a line, how urgent."""
    return (
        f"{_red_flag_head(name, flag, meaning, urgent)}\n"
        f"Answered {answered}. Nothing is diagnosed: this is a screening question."
    )


RED_FLAG_REFER = Plain("↗️ Refer")
RED_FLAG_SEEN = Plain("✔️ Seen, I'll discuss it")
RED_FLAG_DECIDED_ALREADY = Plain("Already decided ✓")


def red_flag_reason(flag: str, meaning: str) -> Plain:
    """A referral's reason from a red flag: stored as words, escaped where it is shown."""
    return Plain(f"Intake red flag: {flag}. {meaning}")


def flag_decision_line(flag: str, decision: str | None, on: Html | None) -> str:
    if decision == "refer":
        return f"🚩 {esc(flag)} — referred {on}"
    if decision == "seen":
        return f"🚩 {esc(flag)} — seen {on}, to discuss"
    return f"🚩 {esc(flag)} — not decided yet"


def intake_heading(name: str) -> Plain:
    return Plain(f"Intake — {name}")


def red_flag_seen(name: str, flag: str, meaning: str, urgent: bool, on: Html) -> str:
    """The alert once Seen is tapped: still its headline (whose, which flag), then the
    decision in place of the buttons."""
    return (
        f"{_red_flag_head(name, flag, meaning, urgent)}\n"
        f"✔️ Seen {on} — you'll discuss it with {esc(name)}"
    )


def intake_warnings(cautions: list[str], flags: int) -> list[Html]:
    """ "⚠️ blood thinners", "🚩 1 red flag": the card's (and /today's) word on a client's
    cautions and the red flags their answers raise."""
    parts = [Html(caution_line(c)) for c in cautions]
    if flags:
        parts.append(Html(f"🚩 {flags} red flag{'s' if flags != 1 else ''}"))
    return parts


def intake_card_line(on: Html, warnings: list[Html], checked: Html | None = None) -> str:
    """ "Intake 2 Dec · ⚠️ blood thinners · 🚩 1 red flag" on the client card (`warnings` is
    intake_warnings'), with the latest pre-visit question's answer after the date ("checked
    7 Dec: no change")."""
    parts = [f"Intake {on}"]
    if checked:
        parts.append(checked)
    return " · ".join([*parts, *warnings])


INTAKE_NOT_YET = "Intake: not answered yet"
INTAKE_SHOW = Plain("📝 Intake")


INTAKE_MORE = "… and {count} more answers"
INTAKE_YOURS = "Your health answers"


def intake_answer_line(label: str, answer: str, when: Html | None) -> Html:
    """ "Goal: sleep through the night", with the answer's day when it is not the heading's."""
    day = f" <i>({when})</i>" if when else ""
    return Html(f"<b>{esc(label)}:</b> {esc(answer)}{day}")


def intake_skipped_line(labels: list[str]) -> Html:
    """The questions left unanswered, in one line rather than one each."""
    return Html(f"<i>Skipped: {esc(', '.join(labels))}</i>")


def intake_full(heading: str, on: Html, lines: list[Html], footer: Html) -> str:
    """The intake in full: each question's latest answer and its date, as many as fit."""
    head = f"📝 <b>{esc(heading)}</b> · {on}"
    tail = ["", footer] if footer else []
    room = TEXT_LIMIT - len(head) - len("\n".join(tail)) - 2
    kept = fit(lines, room, lambda n: INTAKE_MORE.format(count=n))
    return "\n".join([head, *kept, *tail])


def caution_line(caution: str) -> str:
    """At the top of a note card: "⚠️ On blood thinners — avoid deep pressure"."""
    return f"⚠️ {esc(caution)}"


def pressure_confirm(name: str, cautions: str, pressure: str) -> str:
    """Asked once a note, when the pressure chosen is one the client's intake cautions
    against: it names the pressure ("Use deep pressure anyway?", as a technique is named)."""
    return f"⚠️ <b>{esc(name)}</b>: {esc(cautions)}\nUse {esc(pressure.lower())} pressure anyway?"


def technique_confirm(name: str, cautions: str, technique: str) -> str:
    """Asked once a note, when a technique chosen is one the client's intake cautions against."""
    return f"⚠️ <b>{esc(name)}</b>: {esc(cautions)}\nUse {esc(technique.lower())} anyway?"


PRESSURE_CONFIRM_YES = Plain("Yes, I've checked")
PRESSURE_CONFIRM_NO = Plain("Choose another")


def homework_skipped(exercise: str, condition: str) -> str:
    return f"⚠️ Not suggested: {esc(exercise)} — its caution names {esc(condition)}"


def intake_form_title(name: str) -> str:
    return f"📝 Intake for <b>{esc(name)}</b>"


def intake_saved(name: str, line: Html) -> str:
    return f"Intake saved ✓ {esc(name)}: {line}"


INTAKE_UPDATE = Plain("✏️ Fill in or update")
INTAKE_PICK = "Whose intake? Tap a client, or type /intake and part of a name."


# --- the pre-visit question (bot/client/previsit.py) ---

PREVISIT_NO_CHANGE = Plain("No change")
PREVISIT_CHANGED = Plain("Something changed")
PREVISIT_NO_CHANGE_AFTER_ALL = Plain("↩️ No change after all")
PREVISIT_PICK_FIRST = Plain("Tap each part that changed — or “No change after all”.")
PREVISIT_KEEP = Plain("Keep as it was")
PREVISIT_ANSWERED_ALREADY = Plain("Already answered ✓ — you can change your answers in /mydata.")
PREVISIT_VISIT_OFF = Plain("That visit is cancelled — nothing to answer.")
PREVISIT_VISIT_PAST = Plain("That visit has passed. You can update your answers in /mydata.")
PREVISIT_CARRY_ON = "🩺 Your health update before your visit is half done. Carry on when you like."
PREVISIT_MOVED = Plain("Your visit has moved: this question comes again with its new reminder.")


def _since(first_visit: bool) -> str:
    return "since you answered the health questions" if first_visit else "since your last visit"


def previsit_question(therapist: str, at: Html, answered_on: Html, first_visit: bool) -> str:
    """Sent right after a visit's reminder, to a client with an intake: one question, two
    answers. Before a first visit there is no "last visit" to speak of."""
    since = _since(first_visit)
    return (
        f"🩺 <b>Anything new with your health {since}?</b>\n"
        f"{esc(therapist)} will read your health answers (last updated {answered_on}) before "
        f"your visit on {at}. Nothing new? Tap “No change” — that's all."
    )


def previsit_no_change(therapist: str, first_visit: bool) -> str:
    """The question's answer, in its words: before a first visit there is no "last visit"."""
    since = _since(first_visit)
    return (
        f"🩺 No change {since} ✓\nThank you — {esc(therapist)} will know your "
        "health answers still hold."
    )


def previsit_pick() -> str:
    return (
        "🩺 <b>What has changed?</b>\nTap each part that did, then Done: I'll ask just those "
        "questions again, and keep the rest as they are."
    )


def previsit_picked(parts: list[str]) -> str:
    return f"🩺 Changed: {esc(', '.join(parts))} ✓"


def previsit_question_again(
    number: int,
    total: int,
    prompt: str,
    example: str,
    before: str,
    on: Html | None,
    lead_in: str = "",
) -> str:
    """A question asked again before a visit, with the answer it would replace (and its
    `lead_in`, as intake_question has it)."""
    text = f"<b>Update {number} of {total}</b> · {esc(prompt)}"
    if example:
        text += f"\n<i>{esc(example)}</i>"
    if on is not None:
        text += f"\nYour answer on {on}: {esc(before)}"
    return f"{esc(lead_in)}\n{text}" if lead_in else text


def previsit_answered(number: int, total: int, label: str, answer: str) -> str:
    return f"<b>Update {number} of {total}</b> · {esc(label)}: {esc(answer)} ✓"


def previsit_updated(therapist: str) -> str:
    return (
        f"Thank you — updated ✓ {esc(therapist)} will see your new answers before your "
        "visit; everything else stays as it was."
    )


def previsit_corrected(therapist: str) -> str:
    """A correction made in the middle of the update before a visit: saved, and the update
    goes on where it was."""
    return (
        f"Updated ✓ {esc(therapist)} sees your new answer; the earlier one is kept with its "
        "date. Now back to your update before the visit:"
    )


def previsit_kept(answer: str) -> Plain:
    """What a kept answer reads as (the question's message, once answered): words, escaped
    where they are shown."""
    return Plain(f"{answer} (as before)")


def checked_line(on: Html, changed: list[str] | None) -> Html:
    """The card's and the intake's word on the latest pre-visit question."""
    if changed is None:
        return Html(f"checked {on}: no change")
    return Html(f"checked {on}: {esc(', '.join(changed))} changed")


def checked_line_full(checked: Html) -> str:
    """In the full intake: the latest pre-visit question (`checked` is checked_line's)."""
    return f"🩺 Before a visit, {checked}"
