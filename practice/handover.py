"""What helped and what did not: the lines an incoming therapist reads on the handover page.

Derived simply, and saying so. Pain before and after a session is the immediate effect of a
technique: it "helped" when pain fell during sessions by at least the pain MCID on average over
the sessions that used it. Less than that is not a result: a little relief (a point or more)
and none are listed with what did not help, each saying so. Whether the
relief lasts is the verdict's question (pain between visits, the functional activity, the
client's own rating), so the treatment as a whole is judged by it: relief during sessions that
does not last, and homework rarely done, are what a successor most needs to know.
Techniques that were always given together in the same sessions cannot be told apart by
these figures: they are named together, and the line says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from practice.numbers import MINUS, percent
from practice.progress import PAIN_MCID_POINTS, Verdict

# Below this share of due days done, the exercises cannot be judged either way.
LOW_ADHERENCE = 0.5
# From this share on, homework is worth naming among what helped an improving client.
GOOD_ADHERENCE = 0.7


@dataclass(frozen=True)
class Helped:
    helped: list[str]
    not_helped: list[str]


def _sessions(n: int) -> str:
    return f"{n} session{'s' if n != 1 else ''}"


def what_helped(
    drops: Mapping[str, Mapping[int, int]],
    verdict: Verdict,
    sessions: int,
    homework_share: float | None,
) -> Helped:
    """`drops`: each technique's pain drop during sessions (before − after) by the number of each
    session that used it. `verdict`, `sessions` and `homework_share` are the progress verdict's."""
    helped: list[str] = []
    not_helped: list[str] = []
    relief: list[float] = []
    for labels, by_session in _given_together(drops):
        values = list(by_session.values())
        mean = sum(values) / len(values)
        relief.extend(values)
        if len(labels) == 1:
            label = labels[0]
        else:
            label = (
                f"{', '.join(labels[:-1])} and {labels[-1]} (always given together, so their "
                "effects cannot be told apart)"
            )
        over = _sessions(len(values))
        if mean >= PAIN_MCID_POINTS:
            helped.append(f"{label}: pain fell by {mean:.1f} points during sessions ({over})")
        elif mean >= 1:
            not_helped.append(
                f"{label}: only a little relief during sessions, pain {MINUS}{mean:.1f} points "
                f"on average ({over}); a meaningful change is {PAIN_MCID_POINTS} points or more"
            )
        else:
            not_helped.append(f"{label}: pain barely changed during sessions ({over})")

    lasting = verdict is Verdict.IMPROVING
    if lasting:
        helped.insert(0, f"The relief lasts: a meaningful improvement over {_sessions(sessions)}")
    elif verdict in (Verdict.NO_CHANGE, Verdict.WORSE) and sessions >= 2:
        on_table = sum(relief) / len(relief) if relief else 0.0
        what = "no meaningful change" if verdict is Verdict.NO_CHANGE else "getting worse"
        if on_table >= 1:
            not_helped.insert(
                0,
                f"The relief during sessions (pain {MINUS}{on_table:.1f} on average) does not "
                f"last: {what} after {_sessions(sessions)}",
            )
        else:
            not_helped.insert(0, f"The treatment so far: {what} after {_sessions(sessions)}")

    if homework_share is not None:
        done = f"homework done on {percent(homework_share)} of the days it was due"
        if homework_share < LOW_ADHERENCE and not lasting:
            not_helped.append(f"Too little to judge the exercises: {done}")
        elif homework_share >= GOOD_ADHERENCE and lasting:
            helped.append(f"The client kept up the exercises: {done}")
    return Helped(helped, not_helped)


def _given_together(
    drops: Mapping[str, Mapping[int, int]],
) -> list[tuple[list[str], Mapping[int, int]]]:
    """The techniques grouped by the exact sessions that used them, in first-seen order."""
    groups: dict[frozenset[int], tuple[list[str], Mapping[int, int]]] = {}
    for label, by_session in drops.items():
        if not by_session:
            continue
        key = frozenset(by_session)
        if key in groups:
            groups[key][0].append(label)
        else:
            groups[key] = ([label], by_session)
    return list(groups.values())
