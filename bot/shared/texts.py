"""Every sentence the bot says, in one place (to be translated later). HTML parse mode.

What anyone typed (names, Telegram names included, notes, reasons, comments) comes in as typed,
as a `str` argument, and the function escapes it with `esc()` itself: callers pass raw values
(a PDF or a CSV takes them too) and never escape for it. An `Html` argument is markup made here,
or words the bot made (dates, times, counts), and goes in as it is. A `Plain` result is shown
without a parse mode: a button's label, a tap's answer, `improvement_note` (sent as the
therapist's own words would be), or a part of a line its caller escapes with the line.
tests/test_texts.py holds every function here to this.
"""

from __future__ import annotations

import html
from datetime import date
from typing import Literal, NewType

from bot.shared.bounded import TEXT_LIMIT, fit, shares
from practice.notes import AREAS, MAX_TEXT_LENGTH, PRESSURES, TECHNIQUES, TextField

esc = html.escape
Html = NewType("Html", str)  # put in as it is; a `str` argument is escaped
Plain = NewType("Plain", str)  # shown as it is, never parsed: so never escaped

# --- welcome, help, access -------------------------------------------------------------

WELCOME_THERAPIST = (
    "👋 <b>Aftercare</b> keeps your post-session notes: log one in under a minute "
    "right after the session, and look back at any client's history.\n"
    "Send /note to log a session, /history to see a client's notes."
)
HELP_THERAPIST = (
    "<b>What I can do</b>\n"
    "/note — log a session (client, areas, techniques, pressure, pain before/after, notes)\n"
    "/history — a client's notes, newest first (or /history Anna)\n"
    "/clients — your clients; each card has their plan, homework and invite link\n"
    "/plan, /homework — a client's treatment plan and exercises\n"
    "/invite — a link (and QR code) for a client to join the bot\n"
    "/exercise — add an exercise of your own to give as homework\n"
    "/refer — refer a client on (or /refer Anna): their consent, a letter, a follow-up\n"
    "/providers — the physicians, physiotherapists and others you refer to\n"
    "/progress — is a client improving? The verdict and a chart (or /progress Anna)\n"
    "/export — a client's whole record as PDF and CSV, to hand over\n"
    "/profile — your name, practice and contact on letters and records\n"
    "/cancel — stop the note you are writing; nothing is saved\n"
    "/help — this message"
)
STRANGER = (
    "Hello! This bot serves a massage practice's therapists and the clients they invite. "
    "If your therapist uses it, ask them for your personal invite link."
)
STRANGER_TAP = "This bot serves a practice's therapists and their invited clients."
TEXT_ONLY = "⚠️ I can only read typed text in a note."
CONFIRM_CANCEL = "Discard this note? Nothing of it will be saved."
DISCARD = "🗑 Yes, discard"
KEEP = "↩️ No, keep it"
# An edit changes nothing, and sending the text again would answer whatever is asked now.
EDITS_NOT_READ = (
    "✏️ I don't read edits, so nothing has changed. To change an answer, go ⬅️ Back to its "
    "question (or, on a note's summary, ✏️ Edit a field) and send it as a new message; a saved "
    "note is corrected with ✏️ Amend in /history."
)
EDITS_NOT_READ_CLIENT = (
    "✏️ I don't read edits, so nothing has changed. To tell me something, send it as a new message."
)
THERAPIST_IDLE_TEXT = "To log a session, send /note. /history shows a client's notes."
SOMETHING_WENT_WRONG = "Sorry — something went wrong on my side. Please try that again in a moment."
NOTE_AFTER_FAILURE = (
    "⚠️ Sorry — something went wrong on my side. Here is your note as it stands now; "
    "check the last step before you go on."
)
PRIVATE_ONLY = "I only work in a private chat with the practice's therapists and their clients."

COMMANDS_THERAPIST = [
    ("note", "Log a session"),
    ("clients", "Your clients and their cards"),
    ("history", "A client's notes"),
    ("plan", "A client's treatment plan"),
    ("homework", "A client's homework"),
    ("invite", "Invite a client to the bot"),
    ("exercise", "Add an exercise of your own"),
    ("export", "A client's record as PDF and CSV"),
    ("refer", "Refer a client on, with a letter"),
    ("providers", "Your referral network"),
    ("progress", "Is a client improving?"),
    ("profile", "Your letterhead"),
    ("cancel", "Stop the current note"),
    ("help", "What this bot does"),
]
COMMANDS_DEFAULT = [("start", "What this bot is"), ("help", "Help")]

# --- the note flow ---------------------------------------------------------------------

BACK = "⬅️ Back"
CANCEL = "✖️ Cancel"
DONE = "Done ➡️"
SKIP = "Skip ➡️"
SKIP_TO_SUMMARY = "⏭ Skip to summary"
NEW_CLIENT = "➕ New client"
OTHER = "Other…"
CLEAR = "🗑 Clear"
SAVE = "✅ Save"
EDIT_FIELD = "✏️ Edit a field"
CHANGE_DATE = "📅 Change date"
BACK_TO_SUMMARY = "⬅️ Back to summary"
CONTINUE = "▶️ Continue"
START_OVER = "🗑 Start over"
TODAY = "Today"
YESTERDAY = "Yesterday"
SHOW_RECENT = "Recent clients"

STALE_BUTTON = "That button belongs to an earlier note."
OLD_STEP_BUTTON = "That button is from an earlier step — use the latest message."
PICK_ONE_AREA = "Pick at least one area (or Other…)."
PICK_ONE_TECHNIQUE = "Pick at least one technique (or Other…)."
NOTHING_TO_CANCEL = "There is no note in progress. Send /note to start one."
CANCELLED = "✖️ Note cancelled — nothing was saved."
CLIENT_GONE = "That client is no longer in your list. Pick another."

STEP_CLIENT = (
    "📝 <b>New note</b> — which client?\n"
    "Tap one, type part of a name to search, or add a new client."
)
STEP_CLIENT_EMPTY = (
    "📝 <b>New note</b> — which client?\n"
    "Your client list is empty: tap ➕ New client, or type the client's name."
)
STEP_NEW_CLIENT = "📝 Type the new client's name (for example <i>Anna K.</i>)."
STEP_AREAS = "Which <b>areas</b> did you treat? Tap all that apply, then Done."
STEP_AREA_OTHER = "Type the other area treated (for example <i>left wrist</i>)."
STEP_TECHNIQUES = "Which <b>techniques</b>? Tap all that apply, then Done."
STEP_TECHNIQUE_OTHER = "Type the other technique (for example <i>cupping</i>)."
STEP_PRESSURE = "<b>Pressure</b>?"
STEP_PAIN_BEFORE = "<b>Pain before</b> the session, 0–10? (0 = no pain, 10 = worst imaginable)"
STEP_PAIN_AFTER = "<b>Pain after</b> the session, 0–10?"
STEP_DATE = "📅 <b>Session date</b>? Tap one, or type a date such as <i>23.11</i> or <i>23 Nov</i>."
STEP_EDIT_MENU = "✏️ Which field do you want to change?"

TEXT_PROMPTS: dict[TextField, str] = {
    TextField.SUBJECTIVE: (
        "What does the <b>client report</b>? (optional)\n"
        "<i>e.g. stiff neck after long drives, sleeps badly</i>"
    ),
    TextField.FINDINGS: (
        "Your <b>findings</b>? (optional)\n"
        "<i>e.g. ROM limited in left rotation, hypertonic R upper trapezius</i>"
    ),
    TextField.RESPONSE: (
        "<b>Response to treatment</b>? (optional)\n<i>e.g. rotation improved, tension eased</i>"
    ),
    TextField.PLAN_NEXT: (
        "<b>Plan for next time</b>? (optional)\n<i>e.g. continue neck work, add pec release</i>"
    ),
}
FIELD_LABELS: dict[TextField, str] = {
    TextField.SUBJECTIVE: "Client reports",
    TextField.FINDINGS: "Findings",
    TextField.RESPONSE: "Response",
    TextField.PLAN_NEXT: "Plan",
}

RE_ASK_PAIN = "⚠️ Send a number from 0 to 10, or tap one."
RE_TAP_CHOICES = "⚠️ Please tap the buttons below (or ⬅️ Back)."
RE_ASK_DATE = "⚠️ I couldn't use that date ({reason}). Type it like 23.11 or 23 Nov, or tap one."
TAP_SUMMARY = "⚠️ Tap ✅ Save, ✏️ Edit a field or ✖️ Cancel below."
MAX_HINT = f"(up to {MAX_TEXT_LENGTH:,} characters)"


def too_long(length: int, limit: int, *, sent: bool = False) -> str:
    """A typed text over its limit is refused whole, never cut (`sent`: it was to be sent)."""
    if sent:
        return (
            f"⚠️ That is {length:,} characters; a message holds up to {limit:,} here. "
            "Please shorten it and send it again — nothing was sent."
        )
    return (
        f"⚠️ That is {length:,} characters; this field holds up to {limit:,}. "
        "Please shorten it and send it again — nothing was saved from it."
    )


def bad_name(reason: str) -> str:
    return f"⚠️ That name won't work ({esc(reason)}). Type the client's name again."


def no_match(query: str) -> str:
    return f"No client matches “{esc(query)}”. Add them as a new client, or try another spelling."


def matches(query: str) -> str:
    return f"Clients matching “{esc(query)}”:"


def add_named_client(name: str) -> Plain:
    return f"➕ Add “{name}”"


def near_duplicate(name: str, existing: list[str]) -> str:
    listed = ", ".join(f"<b>{esc(n)}</b>" for n in existing)
    return (
        f"You already have {listed}. Is <b>{esc(name)}</b> the same person?\n"
        "Tap the existing client to use that record, or create a new one."
    )


def create_anyway(name: str) -> Plain:
    return f"➕ No, create “{name}”"


def use_existing(name: str) -> Plain:
    return f"Use {name}"


def note_for(name: str) -> str:
    return f"📝 Note for <b>{esc(name)}</b>"


def in_progress(name: str | None, step_label: Html) -> str:
    who = f" for <b>{esc(name)}</b>" if name else ""
    return (
        f"You have a note in progress{who} (at: {step_label}).\n"
        f"Continue the note{who}, or start over?"
    )


def saved(number: int, name: str, day: date, before: int, after: int) -> str:
    return f"Saved ✓ Note #{number} for {esc(name)}, {short_date(day)}. Pain {before} → {after}."


def short_date(day: date) -> str:
    return f"{day.day} {day:%b}"


def long_date(day: date, today: date) -> str:
    label = f"{day:%a} {day.day} {day:%b}"
    if day.year != today.year:
        label += f" {day.year}"
    if day == today:
        label += " (today)"
    elif (today - day).days == 1:
        label += " (yesterday)"
    return label


def area_labels(codes: list[str], other: str | None) -> Plain:
    return _labels(codes, other, AREAS)


def technique_labels(codes: list[str], other: str | None) -> Plain:
    return _labels(codes, other, TECHNIQUES)


def pressure_label(code: str | None) -> str:
    return PRESSURES.get(code or "", "—")


def _labels(codes: list[str], other: str | None, vocabulary: dict[str, str]) -> str:
    parts = [vocabulary.get(c, c) for c in codes]
    if other:
        parts.append(other)
    return ", ".join(parts) if parts else "—"


def excerpt(text: str, limit: int) -> Plain:
    """At most `limit` characters of a typed text, on one screen; says how much was left out."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + f"… ({len(text):,} characters in all)"


# --- history ---------------------------------------------------------------------------

HISTORY_PICK = "📖 Whose notes? Tap a client, or send /history and part of a name."
HISTORY_EMPTY_LIST = "You have no clients yet. Send /note to log the first session."
HISTORY_NO_NOTES = "No notes for {name} yet."
NEWER = "⬅️ Newer"
OLDER = "Older ➡️"
NOT_YOUR_CLIENT = "That client is not in your list."


def history_header(name: str, first: int, last: int, total: int) -> str:
    return f"📖 <b>{esc(name)}</b> — notes {first}–{last} of {total}, newest first"


def history_no_match(query: str) -> str:
    return f"No client matches “{esc(query)}”. Send /history to pick from your clients."


# --- clients on the bot: invites, consent, home, settings -----------------------------

COMMANDS_CLIENT = [
    ("start", "Your home: homework and settings"),
    ("homework", "Your current exercises"),
    ("settings", "Time zone, reminder time, quiet hours"),
    ("pause", "Pause reminders for a while"),
    ("stop", "No more messages until /resume"),
    ("resume", "Start reminders again"),
    ("mydata", "What the bot holds about you"),
    ("forgetme", "Erase your data"),
    ("help", "What this bot does"),
]
INVITE_PICK = "🔗 Invite which client? Tap one, or send /invite and part of a name."
INVITE_FOR_CLIENTS = (
    "This is a client's invite link: it works when the client opens it from their own "
    "Telegram account. You are one of the practice's therapists here, so it does nothing "
    "for you."
)
INVITE_UNKNOWN = "This invite link doesn't work. Please ask your therapist for a new one."
INVITE_EXPIRED = "This invite link has expired. Please ask your therapist for a new one."
INVITE_USED = (
    "This invite link has already been used. If that was you, just send /start. "
    "Otherwise, please ask your therapist for a new one."
)
INVITE_CLOSED = "This invite link is no longer valid. Please ask your therapist for a new one."
ALREADY_LINKED_ELSEWHERE = (
    "This Telegram account is already connected to a client record here. "
    "Please ask your therapist to help."
)
AGREE = "✅ I agree"
NO_THANKS = "No thanks"
CLIENT_DECLINED = (
    "No problem — nothing about you was stored, and nothing was sent to your therapist. "
    "If you change your mind, open the link again while it is valid."
)
STILL_CONNECTED = (
    "You're already connected, so nothing changed. /stop ends reminders and check-ins; "
    "/forgetme erases your data."
)
PICK_TIMEZONE = (
    "One last thing: <b>which time zone are you in?</b> Reminders come at your local time.\n"
    "Tap one, share your location with the 📍 button, or type your city or country "
    "(e.g. <i>Leeds</i>, <i>Germany</i>) or a zone name (e.g. <i>Europe/Madrid</i>)."
)
CHANGE_TIMEZONE = (
    "🌍 <b>Which time zone are you in now?</b> Tap one, share your location with the 📍 button, "
    "or type your city or country (e.g. <i>Leeds</i>, <i>Germany</i>) or a zone name "
    "(e.g. <i>Europe/Madrid</i>)."
)
LOCATION_BUTTON = "📍 Share my location"
LOCATION_OFFER = (
    "📍 The quickest way: tap <b>Share my location</b> below and I'll find your time zone "
    "from it. Only the time zone is kept, not where you are."
)
CITY_PLACEHOLDER = "Your city, e.g. Leeds"
LOCATION_NO_ZONE = (
    "⚠️ I found no time zone at that spot (out at sea?). Type your city or country instead, "
    "e.g. <i>Leeds</i> or <i>Germany</i>."
)
CLIENT_HELP = (
    "<b>Your commands</b>\n"
    "/start — your home: homework and next reminders\n"
    "/homework — your current exercises\n"
    "/settings — time zone, reminder time, quiet hours\n"
    "/pause — a break from reminders (a day, a week, until a date)\n"
    "/stop — nothing more until you send /resume\n"
    "/mydata — what the bot holds about you, also as PDF and CSV\n"
    "/forgetme — erase it\n"
    "/help — this message"
)
CLIENT_WRONG_COMMAND = (
    "That command is for therapists. Yours are /start, /homework, /settings and /help."
)
CLIENT_NO_HOMEWORK = "No homework yet — your therapist adds exercises after a session."
SETTINGS_REMINDER_TIME = "🕘 Reminder time"
SETTINGS_QUIET = "🌙 Quiet hours"
SETTINGS_TIMEZONE = "🌍 Time zone"
PICK_REMINDER_TIME = "At what time of day should homework reminders come (your time)?"
PICK_QUIET = "When should I never write to you? (Nothing is sent in these hours.)"
QUIET_NONE = "No quiet hours"
CLIENT_OTHER_TEXT = (
    "I send your homework and short check-ins; to talk to your therapist, message them "
    "directly. /homework · /settings · /help"
)
PRIVATE_LINK_NOTE = "Single use · valid until {until} · opens a consent card for the client."


def unknown_zone(typed: str) -> str:
    return (
        f"⚠️ I don't know the time zone “{esc(typed[:40])}”. Type a city near you or your "
        "country (e.g. <i>Leeds</i>, <i>Germany</i>), a zone name like <i>Europe/Madrid</i>, "
        "or share your location with the 📍 button."
    )


def zone_abbreviation(typed: str, offered: bool) -> str:
    """ "EST" and the like: a clock's name, and not the place, so summer time is unknown."""
    start = (
        f"⚠️ “{esc(typed[:12])}” names a clock, not a place, so I can't tell whether your clocks "
        "change for summer: reminders could come an hour off for half the year."
    )
    if offered:
        return f"{start} Tap the place whose time you keep, or type your city."
    return f"{start} Type your city or country instead, e.g. <i>Leeds</i> or <i>Germany</i>."


def zone_country_choice(country: str) -> str:
    return f"🌍 {esc(country)} has more than one time zone. Tap yours, or type your city."


def zone_city_choice(typed: str) -> str:
    return (
        f"🌍 There is more than one “{esc(typed[:40])}”, on different clocks. Tap yours, or "
        "type the city and its country, e.g. <i>Paris, France</i>."
    )


def zone_chosen(zone: str) -> str:
    return f"🌍 {esc(zone)}"


def consent_card(therapist: str, quiet: Html) -> str:
    return (
        f"👋 <b>{esc(therapist)}</b>, your massage therapist, invites you to Aftercare.\n\n"
        "<b>What is stored:</b> your therapist's notes from your sessions, and the ratings "
        "you send here (for example how your pain is).\n"
        "<b>What you will get:</b> reminders for the exercises your therapist gives you, and a "
        "short check-in every few days — a few messages a week at most, never during your "
        f"quiet hours ({quiet}).\n"
        "<b>Stopping:</b> /pause for a break, /stop for good (until /resume); change times "
        "with /settings.\n"
        "<b>Your data:</b> /mydata shows what is stored about you; /forgetme erases it.\n\n"
        "Is this OK?"
    )


def client_joined(name: str, therapist: str) -> str:
    return f"You're connected with <b>{esc(therapist)}</b> ✓"


def therapist_told_joined(name: str) -> str:
    return f"✅ {esc(name)} joined the bot."


def therapist_told_unreachable(name: str) -> str:
    return (
        f"⚠️ {esc(name)} has blocked the bot: nothing more will be sent to them until they "
        "start it again."
    )


def invite_message(
    name: str, link: str, until: Html, already_linked: bool, forgotten: bool = False
) -> str:
    caption = (
        f"🔗 Invite for <b>{esc(name)}</b> — send them this link, or show them the QR code "
        "below:\n"
        f"{esc(link)}\n\n" + PRIVATE_LINK_NOTE.format(until=until)
    )
    if forgotten:
        caption += (
            f"\n⚠️ {esc(name)} asked the bot to erase their data, so it will not contact them. "
            "Only if they open this link themselves and agree do they rejoin; what was erased "
            "stays erased."
        )
    if already_linked:
        caption += (
            f"\n⚠️ {esc(name)} is already on the bot. If this link is opened from another "
            "Telegram account (a new phone), their record moves to that account."
        )
    return caption


def invite_replaces(made: Html) -> str:
    return f"\n🔁 This replaces the link made {made}: that one no longer works."


def invite_qr_caption(name: str) -> str:
    return f"📷 The QR code of {esc(name)}'s link above, to scan from this screen."


INVITE_QR_FAILED = "⚠️ The QR code could not be sent; the link above works just the same."


def therapist_told_moved(name: str) -> str:
    return f"🔁 {esc(name)} moved to a new Telegram account; the old one no longer gets anything."


def my_consent(day: str, to: str, consent: Literal["given", "refused", "pending"]) -> Plain:
    """A line of /mydata: the client's answer to a request to share their treatment details."""
    said = {
        "given": "you allowed a summary of your treatment to go to",
        "refused": "you did not allow your treatment details to go to",
        "pending": "waiting for your answer: may a summary of your treatment go to",
    }[consent]
    return f"• {day}: {said} {to}" + ("?" if consent == "pending" else "")


CLIENT_MOVED_AWAY = (
    "Your therapist's record for you is now connected to another Telegram account, so this "
    "one will get no more messages. If that wasn't you, please tell your therapist."
)


def zone_button(zone: str, local_now: str, practice: bool, clock: str = "") -> Plain:
    """ "🏠 London · 10:00", or with the clock's names "Phoenix · 03:00 · MST all year"."""
    city = zone.rsplit("/", 1)[-1].replace("_", " ")
    return f"{'🏠 ' if practice else ''}{city} · {local_now}{f' · {clock}' if clock else ''}"


def clock_names(names: list[str]) -> Plain:
    """ "MST all year" or "EST/EDT": what a client who typed an abbreviation compares."""
    return f"{names[0]} all year" if len(names) == 1 else "/".join(names)


def zone_set(zone: str, local_now: Html, reminder: Html, quiet: Html) -> str:
    return (
        f"🌍 Time zone: <b>{esc(zone)}</b> (your time now: {local_now}).\n"
        f"Reminders come at {reminder} your time, never during quiet hours ({quiet}). "
        "Change this any time with /settings."
    )


def client_home(
    name: str, therapist: str, zone: str, reminder: Html, quiet: Html, homework: list[Html]
) -> str:
    before = f"👋 Hi {esc(name)}! You're connected with <b>{esc(therapist)}</b>.\n\n"
    after = (
        f"⚙️ Time zone {esc(zone)} · quiet hours {quiet} · new homework at {reminder}\n\n"
        "/homework · /settings · /help"
    )
    room = TEXT_LIMIT - len(before) - len(after) - len("🧘 <b>Homework</b>\n\n\n")
    work = "\n".join(fit(homework, room, _more_homework)) if homework else CLIENT_NO_HOMEWORK
    return f"{before}🧘 <b>Homework</b>\n{work}\n\n{after}"


def _more_homework(count: int) -> str:
    return f"… and {count} more — /homework shows them all"


def settings_card(zone: str, reminder: Html, quiet: Html) -> str:
    return (
        "⚙️ <b>Your settings</b>\n"
        f"Time zone: {esc(zone)}\nReminders at: {reminder}\nQuiet hours: {quiet}\n\n"
        "Tap one to change it."
    )


# --- the therapist's client list and card -----------------------------------------------

CLIENTS_EMPTY = "You have no clients yet. They are added with their first /note."
CLIENT_NO_MATCH = (
    "No client matches “{query}”. Send /note to log a session, /clients for your list."
)
CARD_NEW_NOTE = "📝 New note"
CARD_INVITE = "🔗 Invite link"
CARD_HISTORY = "📖 History"
CARD_BACK = "⬅️ All clients"


def clients_header(first: int, last: int, total: int) -> str:
    return (
        f"👥 <b>Your clients</b> — {first}–{last} of {total}, most recent first.\n"
        "Tap one, or type part of a name to find a client."
    )


def client_card(name: str, joined: Html, notes_line: Html, last_notes: list[Html]) -> str:
    lines = [f"👤 <b>{esc(name)}</b>", joined, notes_line]
    if last_notes:
        lines += ["", "<b>Last notes</b>", *last_notes]
    return "\n".join(lines)


# --- forms: plans and homework ---------------------------------------------------------

SHOW_ALL = "Show all"
STALE_FORM_BUTTON = "That button belongs to an earlier form."
FORM_CANCELLED = "✖️ Cancelled — nothing was saved."
TAP_FORM_SUMMARY = "⚠️ Tap ✅ Save, ✏️ Edit a field or ✖️ Cancel below."
PICK_AT_LEAST_ONE = "Pick at least one."
FINISH_NOTE_FIRST = (
    "You have a note in progress: finish it (or /cancel it) first, then come back to this."
)


def finish_form_first(title: Html) -> str:
    return f"You're in the middle of: {title}. Finish it or tap ✖️ Cancel there first."


END_IT = "⏹ Yes, end it"
KEEP_IT = "Keep it"


def end_homework(name: str) -> str:
    return f"End <b>{esc(name)}</b> for good? The client gets no more reminders for it."


HOMEWORK_GONE = "That assignment has ended meanwhile; nothing was changed."


def in_quiet_hours(at: Html, quiet: Html, ends: Html) -> str:
    return f"{at} is in the client's quiet hours ({quiet}): the reminder will come at {ends}."


CARD_PLAN = "📋 Plan"
CARD_HOMEWORK = "🧘 Homework"
CARD_PROGRESS = "📈 Progress"
CARD_RHYTHM = "📊 Check-ins"
RHYTHM_QUESTION = (
    "How often should the bot ask this client how they are doing between visits?\n"
    "<i>Pain now, compared with before the last session, and the plan's activity.</i>"
)


def rhythm_line(rhythm: Html) -> str:
    return f"📊 Check-in rhythm: {rhythm}."


def rhythm_choice(rhythm: str) -> Plain:
    return "No check-ins" if rhythm == "none" else rhythm[0].upper() + rhythm[1:]


def rhythm_set(rhythm: Html) -> str:
    return "No check-ins for this client." if rhythm == "none" else f"Check-ins: {rhythm}."


# --- progress and decision points -------------------------------------------------------

PROGRESS_PICK = "Whose progress? Tap a client or type a name."
CARD_OPEN = "👤 Open the card"
DECISION_ADJUST = "📋 Adjust plan"
DECISION_REFER = "↗️ Refer"
DECISION_CONTINUE = "▶️ Continue as planned"
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
    "noprog": "⏸ {name}: no meaningful change.",
    "improved": "🌱 {name} has improved meaningfully.",
    "end": "🏁 {name} has had the sessions the plan expected.",
}
_ANSWERS = {
    "adjust": "adjust the plan",
    "refer": "refer on",
    "continue": "continue as planned",
    "note": "send a note",
    "sent": "note sent",
}


def first_name(name: str) -> Plain:
    return name.split()[0] if name.split() else name


def progress_caption(name: str, summary: str) -> str:
    return f"📈 <b>{esc(name)}</b>\n{esc(summary)}"


def decision_prompt(name: str, kind: str, summary: str) -> str:
    title = _DECISION_TITLES.get(kind, "{name}").format(name=esc(name))
    if kind == "improved":
        return f"{title}\n{esc(summary)}"
    return f"{title}\n{esc(summary)}\n<i>What would you like to do?</i>"


def decision_send_note(first: str) -> Plain:
    return f"💬 Send {first} a note"


def decision_answered(name: str, summary: str, answer: Html, today: date) -> str:
    if answer == "refer":  # recorded only once the referral is saved
        return (
            f"{esc(summary)}\n↗️ Referring {esc(name)}: fill in the referral below. The decision "
            "is recorded when you save it; cancel it and this question comes back."
        )
    if answer == "adjust":  # recorded only once the plan is saved
        return (
            f"{esc(summary)}\n📋 Adjusting {esc(name)}'s plan: change it below. The decision "
            "is recorded when you save it; cancel it and this question comes back."
        )
    return (
        f"{esc(summary)}\n✓ Decided {long_date(today, today)}: "
        f"{_ANSWERS.get(answer, answer)} ({esc(name)})."
    )


def decision_already(answer: str) -> Plain:
    return f"Already decided: {_ANSWERS.get(answer, answer)}."


def improvement_note(first: str, therapist: str) -> Plain:
    """Plain text, not HTML: it goes to the client as the therapist's own words would."""
    return (
        f"Hi {first}, {therapist} here. Your ratings show a real, meaningful improvement since "
        "we started — well done. The stretches you have kept up are a big part of it. "
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
            f"<b>We'll track:</b> {esc(activity)} — I'll ask you now and then how it goes, 0–10."
        )
    return "\n".join(lines)


def homework_saved(exercise: str, name: str, when: str, sent: bool, blocked: bool) -> str:
    saved = f"✓ {esc(exercise)} for {esc(name)}: {esc(when)}"
    if sent:
        return _end(f"{saved} — sent to {esc(name)}")
    return f"{saved}. {not_sent(blocked)}"


def your_homework(therapist: str) -> str:
    return f"🧘 <b>Your homework from {esc(therapist)}</b>"


def chunks(header: Html, sections: list[Html], limit: int = 4096) -> list[str]:
    """Messages under Telegram's limit, split between sections (never inside one's markup)."""
    out, current = [], header
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


def homework_line(name: str, dose: str, when: str, paused: bool) -> str:
    state = " (paused)" if paused else ""
    return f"• <b>{esc(name)}</b> — {esc(dose)}; {esc(when)}{state}"


def exercise_saved(name: str) -> str:
    return (
        f"✓ {esc(name)} is in your exercises. It is offered when you give homework "
        "(type its name at the exercise question)."
    )


# --- homework reminders ----------------------------------------------------------------

REMINDER_DONE = "✅ Done"
REMINDER_SKIP = "⏭ Skip today"
REMINDER_LATER = "⏰ In 1 hour"
REMINDER_NOT_YOURS = "That reminder isn't one of yours."
REMINDER_ALREADY = "Already logged for that day."
SNOOZE_WAITING = "I'll already remind you again later today."
REMINDER_LOGGED = {"done": "✅ Done — logged", "skipped": "⏭ Skipped today — see you next time"}


def homework_reminder(name: str, dose: str, summary: str) -> str:
    return f"🧘 <b>{esc(name)}</b> — {esc(dose)}\n{esc(summary)}"


def reminder_snoozed(at: Html) -> str:
    return f"⏰ I'll remind you again at {at}."


# --- a client's pause, stop and resume -------------------------------------------------

PAUSE_ASK = "⏸ Pause reminders and check-ins for how long?"
PAUSE_DAY = "1 day"
PAUSE_WEEK = "1 week"
PAUSE_DATE = "Until a date…"
PAUSE_TYPE_DATE = "Type the last day of the pause, e.g. <i>12.12</i> or <i>12 Dec</i>."
STOPPED = (
    "⏹ Stopped. I won't send you anything until you send /resume. "
    "Your therapist can still see your record."
)
RESUMED = "▶️ Welcome back — reminders start again from now."
NOTHING_TO_RESUME = "Nothing is paused or stopped: your reminders are on."


def paused_until(until: Html) -> str:
    return f"⏸ Paused until {until}. Send /resume to start earlier."


def bad_pause_date(reason: str) -> str:
    return f"⚠️ I couldn't use that date ({esc(reason)}). Type it like 12.12 or 12 Dec."


# --- check-ins -------------------------------------------------------------------------

CHECK_IN_CLOSED = "That check-in has closed — a newer one is waiting for you."
CHECK_IN_NOT_YOURS = "That check-in isn't one of yours."
SKIP = "Skip ➡️"


def check_in_pain(therapist: str, area: str) -> str:
    return (
        f"📊 <b>Check-in from {esc(therapist)}</b>\n"
        f"How is your {esc(area)} today? <b>Pain right now</b>, 0–10 "
        "(0 = no pain, 10 = worst imaginable):"
    )


def check_in_change(area: str) -> str:
    return f"Compared with before your last session, your {esc(area)} is…"


def check_in_activity(activity: str) -> str:
    return (
        f"“{esc(activity)}” — how well can you do it now?\n"
        "0 = not at all, 10 = as well as before the problem"
    )


def check_in_comment(therapist: str) -> str:
    return f"Anything to add for {esc(therapist)}? Type it, or tap Skip."


def check_in_thanks(therapist: str, answers: Html) -> str:
    return f"Thank you ✓ {esc(therapist)} will see this before your next visit.\n{answers}"


def worse_alert(name: str, pain: Html, change: Html, comment: str | None) -> str:
    text = f"⚠️ <b>{esc(name)}</b> reports feeling worse: {pain}{change}."
    if comment:
        text += f"\n💬 “{esc(comment)}”"
    return text


def comment_added(name: str, comment: str) -> str:
    return f"💬 {esc(name)} added to their check-in: “{esc(comment)}”"


DIGEST_MORE = "… and {count} more — on each client's card (/clients)"


def digest(worse: list[str], answered: list[str], silent: list[str], homework: list[str]) -> str:
    """One message however many clients: a section too long for its share of Telegram's
    limit shows its first lines and counts the rest."""
    header = "☀️ <b>Good morning — since yesterday</b>"
    sections = [
        (title, [esc(item) for item in items], sep)
        for title, items, sep in (
            ("⚠️ Worse: ", worse, ", "),
            ("📊 Check-ins since yesterday:\n", answered, "\n"),
            ("🔕 Missed their last two check-ins: ", silent, ", "),
            ("🧘 Homework done in the last 7 days:\n", homework, "\n"),
        )
        if items
    ]
    room = TEXT_LIMIT - len(header) - sum(len(title) + 1 for title, _, _ in sections)
    rooms = shares(room, [len(sep.join(items)) for _, items, sep in sections])
    return "\n".join(
        [
            header,
            *(
                title + sep.join(fit(items, share, _digest_more, sep=sep))
                for (title, items, sep), share in zip(sections, rooms, strict=True)
            ),
        ]
    )


def _digest_more(count: int) -> str:
    return DIGEST_MORE.format(count=count)


def weekly(note: str) -> str:
    return f"🗓 {esc(note)}"


# --- records that travel: /export, amendments, /mydata, /forgetme ---------------------------

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
    return f"✏️ amended {count}× — last {last_day} ({esc(reason)})"


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
        (
            "<b>Sharing your details with other practitioners:</b>\n",
            consents or [],
            "\n",
            "",
            _earlier,
        ),
    ]
    escaped = [[esc(item) for item in items] for _, items, _, _, _ in lists]
    # The lists share what the rest leaves of one message (9 parts, 8 blank lines at most).
    fixed = [head, plan_part, settings_part, *closing, *(t + e for t, _, _, e, _ in lists)]
    rooms = shares(
        TEXT_LIMIT - sum(len(part) + 2 for part in fixed),
        [len(sep.join(items)) for items, (_, _, sep, _, _) in zip(escaped, lists, strict=True)],
    )
    sessions_part, homework_part, ratings_part, consents_part = (
        title + (sep.join(fit(items, room, tail, sep=sep, latest=True)) if items else empty)
        for items, room, (title, _, sep, empty, tail) in zip(escaped, rooms, lists, strict=True)
    )
    parts = [head, sessions_part, plan_part, homework_part, ratings_part, settings_part]
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
        "<b>Erased now, for good:</b> your ratings and comments between visits, your homework "
        "answers, your settings, the bot's record of every message it sent you or was going "
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
        "note, plan, homework, check-in and referral. To keep a copy, send "
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


# --- referrals: the provider network, /refer, the client's consent, the follow-up ----------

CARD_REFER = "↗️ Refer"
PROVIDERS_TITLE = "🩺 <b>Your referral network</b>"
PROVIDERS_EMPTY = (
    "No providers yet. Add the physicians, physiotherapists and others you refer clients to; "
    "/refer offers them first."
)
ADD_PROVIDER = "➕ Add provider"
EDIT_PROVIDER = "✏️ Edit"
ARCHIVE_PROVIDER = "🗄 Archive"
ALL_PROVIDERS = "⬅️ All providers"
ARCHIVE_IT = "🗄 Yes, archive"
PROVIDER_GONE = "That provider is not in your network."
PROVIDER_FORM_TITLE = "🩺 <b>Provider</b>"
PROVIDER_NAME_PROMPT = "Their <b>name</b>? <i>e.g. Dr Lee</i>"
PROVIDER_PROFESSION_PROMPT = "Their <b>profession</b>?"
PROVIDER_CLINIC_PROMPT = "Their <b>clinic</b> or practice? (optional)"
PROVIDER_PHONE_PROMPT = "Their <b>phone</b>? (optional) <i>e.g. +44 20 7946 0958</i>"
PROVIDER_EMAIL_PROMPT = "Their <b>email</b>? (optional)"
PROVIDER_NOTES_PROMPT = (
    "<b>Notes</b> for yourself? (optional) <i>e.g. takes referrals on Mondays</i>"
)
PROFILE_FORM_TITLE = "🪪 <b>Your letterhead</b> — on referral letters and records"
PROFILE_NAME_PROMPT = "Your <b>name</b> as letters should show it? <i>e.g. Maya Collins, LMT</i>"
PROFILE_PRACTICE_PROMPT = "Your <b>practice</b>'s name? (optional) <i>e.g. Riverside Massage</i>"
PROFILE_PHONE_PROMPT = "The <b>phone</b> a physician can reach you on? (optional)"
PROFILE_EMAIL_PROMPT = "Your <b>email</b> for replies? (optional)"


def profile_saved(name: str, practice: str | None) -> str:
    at = f", {esc(practice)}" if practice else ""
    return f"Saved ✓ Letters and records now come from <b>{esc(name)}</b>{at}."


BAD_EMAIL = "that doesn't look like an email address (it should read like name@example.com)"
BAD_PHONE = "a phone number has at least 5 digits, and only + ( ) - . / and spaces besides"


def providers_list(lines: list[Html]) -> str:
    room = TEXT_LIMIT - len(PROVIDERS_TITLE) - 2
    body = "\n".join(fit(lines, room, more_with_buttons)) if lines else PROVIDERS_EMPTY
    return f"{PROVIDERS_TITLE}\n\n{body}"


def more_with_buttons(count: int) -> str:
    return f"… and {count} more — each has its button below"


def provider_label(name: str, profession: str) -> Plain:
    return f"{name} · {profession}"


def provider_card(
    name: str,
    profession: str,
    clinic: str | None,
    phone: str | None,
    email: str | None,
    notes: str | None,
) -> str:
    lines = [f"🩺 <b>{esc(name)}</b> · {esc(profession)}"]
    for icon, value in (("🏥", clinic), ("📞", phone), ("✉️", email), ("🗒", notes)):
        if value:
            lines.append(f"{icon} {esc(value)}")
    return "\n".join(lines)


def archive_provider(name: str) -> str:
    return (
        f"Archive <b>{esc(name)}</b>? They leave your network and /refer no longer offers them; "
        "referrals already made keep their name."
    )


def provider_saved(name: str, profession: str) -> str:
    return f"Saved ✓ <b>{esc(name)}</b> · {esc(profession)} is in your network."


REFER_PICK = "↗️ Refer which client? Tap one, or send /refer and part of a name."
REFER_REASON_PROMPT = "<b>Why</b> refer them? Tap a reason, or type it in your own words."
REFER_TO_PROMPT = "<b>To whom</b>? One of your providers, or just a profession."
REFER_TO_HINT = (
    "Type part of a name to find a provider. Someone not in your network yet: pick their "
    "profession here, or cancel, add them with /providers, and refer again."
)
REFER_DONE_PROMPT = "check and send:"
ALLOW = "✅ Allow"
DONT_ALLOW = "✖️ Don't allow"
AGREED_IN_PERSON = "🤝 Client agreed in person"
REASON_ONLY_NOW = "📄 Reason only, now"
LETTER_SENT_ALREADY = "The letter was sent to you already."
DECISION_STILL_OPEN = "No referral was made, so this question is still open:"
PLAN_STILL_OPEN = "The plan was not changed, so this question is still open:"
NOT_ON_THE_BOT = "is not on the bot"
BLOCKED_THE_BOT = "has blocked the bot"
STOPPED_THE_BOT = "has stopped the bot's messages"
CONSENT_NOT_YOURS = "That question isn't for you."
CONSENT_ALREADY = "That was answered already — nothing was changed."
REFERRAL_GONE = "That referral is not in your list."


def letter_button(to: str) -> Plain:
    return f"📄 Letter to {to}"


def letter_again(name: str, pending: bool) -> Plain:
    if pending:  # nothing of their treatment goes out before they answer
        return f"{name} hasn't answered yet: the letter gives the reason only."
    return "Sending the letter again…"


SEEN = "✅ Seen"
NOT_YET = "⏳ Not yet — ask again in a week"
DECLINED = "✖️ Declined"
FOLLOW_UP_ALREADY = "That was answered already — nothing was changed."
MAX_REASON = 300


def referral_title(name: str) -> str:
    return f"↗️ <b>Referral for {esc(name)}</b>"


def no_progress_after(sessions: int) -> str:
    return f"No progress after {sessions} sessions"


def any_profession(profession: str) -> Plain:
    return f"Any {profession.lower()}" if profession != "Other" else "Someone else"


def referred_to(provider: str | None, profession: str) -> Plain:
    """ "Dr Lee (physiotherapist)", or "a physiotherapist" when no one is named."""
    if provider:
        return f"{provider} ({profession.lower()})"
    if profession == "Other":
        return "another professional"
    article = "an" if profession[:1].lower() in "aeiou" else "a"
    return f"{article} {profession.lower()}"


def reason_too_long(length: int) -> str:
    return f"that is {length:,} characters; a reason holds up to {MAX_REASON}"


def referral_asking(name: str, to: str) -> str:
    return (
        f"↗️ Referral saved: <b>{esc(name)}</b> → {esc(to)}.\n"
        f"I'm asking {esc(name)} in the bot whether I may send a summary of their treatment. "
        "The letter comes to you as soon as they answer. Rather not wait? "
        f"Tap “{REASON_ONLY_NOW}” for a letter with the reason alone; if they allow the "
        "summary later, a letter with it follows."
    )


def referral_unasked(name: str, to: str, why: Html) -> str:
    return (
        f"↗️ Referral saved: <b>{esc(name)}</b> → {esc(to)}.\n"
        f"{esc(name)} {why}, so I couldn't ask whether their treatment details may "
        "be shared: the letter below gives only the reason. If they agreed in person, tap below "
        "for a letter with the summary."
    )


def consent_question(therapist: str, to: str, reason: str) -> str:
    return (
        f"↗️ {esc(therapist)} would like to send a summary of your treatment to {esc(to)}.\n"
        f"Why: {esc(reason.rstrip(' .'))}.\n\n"
        "The summary has your session dates, what was treated, your pain scores and a chart "
        "of your progress, your plan and your exercises. If you don't allow it, the letter "
        "gives only the reason."
    )


def consent_thanks(allowed: bool, therapist: str, to: str) -> str:
    if allowed:
        return f"✅ Thank you — {esc(therapist)} will send the summary to {esc(to)}."
    return (
        f"✖️ Understood — no details of your treatment go to {esc(to)}; "
        f"{esc(therapist)}'s letter gives only the reason."
    )


def therapist_told_consent(name: str, allowed: bool, to: str) -> str:
    if allowed:
        return f"✅ {esc(name)} allowed the summary to go to {esc(to)}. Here is the letter:"
    return (
        f"✖️ {esc(name)} did not allow their treatment details to go to {esc(to)}. "
        "Here is the letter with the reason only:"
    )


def consent_not_asked(name: str) -> str:
    return (
        f"⚠️ I couldn't ask {esc(name)} about sharing their treatment details (they have "
        "blocked the bot or stopped its messages). Here is the letter with the reason only; "
        "if they agreed in person, tap below for one with the summary."
    )


def agreed_in_person(name: str) -> str:
    return f"🤝 Noted: {esc(name)} agreed in person. Here is the letter with the summary:"


def letter_caption(name: str, to: str, with_summary: bool) -> str:
    what = "with the treatment summary" if with_summary else "with the reason only"
    return f"📄 Referral letter for {esc(name)} to {esc(to)}, {what}. Forward it as it is."


def follow_up_question(name: str, to: str, referred_on: Html) -> str:
    return f"↗️ Did <b>{esc(name)}</b> see {esc(to)}? (referred {referred_on})"


def follow_up_answered(
    name: str, to: str, outcome: Literal["seen", "not_yet", "declined"], again: Html | None
) -> str:
    if outcome == "seen":
        return f"✅ {esc(name)} saw {esc(to)} — noted."
    if outcome == "declined":
        return f"✖️ {esc(name)} declined the referral to {esc(to)} — noted."
    return f"⏳ {esc(name)} hasn't seen {esc(to)} yet — I'll ask again on {again}."


CONSENT_WORDS = {
    "pending": "waiting for consent",
    "given": "consent given",
    "refused": "consent refused",
    "unasked": "reason only",
}
OUTCOME_WORDS = {"seen": "seen", "not_yet": "not seen yet", "declined": "decided not to go"}


def earlier_plan_versions(count: int) -> str:
    return f"… and {count} earlier version{'s' if count != 1 else ''} — all in 📄 Export record"


def earlier_referrals(count: int) -> str:
    return f"↗️ … and {count} earlier referral{'s' if count != 1 else ''} — all in 📄 Export record"


def referral_line(to: str, day: Html, consent: Html, outcome: Html | None) -> str:
    parts = [f"↗️ Referred to {esc(to)} {day}", CONSENT_WORDS.get(consent, consent)]
    if outcome:
        parts.append(OUTCOME_WORDS.get(outcome, outcome))
    return " — ".join(parts)


# --- the operators (bot/runtime/watch.py): counts and times only, never a client or a message -----

OPERATOR = (
    "You are this bot's operator: a short notice comes here when reminders fall behind, "
    "deliveries keep failing or a backup fails. Client records are for the practice's "
    "therapists only."
)
OPERATOR_TAP = "You are this bot's operator: notices only, no client records."
NOTICE_BACKUP_FAILED = (
    "⚠️ <b>Aftercare</b>: a backup failed, so the newest backup is older than it should be. "
    "The bot's log says why (<code>journalctl -u aftercare</code>)."
)


def notice_behind(minutes: int) -> str:
    return (
        f"⚠️ <b>Aftercare</b>: messages waiting in the outbox are {minutes} minutes late. "
        "Check that the bot is running, and its log (<code>journalctl -u aftercare</code>)."
    )


def notice_failing(count: int) -> str:
    return (
        f"⚠️ <b>Aftercare</b>: {count} messages failed to go out within the last hour or keep "
        "being retried. Telegram may be failing; the bot's log says more "
        "(<code>journalctl -u aftercare</code>)."
    )
