"""Referring a client on: to whom, and why.

A massage therapist does not diagnose; a referral says "this is for someone else to look at".
The suggestions only order the buttons: the therapist may pick any profession for any reason.
Codes are stored and go into callback data (short ascii); labels are shown.
"""

from __future__ import annotations

PHYSICIAN = "physician"
PHYSIO = "physio"
CHIRO = "chiro"
OSTEO = "osteo"
TRAINER = "trainer"
PSYCH = "psych"
OTHER = "other"

PROFESSIONS: dict[str, str] = {
    PHYSICIAN: "Physician",
    PHYSIO: "Physiotherapist",
    CHIRO: "Chiropractor",
    OSTEO: "Osteopath",
    TRAINER: "Personal trainer",
    PSYCH: "Psychologist",
    OTHER: "Other",
}


def profession_label(code: str) -> str:
    """The profession's name; a code not known (an old row) reads "Other"."""
    return PROFESSIONS.get(code, PROFESSIONS[OTHER])


DISC = "disc"
NO_PROGRESS = "noprog"
SYSTEMIC = "systemic"
SCOPE = "scope"
STRENGTH = "strength"
MOOD = "mood"
REQUEST = "request"

REASONS: dict[str, str] = {
    DISC: "Suspected disc or joint problem",
    NO_PROGRESS: "No progress with massage",
    SYSTEMIC: "Possible systemic or medical cause",
    SCOPE: "Beyond the scope of massage",
    STRENGTH: "Needs strength or conditioning work",
    MOOD: "Stress, mood or sleep",
    REQUEST: "The client asked",
}

# The reason as the client reads it when asked for consent: what the therapist hopes the
# other professional can do, said kindly and never as a diagnosis. The therapist's own
# wording (a typed reason, "No progress after 8 sessions") is for the letter.
REASONS_FOR_CLIENT: dict[str, str] = {
    DISC: "to have your back and joints looked at by someone who examines them",
    NO_PROGRESS: (
        "massage alone hasn't brought the change you both hoped for, and someone with other "
        "skills may be able to help you further"
    ),
    SYSTEMIC: (
        "to have a doctor check that nothing else is behind what you feel — a usual precaution"
    ),
    SCOPE: "some of what you feel is outside what massage can treat, and they can help with it",
    STRENGTH: "strength and conditioning work would help you next",
    MOOD: "support with stress, mood or sleep may help alongside your massage",
    REQUEST: "you asked for it",
}
CLIENT_REASON_OTHER = "they think another professional can help you further"


def reason_for_client(reason: str) -> str:
    """ "massage alone hasn't brought the change …" for a reason code (a kind default else)."""
    return REASONS_FOR_CLIENT.get(reason, CLIENT_REASON_OTHER)


# Most fitting first. A structural problem is for those who examine joints and discs; a
# suspected medical cause, or anything beyond massage, goes to a physician first.
SUGGESTIONS: dict[str, tuple[str, ...]] = {
    DISC: (PHYSICIAN, PHYSIO, CHIRO, OSTEO),
    NO_PROGRESS: (PHYSIO, PHYSICIAN),
    SYSTEMIC: (PHYSICIAN,),
    SCOPE: (PHYSICIAN,),
    STRENGTH: (TRAINER, PHYSIO),
    MOOD: (PSYCH, PHYSICIAN),
}


# What a referral letter asks of the colleague: the sentence a reader acts on. Never a
# diagnosis: the therapist asks them to look, and says what would help massage go on safely.
ASKS: dict[str, str] = {
    PHYSICIAN: (
        "Would you please assess them, and let me know whether anything should be ruled out or "
        "treated first, and whether massage may continue (with any precautions)?"
    ),
    PHYSIO: (
        "Would you please assess and, if you think fit, treat them, and let me know whether "
        "massage should continue alongside, and with what precautions?"
    ),
    CHIRO: (
        "Would you please assess them, and let me know whether massage should continue "
        "alongside your care, and with what precautions?"
    ),
    OSTEO: (
        "Would you please assess them, and let me know whether massage should continue "
        "alongside your care, and with what precautions?"
    ),
    TRAINER: (
        "Would you please work with them on strength and conditioning, and let me know what "
        "you plan, so that the massage supports it?"
    ),
    PSYCH: (
        "Would you please see them about stress, mood or sleep? Massage can continue "
        "alongside; I would welcome anything you think I should know."
    ),
}
ASK_OTHER = "Would you please see them, and let me know anything I should know for their massage?"


def ask_of(profession: str) -> str:
    """What the letter asks of a colleague of `profession` (a code, or its label)."""
    code = next((c for c, label in PROFESSIONS.items() if profession in (c, label)), OTHER)
    return ASKS.get(code, ASK_OTHER)


def suggested_professions(reason: str) -> tuple[str, ...]:
    """Profession codes to offer first for a reason code. The client's own request, or a
    reason not known (an old button), suggests every profession: the therapist chooses."""
    return SUGGESTIONS.get(reason, tuple(p for p in PROFESSIONS if p != OTHER))


def profession_choices(reason: str) -> tuple[str, ...]:
    """All profession codes for the keyboard: the suggested ones first, "other" last."""
    first = suggested_professions(reason)
    rest = tuple(p for p in PROFESSIONS if p not in first and p != OTHER)
    return (*first, *rest, OTHER)


def referral_line(profession: str, reason: str) -> str:
    """ "Referred to: Physiotherapist — No progress with massage" for the note and history."""
    who = PROFESSIONS.get(profession, PROFESSIONS[OTHER])
    why = REASONS.get(reason)
    return f"Referred to: {who} — {why}" if why else f"Referred to: {who}"
