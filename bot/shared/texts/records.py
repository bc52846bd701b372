"""What the bot says: records that travel: /export, amendments, /mydata, /forgetme.

The rules for every text (what is escaped, `Html` and `Plain`): bot/shared/texts/__init__.py.
"""

from __future__ import annotations

from datetime import date

from bot.shared.bounded import TEXT_LIMIT, fit, shares

from .common import Html, esc

EXPORT_PICK = "📄 Whose record? Tap a client, or send /export and part of a name."
EXPORT_BUTTON = "📄 Export record"
NOT_YOUR_NOTE = "That note is not in your records."
AMEND_ENDED = "That amendment has ended — tap ✏️ Amend on the note again."
AMEND_BUTTON = "✏️ Amend #{number}"
AMEND_DONE = "Done"
AMEND_CLEAR = "Clear the field"
AMEND_CANCEL = "✖️ Cancel"
AMEND_CANCELLED = "Amendment cancelled: the note is as it was."
AMEND_NOTHING_CHANGED = "That is what the note already says: nothing to amend."
AMEND_TYPE_REASON = "Or type the reason."
FORGET_CONFIRM = "🗑 Erase my data"
FORGET_KEEP = "Keep"
FORGET_KEPT = "Nothing was erased. You can still use /mydata, /homework and /settings."
MY_DATA_FILES = "📄 Send it as PDF and CSV"


def export_preparing(name: str) -> str:
    return f"⏳ Preparing the record for <b>{esc(name)}</b>…"


def export_ready(name: str, sessions: int) -> str:
    noun = "session" if sessions == 1 else "sessions"
    return (
        f"📄 The record for <b>{esc(name)}</b> ({sessions} {noun}): the PDF to read or hand over, "
        "the spreadsheet to filter. Both are confidential health records."
    )


def amended_mark(count: int, last_day: Html, reason: str) -> str:
    """ "✏️ amended Thu 26 Nov (today): Typo"; "✏️ amended twice, last on …: <reason>"."""
    if count == 1:
        return f"✏️ amended {last_day}: {esc(reason)}"
    times = "twice" if count == 2 else f"{count} times"
    return f"✏️ amended {times}, last on {last_day}: {esc(reason)}"


def amend_fields(number: int, name: str, day: Html) -> str:
    return f"✏️ <b>Amend note #{number}</b> for {esc(name)} · {day}\nWhich field?"


def amend_title(number: int, name: str) -> str:
    """HTML, like the forms' titles: what an amendment in progress is called elsewhere."""
    return f"✏️ Amending note #{number} for <b>{esc(name)}</b>"


def amend_ask_value(field: str, current: str, typed: bool) -> str:
    how = "Type the new value" if typed else "Tap the new value"
    if typed and field == "Date":
        how = "Type the session's date (e.g. 24 Nov, 24.11, yesterday)"
    return f"✏️ <b>{esc(field)}</b> now reads: {esc(current)}\n{how}."


def amend_ask_reason(change: str) -> str:
    return f"✏️ {esc(change)}\nWhy the change? The reason is kept with the note."


def amend_saved(number: int, revision: int, change: str, reason: str) -> str:
    return (
        f"✅ Note #{number} amended (revision {revision}): {esc(change)} · {esc(reason)}\n"
        "The earlier wording is kept in the note's history."
    )


def my_data(
    therapist: str,
    sessions: list[str],
    plan: str | None,
    homework: list[str],
    ratings: list[str],
    settings: str,
    consents: list[str] | None = None,
    messages: list[str] | None = None,
) -> str:
    """One message however long the history: each list shows its latest entries that fit
    and counts the rest, which the PDF and CSV hold (the consent answers, which they do not,
    are counted too)."""
    head = f"🗂 <b>What the bot holds about you</b> (for your sessions with {esc(therapist)})"
    plan_part = "<b>Your plan:</b> " + (esc(plan) if plan else "none yet")
    settings_part = f"<b>Your settings:</b> {esc(settings)}"
    closing = [
        f"{esc(therapist)}'s own clinical notes about your sessions are part of their health "
        "record and are not shown here; ask them for a copy.",
        "To erase what the bot holds about you: /forgetme",
    ]
    lists = [
        ("<b>Your sessions:</b> ", sessions, ", ", "none yet", _in_the_pdf),
        ("<b>Your homework:</b>\n", homework, "\n", "none", _in_the_pdf),
        ("<b>Your ratings between visits:</b>\n", ratings, "\n", "none", _in_the_pdf),
        ("<b>Your messages with your therapist:</b>\n", messages or [], "\n", "none", _in_the_pdf),
        (
            "<b>Sharing your details with other practitioners:</b>\n",
            consents or [],
            "\n",
            "",
            _earlier,
        ),
    ]
    escaped = [[esc(item) for item in items] for _, items, _, _, _ in lists]
    # The lists share what the rest leaves of one message (10 parts, 9 blank lines at most).
    fixed = [head, plan_part, settings_part, *closing, *(t + e for t, _, _, e, _ in lists)]
    rooms = shares(
        TEXT_LIMIT - sum(len(part) + 2 for part in fixed),
        [len(sep.join(items)) for items, (_, _, sep, _, _) in zip(escaped, lists, strict=True)],
    )
    sessions_part, homework_part, ratings_part, messages_part, consents_part = (
        title + (sep.join(fit(items, room, tail, sep=sep, latest=True)) if items else empty)
        for items, room, (title, _, sep, empty, tail) in zip(escaped, rooms, lists, strict=True)
    )
    parts = [head, sessions_part, plan_part, homework_part, ratings_part, messages_part]
    parts.append(settings_part)
    if consents:
        parts.append(consents_part)
    return "\n\n".join([*parts, *closing])


MY_DATA_MORE = "… {count} earlier — all of it is in the PDF and CSV"
MY_DATA_EARLIER = "… and {count} earlier"


def _in_the_pdf(count: int) -> str:
    return MY_DATA_MORE.format(count=count)


def _earlier(count: int) -> str:
    return MY_DATA_EARLIER.format(count=count)


def _kept_by(therapist: str, years: int) -> str:
    return (
        f"<b>{esc(therapist)} keeps</b> (not erased): the clinical notes of your sessions, "
        "your plan and the exercises you were given — a health record they must keep for "
        f"{years} years — and your answers to requests to share your treatment details with "
        "another practitioner (what you allowed or refused)."
    )


def forget_me_question(therapist: str, years: int) -> str:
    return (
        "🗑 <b>Erase your data?</b>\n"
        "<b>Erased now, for good:</b> your ratings and comments between visits, your messages "
        "with your therapist (both ways), your answers to the health questions, your homework "
        "answers, your settings, the date of birth and the phone or email you gave for "
        "referral letters, the bot's record of every message it sent you or was going "
        "to send, and any request to share your details you have not answered yet. Your "
        "Telegram account is unlinked and the bot will never write to you again.\n"
        f"{_kept_by(therapist, years)}\n"
        f"To use the bot again later you would need a new invite link from {esc(therapist)}."
    )


def forget_done(therapist: str, years: int) -> str:
    return (
        "✅ Done. Your data has been erased and your Telegram account unlinked. "
        "The bot will not write to you again.\n"
        f"{_kept_by(therapist, years)}\nTake care!"
    )


def retention_notice(name: str, last_session: date, purge_on: date, years: int) -> str:
    return (
        f"🗄 {esc(name)}'s record (last session {day_month_year(last_session)}) will be deleted "
        f"on {day_month_year(purge_on)} under your retention period of {years} years: every "
        "note, plan, homework, check-in, message and referral. To keep a copy, send "
        f"/export {esc(name)} before then."
    )


def day_month_year(day: date) -> str:
    return f"{day.day} {day:%b} {day.year}"


def forgotten_to_therapist(name: str, years: int, withdrawn: int = 0) -> str:
    text = (
        f"🗑 {esc(name)} asked the bot to erase their data; your clinical notes are kept under "
        f"the practice's retention setting ({years} years), and so are the consent answers they "
        "gave to referrals. Nothing more will be sent to them."
    )
    if withdrawn:
        letters = "the letter" if withdrawn == 1 else f"the {withdrawn} letters"
        text += (
            "\nThey had not answered whether their treatment details may go with a referral, so "
            f"that question is withdrawn: here is {letters} with the reason only."
        )
    return text


def therapist_told_rejoined(name: str) -> str:
    return (
        f"✅ {esc(name)} opened your new invite and agreed again, after having asked the bot to "
        "erase their data: they are back on the bot from today. What was erased stays erased."
    )
