"""Messages built from lists that grow (clients, check-ins, referrals, plan versions) are
bounded to what Telegram takes and never cut silently: what does not fit is counted in a tail
line ("… and 12 more — in the PDF").

Lengths are measured on the HTML as sent; Telegram counts the text after its tags are parsed,
which is never longer, so a message measured here always fits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from telegram.constants import CallbackQueryLimit, MessageLimit

TEXT_LIMIT = MessageLimit.MAX_TEXT_LENGTH  # a message's text: 4096
CAPTION_LIMIT = MessageLimit.CAPTION_LENGTH  # a photo's or document's caption: 1024
TAP_ANSWER_LIMIT = CallbackQueryLimit.ANSWER_CALLBACK_QUERY_TEXT_LENGTH  # a tap's answer: 200


def fit(
    items: Sequence[str],
    room: int,
    tail: Callable[[int], str],
    *,
    sep: str = "\n",
    latest: bool = False,
) -> list[str]:
    """The first `items` that fit in `room` characters when joined by `sep`, and, when some
    do not, `tail(n)` for the n left out (its own room kept). With `latest`, the last items
    (of a list oldest first), after the tail."""
    if len(sep.join(items)) <= room:
        return list(items)
    if latest:
        kept = fit(items[::-1], room, tail, sep=sep)
        return [kept[-1], *kept[-2::-1]]
    kept = []
    used = 0
    for index, item in enumerate(items):
        rest = len(items) - index - 1
        need = used + len(item) + len(sep) + (len(tail(rest)) if rest else 0)
        if need > room:
            break
        kept.append(item)
        used += len(item) + len(sep)
    return [*kept, tail(len(items) - len(kept))]


def shares(room: int, sizes: Sequence[int]) -> list[int]:
    """`room` split among parts that want `sizes`: those that want less than an even share get
    all they want, and what they leave goes to the others."""
    given = [0] * len(sizes)
    left, waiting = room, sorted(range(len(sizes)), key=lambda i: sizes[i])
    for position, index in enumerate(waiting):
        given[index] = min(sizes[index], left // (len(waiting) - position))
        left -= given[index]
    return given
