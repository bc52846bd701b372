"""How buttons are laid out in rows: every card's keyboard goes through `cards.button_rows`."""

from __future__ import annotations

from telegram import InlineKeyboardButton

from bot.shared.cards import ROW_CHARS, button_rows, fits_a_row, label_width


def _labels(rows: list[list[InlineKeyboardButton]]) -> list[list[str]]:
    return [[button.text for button in row] for row in rows]


def _buttons(*labels: str) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(label, callback_data=str(i)) for i, label in enumerate(labels)]


def test_short_labels_share_a_row_and_long_ones_get_their_own() -> None:
    rows = button_rows(
        _buttons("Yes", "No", "Upper trapezius stretch", "Cross-body shoulder stretch", "Back")
    )
    assert _labels(rows) == [
        ["Yes", "No"],
        ["Upper trapezius stretch"],
        ["Cross-body shoulder stretch"],  # 27 + 4 characters would not fit 32
        ["Back"],
    ]


def test_no_row_is_wider_than_a_phone_or_than_its_columns() -> None:
    labels = [f"{'x' * (n % 17 + 1)}" for n in range(40)]
    for columns in (1, 2, 3):
        rows = button_rows(_buttons(*labels), columns)
        assert [label for row in _labels(rows) for label in row] == labels  # kept, in order
        for row in rows:
            assert len(row) <= columns
            assert len(row) == 1 or sum(len(b.text) for b in row) <= ROW_CHARS


def test_two_labels_share_a_row_only_when_each_fits_half_of_it() -> None:
    # Telegram gives each button of a row the same width: 16 characters a half.
    assert fits_a_row(["A few days", "A few weeks"]) and fits_a_row(["📄 Export record", "Hi"])
    assert fits_a_row(["x" * 16, "y" * 16]) and not fits_a_row(["x" * 17, "y" * 15])
    # Seen sharing a row and cut on a phone: pairs of 40 to 47 characters.
    assert not fits_a_row(["Bladder or bowel changes", "Weakness in the legs"])  # 44
    assert not fits_a_row(["Longer than 3 months", "On and off for years"])  # 40
    assert not fits_a_row(["🤝 Client agreed in person", "📄 Reason only, now"])
    # Short beside long is cut too: the long one has only half the row.
    assert not fits_a_row(["No", "Cross-body shoulder stretch"])
    assert fits_a_row(["Cross-body shoulder stretch and more besides"])  # alone, always
    assert fits_a_row(["07:00", "✓ 08:00", "09:00"])  # three of up to 10


def test_an_emoji_is_as_wide_as_two_letters() -> None:
    assert label_width("Yes") == 3
    assert label_width("🤝 Client") == 9  # the emoji two, the space and six letters
    assert label_width("✔️ Seen") == 7  # its variation selector counts once
    assert label_width("👨\u200d⚕️") == 4  # a joined emoji: the joiner counts none


def test_ticking_a_checklist_never_moves_its_buttons() -> None:
    labels = ["Neck", "Lower back", "Upper back", "Shoulders", "Hips", "Trigger point"]
    plain = button_rows(_buttons(*labels), tick="✓ ")
    for i, label in enumerate(labels):
        ticked = [f"✓ {x}" if j == i else x for j, x in enumerate(labels)]
        rows = button_rows(_buttons(*ticked), tick="✓ ")
        assert [len(r) for r in rows] == [len(r) for r in plain], label
