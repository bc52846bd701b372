"""What the bot says: welcome, help, access.

The rules for every text (what is escaped, `Html` and `Plain`): bot/shared/texts/__init__.py.
"""

from __future__ import annotations

from .common import Command, Commands, esc


def welcome_therapist(digest_at: str) -> str:
    """/start for a therapist: the day's work first, the rest on /help."""
    return (
        "👋 <b>Aftercare</b> keeps your session notes and follows your clients between visits.\n\n"
        "<b>After a session:</b> /note — about a minute, mostly taps.\n"
        "<b>New client?</b> /invite them: the exercises you give, their reminders and short "
        "check-ins then reach them here.\n"
        "<b>Between visits</b> I tell you who is improving and who is not, and every morning at "
        f"{esc(digest_at)} a digest of what changed.\n\n"
        "/clients — your clients' cards · /help — everything else"
    )


# The therapist's commands, in the menu's order and on /help.
THERAPIST_COMMANDS = Commands(
    (
        Command(
            "note",
            "Log a session",
            "log a session (client, areas, techniques, pressure, pain before/after, notes)",
        ),
        Command(
            "clients",
            "Your clients and their cards",
            "your clients; each has a card with their visits, plan, homework and invite link",
        ),
        Command(
            "today",
            "Today's visits",
            "today's visits, each with the client's answer, latest check-in and homework",
        ),
        Command("week", "The next 7 days' visits", "the visits of the next 7 days"),
        Command("book", "Book a client's next visit", "book a client's next visit (or /book Anna)"),
        Command(
            "calendar",
            "Upcoming visits for your calendar",
            "your upcoming visits in one file for your phone's calendar",
        ),
        Command("history", "A client's notes", "a client's notes, newest first (or /history Anna)"),
        Command("plan", "A client's treatment plan", "a client's treatment plan (or /plan Anna)"),
        Command("homework", "A client's homework", "the exercises a client does between visits"),
        Command(
            "invite", "Invite a client to the bot", "a link (and QR code) for a client to join"
        ),
        Command(
            "exercise",
            "Add an exercise of your own",
            "add an exercise of your own to give as homework",
        ),
        Command(
            "export", "A client's record as PDF and CSV", "a client's whole record, to hand over"
        ),
        Command(
            "refer",
            "Refer a client on, with a letter",
            "refer a client on (or /refer Anna): their consent, a letter, a follow-up",
        ),
        Command(
            "intake",
            "A client's health intake: fill in or update",
            "a client's health intake: read it, fill it in or update it (or /intake Anna)",
        ),
        Command(
            "providers",
            "Your referral network",
            "the physicians, physiotherapists and others you refer to",
        ),
        Command(
            "progress",
            "Is a client improving?",
            "is a client improving? The verdict and a chart (or /progress Anna)",
        ),
        Command("profile", "Your letterhead", "your name, practice and contact on letters"),
        Command(
            "cancel", "Stop the current note", "stop the note you are writing; nothing is saved"
        ),
        Command("help", "What this bot does", "this message"),
    )
)
COMMANDS_THERAPIST = THERAPIST_COMMANDS.menu()
HELP_THERAPIST = THERAPIST_COMMANDS.help("What I can do")
UNKNOWN_COMMAND_THERAPIST = (
    "I don't know that command. Yours are in the menu (☰ next to the message box), "
    "and all of them on /help."
)
UNKNOWN_COMMAND_CLIENT = (
    "I don't know that command. Yours are in the menu (☰ next to the message box), "
    "and all of them on /help."
)
STRANGER = (
    "Hello! This bot serves a massage practice's therapists and the clients they invite. "
    "If your therapist uses it, ask them for your personal invite link."
)
STRANGER_TAP = "This bot serves a practice's therapists and their invited clients."
TEXT_ONLY = "⚠️ I can only read typed text in a note."
FORWARDED_NOT_READ = (
    "↪️ That is a forwarded message: I didn't read it as a note or as a client's name. "
    "Type the note yourself (“Anna: neck, Swedish, pain 6 → 3”), or send /note."
)


def cannot_use(kind: str) -> str:
    """Outside a note, a message the bot has no use for (a sticker, a file): what it reads."""
    return (
        f"🤔 I can't use {esc(kind)} here. I read notes typed in one message (“Anna: neck, "
        "Swedish, pain 6 → 3”) or spoken in a voice message; /note walks you through one, "
        "and /help lists the rest."
    )


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
# A chart, a document or a recording asked for while the bot stops (workers.PoolClosed).
RESTARTING = "The bot is restarting — please try again in a minute."
NOTE_AFTER_FAILURE = (
    "⚠️ Sorry — something went wrong on my side. Here is your note as it stands now; "
    "check the last step before you go on."
)
PRIVATE_ONLY = "I only work in a private chat with the practice's therapists and their clients."

COMMANDS_DEFAULT = [("start", "What this bot is"), ("help", "Help")]
