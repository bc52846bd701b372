"""How buttons are laid out in rows: every card's keyboard goes through `cards.button_rows`."""

from __future__ import annotations

from telegram import InlineKeyboardButton

from bot.shared.cards import ROW_CHARS, button_rows


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
        ["Cross-body shoulder stretch"],  # 27 + 4 characters would not fit 30
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
