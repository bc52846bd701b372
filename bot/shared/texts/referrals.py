"""What the bot says: referrals: the provider network, /refer, the client's consent, the follow-up.

The rules for every text (what is escaped, `Html` and `Plain`): bot/shared/texts/__init__.py.
"""

from __future__ import annotations

from typing import Literal

from bot.shared.bounded import TEXT_LIMIT, fit

from .common import Html, Plain, esc

CARD_REFER = "↗️ Refer"
# A provider of the referral network (🩺 is the client's health, on /today and the intake).
PROVIDER_MARK = "⚕️"
PROVIDERS_TITLE = f"{PROVIDER_MARK} <b>Your referral network</b>"
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
PROVIDER_FORM_TITLE = f"{PROVIDER_MARK} <b>Provider</b>"
PROVIDER_NAME_PROMPT = "Their <b>name</b>? <i>e.g. Dr Lee</i>"
PROVIDER_PROFESSION_PROMPT = "Their <b>profession</b>?"
PROVIDER_CLINIC_PROMPT = "Their <b>clinic</b> or practice? (optional)"
PROVIDER_PHONE_PROMPT = "Their <b>phone</b>? (optional) <i>e.g. +44 20 7946 0000</i>"
PROVIDER_EMAIL_PROMPT = "Their <b>email</b>? (optional)"
PROVIDER_NOTES_PROMPT = (
    "<b>Notes</b> for yourself? (optional) <i>e.g. takes referrals on Mondays</i>"
)
PROFILE_FORM_TITLE = "🪪 <b>Your letterhead</b> — on referral letters and records"
PROFILE_NAME_PROMPT = "Your <b>name</b> as letters should show it? <i>e.g. Sam Taylor, LMT</i>"
PROFILE_PRACTICE_PROMPT = (
    "Your <b>practice</b>'s name? (optional) <i>e.g. Harbour Street Massage</i>"
)
PROFILE_PHONE_PROMPT = "The <b>phone</b> a physician can reach you on? (optional)"
PROFILE_EMAIL_PROMPT = "Your <b>email</b> for replies? (optional)"


def profile_saved(name: str, practice: str | None) -> str:
    at = f", {esc(practice)}" if practice else ""
    return f"Saved ✓ Letters and records now come from <b>{esc(name)}</b>{at}."


# Asked inside /refer when the letterhead lacks them, so that the first letter carries them.
LETTERHEAD_NAME_PROMPT = (
    "📇 The letter goes out under your name: how should it be <b>signed</b>? "
    "<i>e.g. Sam Taylor, LMT</i>"
)
LETTERHEAD_CONTACT_PROMPT = (
    "📇 How can the letter's reader <b>reach you</b>? Your phone, your email, or both in one "
    "message. <i>e.g. +44 20 7946 0000, sam@example.com</i>"
)
LETTERHEAD_HINT = "Asked once: kept for later letters and records (/profile changes it)."
LETTERHEAD_CONTACT_HINT = (
    "Kept for later letters (/profile changes it). Skip it, and the letter asks them to "
    "reply through your client."
)
BAD_EMAIL = "that doesn't look like an email address (it should read like name@example.com)"
BAD_PHONE = "a phone number has at least 5 digits, and only + ( ) - . / and spaces besides"
BAD_CONTACT = "type a phone number, an email address, or both"


def contact_words(phone: str | None, email: str | None) -> Plain:
    return Plain(" · ".join(x for x in (phone, email) if x))


def providers_list(lines: list[Html]) -> str:
    room = TEXT_LIMIT - len(PROVIDERS_TITLE) - 2
    body = "\n".join(fit(lines, room, more_with_buttons)) if lines else PROVIDERS_EMPTY
    return f"{PROVIDERS_TITLE}\n\n{body}"


def more_with_buttons(count: int) -> str:
    return f"… and {count} more — each has its button below"


def provider_label(name: str, profession: str) -> Plain:
    return Plain(f"{name} · {profession}")


def provider_card(
    name: str,
    profession: str,
    clinic: str | None,
    phone: str | None,
    email: str | None,
    notes: str | None,
) -> str:
    lines = [f"{PROVIDER_MARK} <b>{esc(name)}</b> · {esc(profession)}"]
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
REFER_DONE_PROMPT = "check and save:"
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
    return Plain(f"📄 Letter to {to}")


def letter_again(name: str, pending: bool) -> Plain:
    if pending:  # nothing of their treatment goes out before they answer
        return Plain(f"{name} hasn't answered yet: the letter gives the reason only.")
    return Plain("Sending the letter…")


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
    return Plain(f"Any {profession.lower()}" if profession != "Other" else "Someone else")


def referred_to(provider: str | None, profession: str) -> Plain:
    """ "Dr Lee (physiotherapist)", or "a physiotherapist" when no one is named."""
    if provider:
        return Plain(f"{provider} ({profession.lower()})")
    if profession == "Other":
        return Plain("another professional")
    article = "an" if profession[:1].lower() in "aeiou" else "a"
    return Plain(f"{article} {profession.lower()}")


def reason_too_long(length: int) -> str:
    return f"that is {length:,} characters; a reason holds up to {MAX_REASON}"


def referral_asking(name: str, to: str, letterhead: Html | None = None) -> str:
    return (
        f"↗️ Referral saved: <b>{esc(name)}</b> → {esc(to)}.\n"
        f"I've asked {esc(name)} whether I may share a summary of their treatment; the letter "
        "comes to you when they answer."
    ) + (f"\n\n{letterhead}" if letterhead else "")


def referral_unasked(name: str, to: str, why: Html, letterhead: Html | None = None) -> str:
    return (
        f"↗️ Referral saved: <b>{esc(name)}</b> → {esc(to)}.\n"
        f"{esc(name)} {why}, so I couldn't ask to share their treatment details: the letter "
        "below gives the reason only. If they agreed in person, tap below."
    ) + (f"\n\n{letterhead}" if letterhead else "")


def no_letterhead(to: str, now: bool) -> Html:
    """A therapist with no phone or email on /profile: the letter could not be answered."""
    when = "This letter gives" if now else "Letters give"
    then = "to the next one" if now else "before the letter goes"
    return Html(
        f"📇 {when} no phone or email for you yet, so {esc(to)} could only reply through "
        f"your client. /profile adds them {then}."
    )


def consent_question(therapist: str, to: str, reason: str, intake: bool = False) -> str:
    """Asked before a letter: all that the summary holds is named (`intake`: the client's
    answers to the health questions go in it too), so that the client agrees to what is
    sent."""
    holds = (
        "your plan, your exercises and your answers to the health questions"
        if intake
        else ("your plan and your exercises")
    )
    return (
        f"↗️ {esc(therapist)} would like to send a summary of your treatment to {esc(to)}.\n"
        f"Why: {esc(reason[:1].upper() + reason[1:].rstrip(' .'))}.\n\n"
        "The summary has your session dates, what was treated, your pain scores and a chart "
        f"of your progress, {holds}. If you don't allow it, the letter gives only the reason."
    )


def consent_thanks(allowed: bool, therapist: str, to: str, questions: int = 0) -> str:
    """What happens next, said calmly: who sends what, who talks to whom, whom to ask. When
    `questions` for the letter follow, only the thanks: what happens next comes after them
    (`details_done`), so that the reassurance is the last thing the client reads."""
    if allowed:
        thanks = (
            f"✅ Thank you — {esc(therapist)} will send the summary to {esc(to)}; nothing is "
            "sent to them from this chat."
        )
        if questions:
            follow = "One optional question" if questions == 1 else "Two optional questions"
            verb = "follows" if questions == 1 else "follow"
            return f"{thanks}\n\n{follow} for the letter {verb} below."
        return f"{thanks}\n\n{_next_steps(therapist, to)}"
    return (
        f"✖️ Understood — no details of your treatment go to {esc(to)}; the letter gives "
        f"only the reason.\n\n{_ask_about_it(therapist)}"
    )


def _ask_about_it(therapist: str) -> str:
    return (
        f"Any question about it? Write it here and it goes to {esc(therapist)}, or ask at "
        "your next visit."
    )


def _next_steps(therapist: str, to: str) -> str:
    return (
        f"<b>What happens next:</b> {esc(therapist)} will talk the next step through with "
        f"you — when and how to see {esc(to)}. There is nothing you need to do now.\n\n"
        f"{_ask_about_it(therapist)}"
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


# After the client allows the summary: two optional questions, for the letter's reader.


def ask_birth_date(to: str) -> str:
    return (
        f"📄 For the letter to {esc(to)}, if you'd like: your <b>date of birth</b>, so they "
        "can match the letter to you. It is kept for referral letters only (/mydata shows "
        "it, /forgetme erases it).\n"
        "Type it like <i>14 March 1985</i>, or tap Skip."
    )


def ask_contact(to: str) -> str:
    return (
        f"📄 And, also optional: a <b>phone number or email</b> {esc(to)} may contact you on? "
        "It goes on the letter too.\nType one or both, or tap Skip."
    )


def bad_birth_date(reason: str) -> str:
    return (
        f"⚠️ {esc(reason[:1].upper() + reason[1:])}. Type your date of birth like "
        "<i>14 March 1985</i>, or tap Skip."
    )


def bad_client_contact(reason: str) -> str:
    return f"⚠️ {esc(reason[:1].upper() + reason[1:])}. Please try again, or tap Skip."


def details_done(therapist: str, to: str, given: bool) -> str:
    """The last answer in: thanks, then what happens next (the consent's thanks left it for
    here)."""
    said = (
        f"✅ Thank you — that goes on the letter to {esc(to)}."
        if given
        else f"✅ That's fine — the letter to {esc(to)} goes without them."
    )
    return f"{said}\n\n{_next_steps(therapist, to)}"


def details_late(therapist: str, to: str) -> str:
    """An answer after the letter went without it (`details_timed_out`): kept, nothing more
    asked."""
    return (
        f"✅ Thank you — saved. The letter to {esc(to)} has already gone without it; it will "
        "be on any later letter (/mydata shows it).\n\n"
        f"{_next_steps(therapist, to)}"
    )


DETAILS_LATE_SKIP = "The letter has already gone — nothing more is needed."


def waited_words(wait_hours: int) -> str:
    """ "2 days", "36 hours": how long the letter waits for the client's answers."""
    if wait_hours % 24 == 0:
        days = wait_hours // 24
        return f"{days} day{'s' if days != 1 else ''}"
    return f"{wait_hours} hour{'s' if wait_hours != 1 else ''}"


def therapist_told_details_asked(name: str, to: str, wait_hours: int) -> str:
    return (
        f"✅ {esc(name)} allowed the summary to go to {esc(to)}. I've asked them for their "
        "date of birth and a phone or email for the letter (both optional): the letter comes "
        f"when they have answered, or in {waited_words(wait_hours)} without them — or now "
        "with the button."
    )


def details_timed_out(name: str, missing: list[str], wait_hours: int) -> str:
    """The letter's wait is over: why it comes without what the client did not give."""
    what = " and ".join(missing) or "their answers"
    return (
        f"⏳ {esc(name)} hasn't answered in {waited_words(wait_hours)}, so here is the letter "
        f"without {esc(what)}:"
    )


def details_gone(to: str, birth: bool, contact: bool) -> str:
    """To a client who did not answer before the letter went (`details_timed_out`, the
    therapist's line): `birth` and `contact` say which they did not give."""
    missing = [w for w, lacks in ((YOUR_BIRTH, birth), (YOUR_CONTACT, contact)) if lacks]
    without = f" without {' and '.join(missing)}" if missing else ""
    return (
        f"📄 The letter to {esc(to)} has gone{without} — that's fine, nothing more is needed "
        "from you. Should you send it still, it is kept for any later letter."
    )


YOUR_BIRTH = "your date of birth"
YOUR_CONTACT = "a phone or email"
BIRTH_WORDS = "their date of birth"
CONTACT_WORDS = "their phone or email"

LETTER_NOW = "📄 The letter now"
