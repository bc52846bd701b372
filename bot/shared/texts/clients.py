"""What the bot says: clients on the bot: invites, consent, home, settings.

The rules for every text (what is escaped, `Html` and `Plain`): bot/shared/texts/__init__.py.
"""

from __future__ import annotations

from typing import Literal

from bot.shared.bounded import TEXT_LIMIT, fit
from practice.timezones import zone_clock, zone_place

from .common import Command, Commands, Html, Plain, esc, greeting

# A client's commands, in the menu's order and on /help.
CLIENT_COMMANDS = Commands(
    (
        Command(
            "start",
            "Your home: homework and next reminder",
            "your home: your homework and its next reminder",
        ),
        Command("homework", "Your current exercises", "your current exercises"),
        Command(
            "settings",
            "Time zone, check-in time, quiet hours",
            "time zone, check-in time, quiet hours",
        ),
        Command(
            "pause",
            "Pause reminders for a while",
            "a break from reminders (a day, a week, until a date)",
        ),
        Command("stop", "No more messages until /resume", "nothing more until you send /resume"),
        Command(
            "resume",
            "Start reminders again",
            "reminders and check-ins again, after a pause or a stop",
        ),
        Command(
            "mydata",
            "What the bot holds about you",
            "what the bot holds about you, also as PDF and CSV",
        ),
        Command("forgetme", "Erase your data", "erase it"),
        Command("help", "What this bot does", "this message"),
    )
)
COMMANDS_CLIENT = CLIENT_COMMANDS.menu()
INVITE_PICK = "🔗 Invite which client? Tap one, or send /invite and part of a name."
INVITE_NEW_BUTTON = "➕ Add and invite"


def invite_no_match(name: str, can_add: bool) -> str:
    """/invite with a name that is none of the therapist's clients: a new client, invited
    before their first session (so the intake is answered before it)."""
    if not can_add:
        return (
            f"No client matches “{esc(name)}”. Send /invite to pick from your clients; a new "
            "client with a name this long is added with their first /note."
        )
    return (
        f"No client matches “{esc(name)}”. Add <b>{esc(name)}</b> to your clients and make "
        "their invite? They can answer the intake questions before their first session."
    )


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
    "📍 Quickest of all: tap <b>Share my location</b> at the bottom of your screen and I'll "
    "find your time zone from it. Only the time zone is kept, not where you are."
)
CITY_PLACEHOLDER = "Your city, e.g. Leeds"
LOCATION_NO_ZONE = (
    "⚠️ I found no time zone at that spot (out at sea?). Type your city or country instead, "
    "e.g. <i>Leeds</i> or <i>Germany</i>."
)
CLIENT_HELP = CLIENT_COMMANDS.help(
    "Your commands",
    "Anything else you type here goes to your therapist, who can reply here.",
)
CLIENT_WRONG_COMMAND = (
    "That command is for therapists. Yours are in the menu (☰ next to the message box), "
    "and all of them on /help."
)
CLIENT_NO_HOMEWORK = "No homework yet — your therapist adds exercises after a session."
SETTINGS_REMINDER_TIME = "🕘 Check-in time"
SETTINGS_QUIET = "🌙 Quiet hours"
SETTINGS_TIMEZONE = "🌍 Time zone"
PICK_REMINDER_TIME = (
    "At what time of day should check-ins come (your time)? Your therapist also gets it as "
    "the time for new exercises; each exercise already given keeps its own time."
)
PICK_QUIET = "When should I never write to you? (Nothing is sent in these hours.)"
QUIET_NONE = "No quiet hours"
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
    return f"🌍 {esc(zone_clock(zone))}"


def consent_card(therapist: str, quiet: Html) -> str:
    return (
        f"👋 <b>{esc(therapist)}</b>, your massage therapist, invites you to Aftercare.\n\n"
        "<b>What is stored:</b> your therapist's notes from your sessions, and the ratings "
        "you send here (for example how your pain is).\n"
        "<b>What you will get:</b> a reminder on each day an exercise your therapist gives you "
        "is due, a short check-in every few days, and a reminder the day before each visit — "
        f"never during your quiet hours ({quiet}).\n"
        "<b>Stopping:</b> /pause for a break; /stop ends all messages, and /resume starts "
        "them again; change times with /settings.\n"
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
    return Plain(f"• {day}: {said} {to}" + ("?" if consent == "pending" else ""))


CLIENT_MOVED_AWAY = (
    "Your therapist's record for you is now connected to another Telegram account, so this "
    "one will get no more messages. If that wasn't you, please tell your therapist."
)


def zone_city(zone: str) -> Plain:
    """A zone as the place it is named after: "Europe/London" → "London"."""
    return Plain(zone_place(zone))


def zone_button(zone: str, local_now: str, practice: bool, clock: str = "") -> Plain:
    """ "🏠 London · 10:00", or with the clock's names "Phoenix · 03:00 · MST all year"."""
    city = zone_city(zone)
    return Plain(f"{'🏠 ' if practice else ''}{city} · {local_now}{f' · {clock}' if clock else ''}")


def clock_names(names: list[str]) -> Plain:
    """ "MST all year" or "EST/EDT": what a client who typed an abbreviation compares."""
    return Plain(f"{names[0]} all year" if len(names) == 1 else "/".join(names))


def zone_set(zone: str, local_now: Html, reminder: Html, quiet: Html) -> str:
    return (
        f"🌍 Time zone: <b>{esc(zone_clock(zone))}</b> (your time now: {local_now}).\n"
        f"Check-ins come at {reminder} your time and each exercise at the time your therapist "
        f"sets, never during quiet hours ({quiet}). Change this any time with /settings."
    )


def client_home(
    name: str,
    therapist: str,
    zone: str,
    reminder: Html,
    quiet: Html,
    homework: list[Html],
    next_reminder: Html | None = None,
    plan: tuple[str, str] | None = None,
    next_visit: Html | None = None,
) -> str:
    """`plan`: the current plan's complaint and goal, as typed (bounded by its form);
    `next_visit`: the next visit booked (texts.next_visit_notice)."""
    before = f"👋 {esc(greeting(name))}! You're connected with <b>{esc(therapist)}</b>.\n\n"
    if next_visit is not None:
        before += f"{next_visit}\n\n"
    if plan is not None:
        before += f"📋 <b>Your plan:</b> {esc(plan[0])} — goal: {esc(plan[1])}\n\n"
    coming = f"⏰ Next reminder: {next_reminder}\n\n" if next_reminder else ""
    after = (
        f"{coming}⚙️ {esc(zone_clock(zone))} · quiet hours {quiet} · check-ins at {reminder}\n\n"
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
        f"Time zone: {esc(zone_clock(zone))}\nCheck-ins at: {reminder}\nQuiet hours: {quiet}\n\n"
        "Tap one to change it."
    )


def next_reminder(day: Html, exercise: str) -> Html:
    """ "Thu 3 Dec, 08:00 — Chin tucks"."""
    return Html(f"{day} — {esc(exercise)}")
