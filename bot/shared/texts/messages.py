"""Messages between a client and their therapist: what each of them sees."""

from __future__ import annotations

from .common import Html, Plain, esc

# --- the therapist -------------------------------------------------------------------------

REPLY_BUTTON = Plain("↩️ Reply")
MUTE_BUTTON = Plain("🔕 Only in working hours")
UNMUTE_BUTTON = Plain("🔔 Any time")
REPLY_CANCELLED = "Reply cancelled — nothing was sent."


def relayed(name: str, words: list[str], stamps: list[Html], held: Html | None) -> str:
    """A client's words for their therapist, each with when it was written; `held`: why they
    come now (written outside working hours)."""
    lines = [f"💬 <b>{esc(name)}</b> writes:"]
    several = len(words) > 1
    for text, stamp in zip(words, stamps, strict=True):
        lines.append(f"\n<i>{stamp}</i>\n{esc(text)}" if several or held else f"\n{esc(text)}")
    if held:
        lines.append(f"\n<i>{held}</i>")
    lines.append("\n↩️ Reply, or swipe this message to reply.")
    return "\n".join(lines)


def held_until_hours(hours: Html) -> Html:
    return Html(f"Written outside your working hours ({hours}), kept until now.")


def reply_prompt(name: str) -> str:
    return (
        f"↩️ <b>Reply to {esc(name)}</b> — type your message (up to 3,000 characters). "
        f"{esc(name)} sees it as from you. /cancel to send nothing."
    )


def reply_on_its_way(name: str, when: Html | None) -> str:
    if when is not None:
        return f"✓ Kept for {esc(name)}: they are in their quiet hours, it reaches them at {when}."
    return f"✓ Sent — {esc(name)} gets it now."


def reply_refused(name: str, reason: Html) -> str:
    return f"⚠️ Nothing was sent to {esc(name)}: {reason}"


REFUSED_STOPPED = Html("they stopped messages from the bot with /stop (until they send /resume).")
REFUSED_FORGOTTEN = Html("they asked the bot to forget them (/forgetme).")
REFUSED_BLOCKED = Html("they blocked the bot.")
REFUSED_NOT_ON_BOT = Html("they are not on the bot.")


def muted(name: str, hours: Html) -> Plain:
    return Plain(f"🔕 {name}'s messages outside {hours} now wait for your working hours.")


def unmuted(name: str) -> Plain:
    return Plain(f"🔔 {name}'s messages now reach you at any time.")


# --- the client ----------------------------------------------------------------------------


def from_therapist(therapist: str, text: str) -> str:
    """The therapist's reply, as the client sees it."""
    return f"💬 <b>{esc(therapist)}</b>:\n\n{esc(text)}"


def will_see_in_hours(therapist: str, hours: Html, at: Html) -> str:
    """Told once when the client's message waits for the therapist's working hours."""
    return (
        f"✓ Kept for {esc(therapist)}. They read messages {hours}, so they will see this "
        f"{at}. Anything more you write before then goes with it. If it is urgent, call the "
        "practice."
    )


def sent_to(therapist: str) -> str:
    return f"✓ Sent to {esc(therapist)}."


def goes_with_earlier(at: Html) -> str:
    return f"✓ Kept — it goes with your earlier message at {at}."


def paced(therapist: str, at: Html) -> str:
    """Told once when a client writing many messages in a row has the next ones gathered."""
    return (
        f"✓ Kept. You have sent {esc(therapist)} several messages in a few minutes: what you "
        f"write now reaches them together at {at}. Nothing is lost."
    )


def media_relayed(therapist: str, kind: Html) -> str:
    return (
        f"✓ Sent your caption to {esc(therapist)}. The {kind} itself is not passed on or "
        "kept — the bot relays words only. Show it at your next visit if it matters."
    )


def media_not_kept_with_comment(kind: Html) -> str:
    """After a check-in's comment given as a photo's (or a file's) caption."""
    return (
        f"Your caption is your comment. The {kind} itself is not kept — the bot keeps words "
        "only. Show it at your next visit if it matters."
    )


def media_not_relayed(therapist: str, kind: Html) -> str:
    return (
        f"I can pass on only typed words to {esc(therapist)}: the {kind} was not sent or "
        "kept. Type what you want to say and I'll send it."
    )
