"""Is the client improving? A verdict from the pain ratings, backed by the other scales.

The series: pain before each session (from the note), and the between-visit check-ins (pain
now, the global rating of change, the plan's functional activity). Thresholds are minimal
clinically important differences (MCID), so a wobble of a point is not called a change.

How the verdict is reached:

1. Baseline pain is the first session's pain before; with a plan, the first pain rating on or
   after the plan's start (a session's pain before or a check-in's pain, whichever comes first).
2. Current pain is the median of the last 3 pain ratings after the baseline; every screen
   calls it the same plain words, `current_words` ("middle of the last 3 ratings").
3. Fewer than 2 pain ratings after the baseline (or no baseline): NOT_ENOUGH_DATA.
4. Each scale points one way (`Trend`): pain by the pain MCID, activity by the PSFS MCID, the
   latest global rating of change by "better"/"worse" or beyond.
5. Pain is primary: only pain can call IMPROVING. Any scale can call WORSE. Scales that point
   opposite ways (one better, another worse) give NO_CHANGE with `Flag.SIGNALS_DISAGREE`:

   - pain better, nothing worse               → IMPROVING
   - something worse, nothing better          → WORSE
   - something better and something worse     → NO_CHANGE, signals disagree
   - otherwise                                → NO_CHANGE

   A disagreement is not dismissed as "no change" silently: the flag goes to the therapist, and
   a single worrying answer already brings an alert of its own (`practice.checkins.is_worsening`).
   The verdict is about the trend, where a contradiction means "look at this client yourself".
6. Baseline pain 0 (`Flag.BASELINE_ZERO`): pain cannot improve, only rise, so the verdict is
   NO_CHANGE unless something is worse.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from statistics import median

from practice.checkins import CHANGE_LABELS
from practice.numbers import percent as percent_share
from practice.numbers import percent_of

PAIN_MIN, PAIN_MAX = 0, 10
ACTIVITY_MIN, ACTIVITY_MAX = 0, 10
CHANGE_MIN, CHANGE_MAX = -3, 3

# Pain on the 0–10 numeric rating scale: a change of 2 points or 30 % is what patients call
# "much better" (Farrar et al. 2001, Pain 94:149; Salaffi et al. 2004; Ostelo et al. 2008 for
# low back pain). The same size of rise counts as worse.
PAIN_MCID_POINTS = 2
PAIN_MCID_PERCENT = 30
# The 30 % rule on a small baseline would call half a point a change (1 → 0.5 is 50 %); the
# scale moves in whole points, so the percent rule also needs at least one.
PAIN_PERCENT_FLOOR_POINTS = 1
# Functional activity, 0–10 in the manner of the Patient-Specific Functional Scale: 2 points
# for a single activity (Stratford et al. 1995; Horn et al. 2012).
ACTIVITY_MCID_POINTS = 2
# Global rating of change, -3 … +3: "better" (+2) and "much better" (+3) are the answers that
# mark an important change (Kamper et al. 2009); "worse" (-2) and below mirror it.
CHANGE_IMPORTANT_BETTER = 2
CHANGE_IMPORTANT_WORSE = -2

# Current = the median of the last few ratings: one bad day neither makes nor breaks a verdict,
# and three is as far back as still says "now" at a check-in every 3–4 days.
CURRENT_WINDOW = 3
# A verdict needs at least this many ratings after the baseline; one alone is an anecdote.
MIN_RATINGS_AFTER_BASELINE = 2

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MINUS = "−"  # U+2212: the real minus sign; a hyphen reads as a dash on a phone


class Verdict(StrEnum):
    IMPROVING = "improving"
    NO_CHANGE = "no_change"
    WORSE = "worse"
    NOT_ENOUGH_DATA = "not_enough"

    @property
    def label(self) -> str:
        return VERDICT_LABELS[self]


VERDICT_LABELS: dict[Verdict, str] = {
    Verdict.IMPROVING: "Improving",
    Verdict.NO_CHANGE: "No meaningful change",
    Verdict.WORSE: "Getting worse",
    Verdict.NOT_ENOUGH_DATA: "Not enough ratings yet",
}


class Trend(StrEnum):
    """Which way one scale points, judged by its MCID."""

    BETTER = "better"
    SAME = "same"
    WORSE = "worse"


class Flag(StrEnum):
    """Something the therapist should know about how the verdict was reached."""

    BASELINE_ZERO = "baseline_zero"
    SIGNALS_DISAGREE = "signals_disagree"


@dataclass(frozen=True)
class SessionRating:
    """Pain from one session note."""

    day: date
    pain_before: int
    pain_after: int

    def __post_init__(self) -> None:
        _check_range("pain_before", self.pain_before, PAIN_MIN, PAIN_MAX)
        _check_range("pain_after", self.pain_after, PAIN_MIN, PAIN_MAX)


@dataclass(frozen=True)
class CheckInRating:
    """One between-visit check-in; any answer may be missing."""

    day: date
    pain: int | None = None
    change: int | None = None  # global rating of change, -3 … +3
    activity: int | None = None  # functional activity, 0 = unable, 10 = as before

    def __post_init__(self) -> None:
        _check_range("pain", self.pain, PAIN_MIN, PAIN_MAX)
        _check_range("change", self.change, CHANGE_MIN, CHANGE_MAX)
        _check_range("activity", self.activity, ACTIVITY_MIN, ACTIVITY_MAX)


@dataclass(frozen=True)
class Plan:
    """What judging needs of one treatment plan version."""

    start: date
    expected_sessions: int
    reevaluate_after: int
    has_activity: bool = False
    # The activity rating taken when the plan was made; None: the first check-in's is used.
    baseline_activity: int | None = None

    def __post_init__(self) -> None:
        _check_range("baseline_activity", self.baseline_activity, ACTIVITY_MIN, ACTIVITY_MAX)


@dataclass(frozen=True)
class ProgressSeries:
    """Everything rated for one client, in any order."""

    sessions: Sequence[SessionRating] = ()
    check_ins: Sequence[CheckInRating] = ()
    plan: Plan | None = None


@dataclass(frozen=True)
class Reading:
    """Where a pain rating came from: before a session (its place in the series, 1 = the
    series' first) or at a check-in (`session` None)."""

    day: date
    session: int | None = None


@dataclass(frozen=True)
class Evidence:
    """The figures behind a verdict, for the therapist to check it by eye."""

    baseline_pain: int | None
    current_pain: float | None
    # Pain ratings from the baseline on, the baseline included.
    pain_ratings: int
    # How many of the latest ratings `current_pain` is the median of.
    median_of: int
    sessions: int
    # Which readings the two pain figures are: the baseline's, and those `current_pain` is
    # the median of (oldest first). Each screen names them, so that two windows never pass
    # for one (the decision's, asked under one plan, and /progress's under the next).
    baseline_reading: Reading | None = None
    current_readings: tuple[Reading, ...] = ()
    # The series is a plan's: "the plan's 1st session", not the client's first ever.
    under_plan: bool = False
    baseline_activity: int | None = None
    current_activity: float | None = None
    latest_change: int | None = None
    pain_trend: Trend | None = None
    activity_trend: Trend | None = None
    change_trend: Trend | None = None
    flags: frozenset[Flag] = frozenset()

    @property
    def pain_change(self) -> float | None:
        """Points, signed: improvement is negative."""
        if self.baseline_pain is None or self.current_pain is None:
            return None
        return self.current_pain - self.baseline_pain

    @property
    def pain_change_percent(self) -> int | None:
        """Percent of the baseline, rounded, signed; None from a baseline of 0."""
        change = self.pain_change
        if change is None or not self.baseline_pain:
            return None
        return _round_half_away(100 * change / self.baseline_pain)

    @property
    def activity_change(self) -> float | None:
        """Points, signed: improvement is positive (10 = as before the problem)."""
        if self.baseline_activity is None or self.current_activity is None:
            return None
        return self.current_activity - self.baseline_activity

    @property
    def latest_change_label(self) -> str | None:
        return None if self.latest_change is None else CHANGE_LABELS[self.latest_change]

    def pain_text(self) -> str:
        """ "pain 7 (before the 1st session, 2 Mar) → 3 (middle of the last 3 ratings,
        16–30 Mar), −57 %": each figure says which readings it is. Points instead of percent
        from a baseline of 0."""
        if self.baseline_pain is None:
            return "pain not rated yet"
        baseline = f"pain {self.baseline_pain}{self._baseline_source()}"
        if self.current_pain is None or self.pain_change is None:
            return baseline
        percent = self.pain_change_percent
        delta = _signed(self.pain_change) if percent is None else percent_of(percent, signed=True)
        current = f"{_number(self.current_pain)}{self._current_source()}"
        return f"{baseline} → {current}, {delta}"

    def _baseline_source(self) -> str:
        reading = self.baseline_reading
        if reading is None:
            return ""
        words = self.baseline_words()
        return f" ({words or 'check-in'}, {day_text(reading.day)})"

    def baseline_words(self) -> str | None:
        """ "before the plan's 1st session": the session whose pain before is the baseline;
        None when the baseline is a check-in's (or there is none)."""
        reading = self.baseline_reading
        if reading is None or reading.session is None:
            return None
        whose = "the plan's" if self.under_plan else "the"
        return f"before {whose} {ordinal(reading.session)} session"

    def _current_source(self) -> str:
        readings = self.current_readings
        if not readings:
            return ""
        if len(readings) == 1:
            (reading,) = readings
            if reading.session is None:
                return f" (check-in, {day_text(reading.day)})"
            return f" (before the session of {day_text(reading.day)})"
        span = day_span(readings[0].day, readings[-1].day)
        return f" ({current_words(len(readings))}, {span})"

    def activity_text(self) -> str | None:
        """ "activity 3 → 6 (+3)", or None when there is nothing to compare."""
        if self.baseline_activity is None or self.current_activity is None:
            return None
        assert self.activity_change is not None
        current = _number(self.current_activity)
        return f"activity {self.baseline_activity} → {current} ({_signed(self.activity_change)})"


@dataclass(frozen=True)
class Assessment:
    verdict: Verdict
    evidence: Evidence


@dataclass(frozen=True)
class _Rating:
    """A point on the timeline: a session (pain before only) or a check-in."""

    day: date
    is_session: bool
    pain: int | None
    change: int | None = None
    activity: int | None = None


def judge(series: ProgressSeries) -> Assessment:
    """The verdict and its evidence; see the module's docstring for the rules."""
    timeline = _timeline(series)
    plan = series.plan
    if plan is not None:
        window = [r for r in timeline if r.day >= plan.start]
    else:
        # Without a plan the series starts at the first session: earlier check-ins have
        # nothing to be compared with.
        first = next((i for i, r in enumerate(timeline) if r.is_session), len(timeline))
        window = timeline[first:]

    start = next((i for i, r in enumerate(window) if r.pain is not None), None)
    if start is None:
        evidence = Evidence(None, None, 0, 0, sessions=sum(r.is_session for r in window))
        return Assessment(Verdict.NOT_ENOUGH_DATA, evidence)
    readings = _readings(window)
    rated = window[start:]
    baseline = rated[0].pain
    assert baseline is not None
    # Only pain *before* a session counts: pain after is the immediate effect of the massage
    # on the table, which fades within hours to days. Counting it as "current" would make any
    # client look better after every visit, whatever happens between them.
    after_readings = [
        (r.pain, readings[start + 1 + i]) for i, r in enumerate(rated[1:]) if r.pain is not None
    ]
    after = [pain for pain, _ in after_readings]
    last = after[-CURRENT_WINDOW:]
    current = float(median(last)) if last else None
    current_readings = tuple(reading for _, reading in after_readings[-CURRENT_WINDOW:])

    # The other scales count from the plan's start, even before its first pain rating.
    changes = [r.change for r in window if r.change is not None]
    latest_change = changes[-1] if changes else None

    baseline_activity, activities = None, []
    if plan is not None and plan.has_activity:
        activities = [r.activity for r in window if r.activity is not None]
        baseline_activity = plan.baseline_activity
        if baseline_activity is None and activities:
            baseline_activity, activities = activities[0], activities[1:]
    last_activities = activities[-CURRENT_WINDOW:]
    current_activity = float(median(last_activities)) if last_activities else None

    flags: set[Flag] = set()
    if baseline == 0:
        flags.add(Flag.BASELINE_ZERO)
    enough = len(after) >= MIN_RATINGS_AFTER_BASELINE
    pain_trend = _pain_trend(baseline, current) if enough and current is not None else None
    activity_trend = None
    if (
        baseline_activity is not None
        and current_activity is not None
        and len(activities) >= MIN_RATINGS_AFTER_BASELINE
    ):
        activity_trend = _points_trend(current_activity - baseline_activity)
    change_trend = None if latest_change is None else _change_trend(latest_change)

    if pain_trend is None:
        verdict = Verdict.NOT_ENOUGH_DATA
    else:
        trends = {pain_trend, activity_trend, change_trend}
        if Trend.BETTER in trends and Trend.WORSE in trends:
            verdict = Verdict.NO_CHANGE
            flags.add(Flag.SIGNALS_DISAGREE)
        elif Trend.WORSE in trends:
            verdict = Verdict.WORSE
        elif pain_trend is Trend.BETTER:
            verdict = Verdict.IMPROVING
        else:
            verdict = Verdict.NO_CHANGE

    evidence = Evidence(
        baseline_pain=baseline,
        current_pain=current,
        pain_ratings=1 + len(after),
        median_of=len(last),
        sessions=sum(r.is_session for r in window),
        baseline_reading=readings[start],
        current_readings=current_readings if last else (),
        under_plan=plan is not None,
        baseline_activity=baseline_activity,
        current_activity=current_activity,
        latest_change=latest_change,
        pain_trend=pain_trend,
        activity_trend=activity_trend,
        change_trend=change_trend,
        flags=frozenset(flags),
    )
    return Assessment(verdict, evidence)


def describe(
    assessment: Assessment, sessions_count: int | None = None, homework_share: float | None = None
) -> str:
    """The phone text: one line with the verdict, a second with the other scales and notes.

    "Improving over 5 sessions: pain 7 (before the 1st session, 2 Mar) → 3 (middle of the
    last 3 ratings, 16–30 Mar), −57 %; homework 80 % done."
    `sessions_count` is the number the therapist knows (e.g. sessions in the plan); None uses
    the sessions the evidence counted. `homework_share` is `Adherence.share` (0–1) or None.
    """
    evidence = assessment.evidence
    sessions = evidence.sessions if sessions_count is None else sessions_count
    pain, label = evidence.pain_text(), assessment.verdict.label
    match assessment.verdict:
        case Verdict.IMPROVING | Verdict.WORSE:
            line = f"{label} {_over(sessions)}: {pain}"
        case Verdict.NO_CHANGE:
            when = "so far" if sessions <= 0 else f"after {_plural(sessions, 'session')}"
            line = f"{label} {when}: {pain}"
        case Verdict.NOT_ENOUGH_DATA:
            count = evidence.pain_ratings
            ratings = _plural(count, "pain rating") if count else "no pain rating"
            line = f"{label}: {ratings} so far"
    if homework_share is not None:
        line += f"; homework {percent_share(homework_share)} done"
    line += "."
    if assessment.verdict is Verdict.NOT_ENOUGH_DATA:
        return line
    details = _details(evidence)
    return f"{line}\n{details}" if details else line


def alert(
    assessment: Assessment, sessions_count: int | None = None, homework_share: float | None = None
) -> str:
    """A progress alert in words read at a glance: what changed, over which sessions and
    dates, then a short line with what each figure is (no statistics words on the first).

    "Pain went from 7 to 6 over 8 sessions (3 Dec – 21 Jan): 14 % less, too little to count
    as a real change. Homework done on 29 % of the days it was due.
    From pain before the plan's 1st session (3 Dec) to the middle of the last 3 ratings
    (16–21 Jan) · activity 3 → 4 (+1) · client says “About the same”."
    """
    evidence = assessment.evidence
    sessions = evidence.sessions if sessions_count is None else sessions_count
    base, now = evidence.baseline_pain, evidence.current_pain
    change = evidence.pain_change
    if base is None or now is None or change is None:
        count = evidence.pain_ratings
        ratings = _plural(count, "pain rating") if count else "no pain rating"
        line = f"Too few ratings to tell yet: {ratings} so far."
    else:
        over = "so far" if sessions <= 0 else f"over {_plural(sessions, 'session')}"
        first = evidence.baseline_reading
        last = evidence.current_readings[-1] if evidence.current_readings else None
        dates = f" ({day_span(first.day, last.day)})" if first and last else ""
        percent = evidence.pain_change_percent
        if percent is None:  # from a pain of 0: points, not percent
            size = f"{_number(abs(change))} point{'' if abs(change) == 1 else 's'}"
        else:
            size = percent_of(abs(percent))
        how = f"{size} less" if change < 0 else f"{size} more"
        if assessment.verdict is Verdict.NO_CHANGE:
            how += ", too little to count as a real change"
        if change == 0:
            line = f"Pain stayed at {base} {over}{dates}."
        else:
            line = f"Pain went from {base} to {_number(now)} {over}{dates}: {how}."
    if homework_share is not None:
        line += f" Homework done on {percent_share(homework_share)} of the days it was due."
    basis = _basis(evidence)
    details = _details(evidence)
    if details and not details.startswith("Signals disagree"):
        details = details[0].lower() + details[1:]
    parts = [p.rstrip(".") for p in (basis, details) if p]
    return "\n".join([line, *([" · ".join(parts) + "."] if parts else [])])


def _basis(evidence: Evidence) -> str:
    """ "From pain before the plan's 1st session (3 Dec) to the middle of the last 3 ratings
    (16–21 Jan)": which readings the two pain figures are, in plain words."""
    first, readings = evidence.baseline_reading, evidence.current_readings
    if first is None or not readings:
        return ""
    start = f"{evidence.baseline_words() or 'a check-in'} ({day_text(first.day)})"
    if len(readings) == 1:
        (reading,) = readings
        end = (
            f"the check-in of {day_text(reading.day)}"
            if reading.session is None
            else f"pain before the session of {day_text(reading.day)}"
        )
    else:
        span = day_span(readings[0].day, readings[-1].day)
        end = f"the {current_words(len(readings))} ({span})"
    return f"From pain {start} to {end}"


def current_words(count: int) -> str:
    """ "middle of the last 3 ratings": what the current pain figure is (the median of the
    latest ratings, pain before a session and at a check-in alike), in the one phrase a
    therapist, a client and a physiotherapist all read without a statistics word."""
    return f"middle of the last {count} ratings"


def _details(evidence: Evidence) -> str:
    """ "Signals disagree: pain better · client says “Much worse”." """
    parts = []
    disagree = Flag.SIGNALS_DISAGREE in evidence.flags
    if disagree and evidence.pain_trend in (Trend.BETTER, Trend.WORSE):
        parts.append(f"pain {evidence.pain_trend}")
    activity = evidence.activity_text()
    if activity is not None:
        parts.append(activity)
    if evidence.latest_change_label is not None:
        parts.append(f"client says “{evidence.latest_change_label}”")
    if Flag.BASELINE_ZERO in evidence.flags:
        parts.append("no pain at the start, so pain cannot show improvement")
    if not parts:
        return ""
    text = " · ".join(parts)
    if disagree:
        return f"Signals disagree: {text}."
    return f"{text[0].upper()}{text[1:]}."


def _readings(window: Sequence[_Rating]) -> list[Reading]:
    """Each rating of the window as a `Reading`, sessions numbered from the window's first."""
    out, sessions = [], 0
    for r in window:
        sessions += r.is_session
        out.append(Reading(r.day, sessions if r.is_session else None))
    return out


def day_text(day: date) -> str:
    """ "3 Nov": the month by name, never a number that could be read the other way round."""
    return f"{day.day} {MONTHS[day.month - 1]}"


def day_span(first: date, last: date) -> str:
    """ "24–28 Nov", "28 Nov – 2 Dec", or one day."""
    if first == last:
        return day_text(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{day_text(last)}"
    return f"{day_text(first)} – {day_text(last)}"


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _timeline(series: ProgressSeries) -> list[_Rating]:
    """Ratings in time order. On one day a session comes before a check-in (the check-in is
    about the days after it). Beyond that a day has no order, so the more worrying answer is
    taken as the later one: a lower rating of change, then lower activity, then higher pain.
    The input's order never changes the verdict, and a lower pain never makes it worse."""
    ratings = [_Rating(s.day, True, s.pain_before) for s in series.sessions]
    ratings += [_Rating(c.day, False, c.pain, c.change, c.activity) for c in series.check_ins]

    def key(r: _Rating) -> tuple[object, ...]:
        # Pain last: it only orders answers that are otherwise alike, so lowering a pain
        # cannot change which rating of change or activity counts as the latest.
        return (
            r.day,
            not r.is_session,
            r.change is not None,
            -(r.change or 0),
            r.activity is not None,
            -(r.activity or 0),
            r.pain is not None,
            r.pain or 0,
        )

    return sorted(ratings, key=key)


def _pain_trend(baseline: int, current: float) -> Trend:
    if _important(baseline - current, baseline):
        return Trend.BETTER
    # From a baseline of 0 any rise is an infinite percent: only the points rule applies.
    if _important(current - baseline, baseline):
        return Trend.WORSE
    return Trend.SAME


def _important(drop: float, baseline: int) -> bool:
    """A pain change of at least the MCID: 2 points, or 30 % of the baseline (and a point)."""
    if drop >= PAIN_MCID_POINTS:
        return True
    # Multiplied out: exact for the halves a median of two can give.
    return (
        baseline > 0
        and drop >= PAIN_PERCENT_FLOOR_POINTS
        and drop * 100 >= PAIN_MCID_PERCENT * baseline
    )


def _points_trend(gain: float) -> Trend:
    if gain >= ACTIVITY_MCID_POINTS:
        return Trend.BETTER
    if -gain >= ACTIVITY_MCID_POINTS:
        return Trend.WORSE
    return Trend.SAME


def _change_trend(change: int) -> Trend:
    if change >= CHANGE_IMPORTANT_BETTER:
        return Trend.BETTER
    if change <= CHANGE_IMPORTANT_WORSE:
        return Trend.WORSE
    return Trend.SAME


def _check_range(name: str, value: int | None, low: int, high: int) -> None:
    if value is not None and not low <= value <= high:
        raise ValueError(f"{name} {value} is outside {low}…{high}")


def _round_half_away(x: float) -> int:
    """−12.5 → −13, not Python's banker's −12: a printed figure should round as on paper."""
    return int(math.copysign(math.floor(abs(x) + 0.5), x))


def _number(x: float) -> str:
    """3.0 → "3", 3.5 → "3.5" (a median of two), with the real minus sign."""
    text = str(int(x)) if x == int(x) else f"{x:.1f}"
    return text.replace("-", MINUS)


def _signed(x: float) -> str:
    """+2, −3, 0."""
    return f"+{_number(x)}" if x > 0 else _number(x)


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _over(sessions: int) -> str:
    return "so far" if sessions <= 0 else f"over {_plural(sessions, 'session')}"
