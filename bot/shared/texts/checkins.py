"""What the bot says: check-ins.

The rules for every text (what is escaped, `Html` and `Plain`): bot/shared/texts/__init__.py.
"""

from __future__ import annotations

from bot.shared.bounded import TEXT_LIMIT, fit, shares
from practice.checkins import ACTIVITY_ANCHORS, PAIN_ANCHORS

from .common import Html, esc

CHECK_IN_CLOSED = "That check-in has closed — a newer one is waiting for you."
CHECK_IN_NOT_YOURS = "That check-in isn't one of yours."


def check_in_pain(therapist: str, area: str) -> str:
    return (
        f"📊 <b>Check-in from {esc(therapist)}</b>\n"
        f"How is your {esc(area)} today? <b>Pain right now</b>, 0–10 "
        f"({PAIN_ANCHORS}):"
    )


def check_in_change(area: str) -> str:
    return f"Compared with before your last session, your {esc(area)} is…"


def check_in_activity(activity: str) -> str:
    return f"“{esc(activity)}” — how well can you do it now?\n{ACTIVITY_ANCHORS}"


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


def digest(
    worse: list[str],
    answered: list[str],
    silent: list[str],
    homework: list[str],
    limit: int = TEXT_LIMIT,
) -> str:
    """One message however many clients: a section too long for its share of Telegram's
    limit (or of `limit`, when the day's visits come first) shows its first lines and counts
    the rest."""
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
    room = limit - len(header) - sum(len(title) + 1 for title, _, _ in sections)
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
