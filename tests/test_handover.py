"""What helped and what did not (practice.handover): relief during sessions, judged by whether
it lasts, and homework named where it explains the verdict. Less than a meaningful change is
not a result: it is listed with what did not help, saying so."""

from __future__ import annotations

from practice.handover import what_helped
from practice.progress import Verdict


def by_session(*drops: int, first: int = 1) -> dict[int, int]:
    """Pain drops at consecutive sessions numbered from `first`."""
    return {first + i: drop for i, drop in enumerate(drops)}


def test_relief_on_the_table_that_does_not_last_is_said_plainly() -> None:
    found = what_helped(
        {"Swedish": by_session(2, 2, 1, 2), "Myofascial release": by_session(2, 2, 2, 1, first=5)},
        Verdict.NO_CHANGE,
        8,
        0.29,
    )
    assert found.not_helped == [
        "The relief during sessions (pain −1.8 on average) does not last: "
        "no meaningful change after 8 sessions",
        "Swedish: only a little relief during sessions, pain −1.8 points on average "
        "(4 sessions); a meaningful change is 2 points or more",
        "Myofascial release: only a little relief during sessions, pain −1.8 points on average "
        "(4 sessions); a meaningful change is 2 points or more",
        "Too little to judge the exercises: homework done on 29 % of the days it was due",
    ]
    assert found.helped == []  # nothing that counts


def test_an_improving_client_names_the_lasting_relief_and_the_homework() -> None:
    found = what_helped(
        {"Trigger point": by_session(3, 3), "Cupping": by_session(0, first=3)},
        Verdict.IMPROVING,
        6,
        0.89,
    )
    assert found.helped == [
        "The relief lasts: a meaningful improvement over 6 sessions",
        "Trigger point: pain fell by 3.0 points during sessions (2 sessions)",
        "The client kept up the exercises: homework done on 89 % of the days it was due",
    ]
    assert found.not_helped == ["Cupping: pain barely changed during sessions (1 session)"]


def test_too_early_to_say_says_nothing_about_the_whole() -> None:
    found = what_helped({"Swedish": by_session(3)}, Verdict.NOT_ENOUGH_DATA, 1, None)
    assert found.helped == ["Swedish: pain fell by 3.0 points during sessions (1 session)"]
    assert found.not_helped == []
    worse = what_helped({"Swedish": by_session(0, 0)}, Verdict.WORSE, 3, 0.9)
    assert worse.not_helped == [
        "The treatment so far: getting worse after 3 sessions",
        "Swedish: pain barely changed during sessions (2 sessions)",
    ]


def test_techniques_always_given_together_are_named_together() -> None:
    """Swedish and MFR at every one of 8 sessions: no figure can say which of them helped."""
    both = by_session(2, 2, 1, 2, 2, 2, 2, 2)
    found = what_helped(
        {"Swedish": both, "Myofascial release": dict(both), "Cupping": by_session(0, first=3)},
        Verdict.NO_CHANGE,
        8,
        None,
    )
    assert found.helped == []
    assert (
        "Swedish and Myofascial release (always given together, so their effects cannot be told "
        "apart): only a little relief during sessions, pain −1.9 points on average (8 sessions); "
        "a meaningful change is 2 points or more"
    ) in found.not_helped
    assert "Cupping: pain barely changed during sessions (1 session)" in found.not_helped
    # Given together at some sessions only: each has figures of its own.
    apart = what_helped(
        {"Swedish": by_session(3, 3), "Myofascial release": by_session(3, 3, 3)},
        Verdict.NOT_ENOUGH_DATA,
        3,
        None,
    )
    assert [line.split(":")[0] for line in apart.helped] == ["Swedish", "Myofascial release"]
