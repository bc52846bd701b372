"""/today under each visit: the client's answer to its pre-visit question and their intake's
cautions as the card shows them (one function for both)."""

from __future__ import annotations

from bot.shared import texts


def test_a_visit_line_carries_the_health_answer_and_the_cards_cautions() -> None:
    warnings = texts.intake_warnings(["blood thinners"], 1)
    assert warnings == ["⚠️ blood thinners", "🚩 1 red flag"]
    line = texts.agenda_line(
        "Anna K.",
        texts.Html("11:00"),
        texts.Html("✅ confirmed"),
        5,
        6,
        None,
        [texts.agenda_check(None), *warnings],
    )
    assert line.splitlines() == [
        "<b>Anna K.</b> 11:00 ✅ confirmed · pain 5 (was 6)",
        "   🩺 No change since last visit · ⚠️ blood thinners · 🚩 1 red flag",
    ]
    assert texts.agenda_check(["medicines"]) == "🩺 Something changed: medicines"
    assert texts.AGENDA_CHECK_WAITING == "🩺 Health question not answered yet"
    # The card says the same words.
    card = texts.intake_card_line(texts.Html("2 Dec"), warnings)
    assert card == "Intake 2 Dec · ⚠️ blood thinners · 🚩 1 red flag"
