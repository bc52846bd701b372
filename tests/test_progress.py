"""Progress verdicts, the decisions they prompt, and referral suggestions: rules, no I/O."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from statistics import median

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from practice.decisions import (
    NO_PROGRESS_AFTER,
    AskedDecision,
    DecisionKind,
    DecisionPrompt,
    decision_due,
)
from practice.progress import (
    Assessment,
    CheckInRating,
    Evidence,
    Flag,
    Plan,
    ProgressSeries,
    SessionRating,
    Trend,
    Verdict,
    alert,
    current_words,
    describe,
    judge,
)
from practice.referrals import (
    PROFESSIONS,
    REASONS,
    SUGGESTIONS,
    profession_choices,
    referral_line,
    suggested_professions,
)

START = date(2026, 3, 2)
FAST = settings(max_examples=200, deadline=None)


def day(n: int) -> date:
    return START + timedelta(days=n)


def visits(*pains: int, every: int = 7) -> list[SessionRating]:
    """Weekly sessions with these pains before; pain after is always a relieved 1."""
    return [SessionRating(day(i * every), pain, 1) for i, pain in enumerate(pains)]


def check(
    n: int, pain: int | None = None, change: int | None = None, activity: int | None = None
) -> CheckInRating:
    return CheckInRating(day(n), pain, change, activity)


def verdict_of(
    sessions: Sequence[SessionRating],
    check_ins: Sequence[CheckInRating] = (),
    plan: Plan | None = None,
) -> Verdict:
    return judge(ProgressSeries(sessions, check_ins, plan)).verdict


# --- the examples -------------------------------------------------------------------


def test_improving_reads_as_on_the_phone() -> None:
    assessment = judge(ProgressSeries(visits(7, 6, 4, 3, 3)))
    assert assessment.verdict is Verdict.IMPROVING
    evidence = assessment.evidence
    assert (evidence.baseline_pain, evidence.current_pain) == (7, 3)
    assert (evidence.pain_change, evidence.pain_change_percent) == (-4, -57)
    assert evidence.median_of == 3
    assert evidence.sessions == 5
    assert describe(assessment, 5, 0.8) == (
        "Improving over 5 sessions: pain 7 (before the 1st session, 2 Mar) → 3 (middle of the "
        "last 3 ratings, 16–30 Mar), −57 %; homework 80 % done."
    )


def test_no_meaningful_change_reads_as_on_the_phone() -> None:
    assessment = judge(ProgressSeries(visits(6, 5, 6, 5, 5)))
    assert assessment.verdict is Verdict.NO_CHANGE
    assert describe(assessment, 4, 0.35) == (
        "No meaningful change after 4 sessions: pain 6 (before the 1st session, 2 Mar) → 5 "
        "(middle of the last 3 ratings, 16–30 Mar), −17 %; homework 35 % done."
    )


def test_not_enough_ratings_reads_as_on_the_phone() -> None:
    assessment = judge(ProgressSeries(visits(6)))
    assert assessment.verdict is Verdict.NOT_ENOUGH_DATA
    assert describe(assessment, 1, None) == "Not enough ratings yet: 1 pain rating so far."
    nothing = judge(ProgressSeries())
    assert describe(nothing) == "Not enough ratings yet: no pain rating so far."


def test_worse_reads_as_on_the_phone() -> None:
    assessment = judge(ProgressSeries(visits(4, 6, 7)))
    assert assessment.verdict is Verdict.WORSE
    assert describe(assessment) == (
        "Getting worse over 3 sessions: pain 4 (before the 1st session, 2 Mar) → 6.5 "
        "(middle of the last 2 ratings, 9–16 Mar), +63 %."
    )


def test_an_alert_says_what_changed_over_which_dates_without_statistics_words() -> None:
    improving = judge(ProgressSeries(visits(7, 6, 4, 3, 3)))
    assert alert(improving, 5, 0.8) == (
        "Pain went from 7 to 3 over 5 sessions (2–30 Mar): 57 % less. Homework done on 80 % "
        "of the days it was due.\n"
        "From pain before the 1st session (2 Mar) to the middle of the last 3 ratings "
        "(16–30 Mar)."
    )
    same = judge(ProgressSeries(visits(6, 5, 6, 5, 5), [check(30, 5, 0, 4)]))
    text = alert(same, 4, 0.35)
    first, second = text.split("\n")
    assert first == (
        "Pain went from 6 to 5 over 4 sessions (2 Mar – 1 Apr): 17 % less, too little to count "
        "as a real change. Homework done on 35 % of the days it was due."
    )
    assert "median" not in first and "median" not in second
    assert second.endswith("client says “About the same”.")
    worse = judge(ProgressSeries(visits(4, 6, 7)))
    assert alert(worse).startswith("Pain went from 4 to 6.5 over 3 sessions (2–16 Mar): 63 % more.")
    assert (
        alert(judge(ProgressSeries(visits(6))))
        == "Too few ratings to tell yet: 1 pain rating so far."
    )


def test_verdicts_have_labels() -> None:
    assert Verdict.IMPROVING.label == "Improving"
    assert {v.label for v in Verdict} == {
        "Improving",
        "No meaningful change",
        "Getting worse",
        "Not enough ratings yet",
    }


# --- baseline and current -------------------------------------------------------------------


def test_pain_after_is_not_current_pain() -> None:
    # Every visit ends at 2, but the client comes back at 7 each time: no lasting change.
    sessions = [SessionRating(day(7 * i), 7, 2) for i in range(5)]
    assert verdict_of(sessions) is Verdict.NO_CHANGE


def test_check_ins_count_between_visits() -> None:
    sessions = visits(8)
    check_ins = [check(2, pain=6), check(5, pain=5), check(9, pain=4)]
    assessment = judge(ProgressSeries(sessions, check_ins))
    assert assessment.verdict is Verdict.IMPROVING
    assert assessment.evidence.current_pain == 5
    assert assessment.evidence.pain_ratings == 4


def test_current_is_the_median_of_the_last_three() -> None:
    # One bad day among the last three does not undo the trend.
    evidence = judge(ProgressSeries(visits(8, 7, 3, 9, 3))).evidence
    assert evidence.current_pain == 3
    assert evidence.median_of == 3


def test_two_ratings_after_the_baseline_give_their_mean() -> None:
    evidence = judge(ProgressSeries(visits(7, 4, 3))).evidence
    assert evidence.current_pain == 3.5
    assert evidence.median_of == 2
    assert evidence.pain_text() == (
        "pain 7 (before the 1st session, 2 Mar) → 3.5 (middle of the last 2 ratings, "
        "9–16 Mar), −50 %"
    )


def test_with_a_plan_the_baseline_is_the_first_rating_from_its_start() -> None:
    plan = Plan(start=day(20), expected_sessions=6, reevaluate_after=4)
    sessions = visits(9, 9, 9, 6, 6, 6)  # days 0, 7, 14 are before the plan
    check_ins = [check(20, pain=5), check(24, pain=4)]
    evidence = judge(ProgressSeries(sessions, check_ins, plan)).evidence
    assert evidence.baseline_pain == 5  # the check-in on day 20, before the session on day 21
    assert evidence.sessions == 3


def test_with_a_plan_a_session_on_its_start_comes_before_a_check_in() -> None:
    plan = Plan(start=day(14), expected_sessions=6, reevaluate_after=4)
    check_ins = [check(14, pain=2), check(16, pain=3), check(18, pain=3)]
    sessions = visits(9, 9, 8)  # the third is on day 14
    assessment = judge(ProgressSeries(check_ins=check_ins, sessions=sessions, plan=plan))
    assert assessment.evidence.baseline_pain == 8
    assert assessment.verdict is Verdict.IMPROVING


def test_a_plan_starting_after_all_ratings_has_no_baseline() -> None:
    plan = Plan(start=day(100), expected_sessions=6, reevaluate_after=4)
    assessment = judge(ProgressSeries(visits(7, 5, 3), plan=plan))
    assert assessment.verdict is Verdict.NOT_ENOUGH_DATA
    assert assessment.evidence.baseline_pain is None


def test_without_a_plan_check_ins_before_the_first_session_are_ignored() -> None:
    sessions = [SessionRating(day(10), 6, 3)]
    check_ins = [check(2, pain=9), check(5, pain=9), check(12, pain=6), check(15, pain=6)]
    evidence = judge(ProgressSeries(sessions, check_ins)).evidence
    assert evidence.baseline_pain == 6
    assert evidence.pain_ratings == 3


def test_unsorted_input_and_same_day_duplicates() -> None:
    sessions = [
        SessionRating(day(14), 4, 2),
        SessionRating(day(0), 8, 4),
        SessionRating(day(7), 5, 3),
    ]
    check_ins = [check(7, pain=5), check(7, pain=5)]
    assessment = judge(ProgressSeries(sessions, check_ins))
    assert assessment.evidence.baseline_pain == 8
    assert assessment.verdict is Verdict.IMPROVING


def test_on_one_day_the_more_worrying_answer_counts_as_the_later() -> None:
    check_ins = [check(9, pain=3, change=0), check(9, pain=2, change=2)]
    evidence = judge(ProgressSeries(visits(5, 4), check_ins)).evidence
    assert evidence.latest_change == 0
    assert evidence.current_pain == 3  # median of 4, 2, 3


def test_check_ins_without_pain_do_not_count_as_ratings() -> None:
    assessment = judge(ProgressSeries(visits(7), [check(2, change=3), check(5, activity=6)]))
    assert assessment.verdict is Verdict.NOT_ENOUGH_DATA
    assert assessment.evidence.latest_change == 3


@pytest.mark.parametrize("bad", [-1, 11])
def test_out_of_range_ratings_are_refused(bad: int) -> None:
    with pytest.raises(ValueError, match="outside"):
        SessionRating(START, bad, 3)
    with pytest.raises(ValueError, match="outside"):
        CheckInRating(START, pain=bad)


def test_out_of_range_change_is_refused() -> None:
    with pytest.raises(ValueError, match="outside"):
        CheckInRating(START, change=4)


# --- thresholds -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pains", "verdict"),
    [
        ((7, 5, 5, 5), Verdict.IMPROVING),  # 2 points
        ((10, 8, 8), Verdict.IMPROVING),  # 2 points, 20 %
        ((10, 9, 9), Verdict.NO_CHANGE),  # 1 point, 10 %
        ((3, 2, 2), Verdict.IMPROVING),  # 1 point, 33 %
        ((4, 3, 3), Verdict.NO_CHANGE),  # 1 point, 25 %
        ((1, 1, 0), Verdict.NO_CHANGE),  # half a point is no change, though it is 50 %
        ((1, 0, 0), Verdict.IMPROVING),  # 1 point, 100 %
        ((5, 7, 7), Verdict.WORSE),  # 2 points
        ((3, 4, 4), Verdict.WORSE),  # 1 point, 33 %
        ((6, 7, 7), Verdict.NO_CHANGE),  # 1 point, 17 %
    ],
)
def test_pain_mcid(pains: tuple[int, ...], verdict: Verdict) -> None:
    assert verdict_of(visits(*pains)) is verdict


def test_all_zeros_is_no_change_with_a_note() -> None:
    assessment = judge(ProgressSeries(visits(0, 0, 0, 0)))
    assert assessment.verdict is Verdict.NO_CHANGE
    assert Flag.BASELINE_ZERO in assessment.evidence.flags
    assert assessment.evidence.pain_change_percent is None
    assert describe(assessment, 4, None).endswith(
        "No pain at the start, so pain cannot show improvement."
    )


@pytest.mark.parametrize(("later", "verdict"), [(1, Verdict.NO_CHANGE), (2, Verdict.WORSE)])
def test_from_zero_only_points_count(later: int, verdict: Verdict) -> None:
    assessment = judge(ProgressSeries(visits(0, later, later)))
    assert assessment.verdict is verdict
    assert assessment.evidence.pain_text() == (
        f"pain 0 (before the 1st session, 2 Mar) → {later} (middle of the last 2 ratings, "
        f"9–16 Mar), +{later}"
    )


def test_from_zero_a_good_rating_of_change_is_still_no_change() -> None:
    assert verdict_of(visits(0, 0, 0), [check(16, pain=0, change=3)]) is Verdict.NO_CHANGE


# --- the other scales -----------------------------------------------------------------------

ACTIVITY_PLAN = Plan(start=START, expected_sessions=6, reevaluate_after=4, has_activity=True)


def test_a_rating_of_worse_makes_it_worse() -> None:
    assert verdict_of(visits(6, 6, 6), [check(16, pain=6, change=-2)]) is Verdict.WORSE
    assert verdict_of(visits(6, 6, 6), [check(16, pain=6, change=-1)]) is Verdict.NO_CHANGE


def test_the_latest_rating_of_change_counts() -> None:
    check_ins = [check(2, change=-3), check(9, pain=6, change=0)]
    evidence = judge(ProgressSeries(visits(6, 6, 6), check_ins)).evidence
    assert (evidence.latest_change, evidence.latest_change_label) == (0, "About the same")


def test_pain_better_but_client_much_worse_is_no_change_flagged() -> None:
    assessment = judge(ProgressSeries(visits(7, 4, 3), [check(16, pain=3, change=-3)]))
    assert assessment.verdict is Verdict.NO_CHANGE
    assert Flag.SIGNALS_DISAGREE in assessment.evidence.flags
    second_line = describe(assessment).splitlines()[1]
    assert second_line == "Signals disagree: pain better · client says “Much worse”."


def test_pain_worse_but_client_better_is_no_change_flagged() -> None:
    assessment = judge(ProgressSeries(visits(4, 7, 7), [check(16, pain=7, change=2)]))
    assert assessment.verdict is Verdict.NO_CHANGE
    assert Flag.SIGNALS_DISAGREE in assessment.evidence.flags


def test_pain_same_but_client_better_is_still_no_change() -> None:
    # Pain is primary: a good rating of change alone does not make a client "improving".
    assessment = judge(ProgressSeries(visits(6, 6, 6), [check(16, pain=6, change=3)]))
    assert assessment.verdict is Verdict.NO_CHANGE
    assert Flag.SIGNALS_DISAGREE not in assessment.evidence.flags


def test_activity_corroborates() -> None:
    check_ins = [check(0, activity=3), check(3, activity=5), check(10, activity=6)]
    assessment = judge(ProgressSeries(visits(7, 4, 3), check_ins, ACTIVITY_PLAN))
    assert assessment.verdict is Verdict.IMPROVING
    evidence = assessment.evidence
    assert (evidence.baseline_activity, evidence.current_activity) == (3, 5.5)
    assert evidence.activity_trend is Trend.BETTER
    assert describe(assessment).splitlines()[1] == "Activity 3 → 5.5 (+2.5)."


def test_activity_counts_from_the_plans_start() -> None:
    # The first check-in asks activity only; the first pain comes with the session next day.
    check_ins = [check(0, activity=2), check(3, pain=5, activity=4), check(10, pain=4, activity=5)]
    assessment = judge(ProgressSeries([SessionRating(day(1), 6, 3)], check_ins, ACTIVITY_PLAN))
    evidence = assessment.evidence
    assert (evidence.baseline_pain, evidence.baseline_activity) == (6, 2)
    assert evidence.activity_trend is Trend.BETTER
    assert assessment.verdict is Verdict.NO_CHANGE  # pain is primary: 6 → 4.5 is not enough


def test_activity_down_makes_it_worse() -> None:
    check_ins = [check(3, activity=5), check(10, activity=4)]
    plan = Plan(START, 6, 4, has_activity=True, baseline_activity=7)
    assessment = judge(ProgressSeries(visits(6, 6, 6), check_ins, plan))
    assert assessment.verdict is Verdict.WORSE
    assert assessment.evidence.activity_change == -2.5


def test_activity_is_ignored_when_the_plan_has_none() -> None:
    check_ins = [check(3, activity=1), check(10, activity=1)]
    plan = Plan(START, 6, 4, has_activity=False, baseline_activity=9)
    evidence = judge(ProgressSeries(visits(6, 6, 6), check_ins, plan)).evidence
    assert evidence.activity_trend is None
    assert evidence.baseline_activity is None


# --- properties -----------------------------------------------------------------------------

pains = st.integers(0, 10)
days = st.integers(0, 400).map(day)
session_ratings = st.builds(SessionRating, days, pains, pains)
check_in_ratings = st.builds(
    CheckInRating,
    days,
    st.none() | pains,
    st.none() | st.integers(-3, 3),
    st.none() | st.integers(0, 10),
)
plans = st.none() | st.builds(
    Plan, days, st.integers(1, 20), st.integers(1, 10), st.booleans(), st.none() | pains
)
series = st.builds(
    ProgressSeries,
    st.lists(session_ratings, max_size=8),
    st.lists(check_in_ratings, max_size=12),
    plans,
)
RANK = {Verdict.WORSE: 0, Verdict.NO_CHANGE: 1, Verdict.IMPROVING: 2}


@FAST
@given(series, st.none() | st.integers(0, 60), st.none() | st.floats(0, 1))
def test_any_series_gets_a_verdict_and_a_short_text(
    s: ProgressSeries, sessions_count: int | None, homework: float | None
) -> None:
    assessment = judge(s)
    evidence = assessment.evidence
    after = max(0, evidence.pain_ratings - 1)
    assert (assessment.verdict is Verdict.NOT_ENOUGH_DATA) == (after < 2)
    assert evidence.median_of == min(3, after)
    text = describe(assessment, sessions_count, homework)
    assert 1 <= len(text.splitlines()) <= 2
    assert not re.search(r"-\d", text), "negatives use the real minus sign"
    if assessment.verdict is Verdict.IMPROVING:
        assert evidence.pain_change is not None and evidence.pain_change < 0


@FAST
@given(series, st.randoms(use_true_random=False))
def test_input_order_does_not_matter(s: ProgressSeries, rnd) -> None:
    sessions, check_ins = list(s.sessions), list(s.check_ins)
    rnd.shuffle(sessions)
    rnd.shuffle(check_ins)
    assert judge(ProgressSeries(sessions, check_ins, s.plan)) == judge(s)


@FAST
@given(series, st.data())
def test_pain_after_never_counts(s: ProgressSeries, data: st.DataObject) -> None:
    sessions = [SessionRating(r.day, r.pain_before, data.draw(pains)) for r in s.sessions]
    assert judge(ProgressSeries(sessions, s.check_ins, s.plan)) == judge(s)


def later_series():
    """A first session on START, then sessions and check-ins after it, no plan."""
    later_sessions = st.lists(st.builds(SessionRating, st.integers(1, 200).map(day), pains, pains))
    later_check_ins = st.lists(
        st.builds(
            CheckInRating,
            st.integers(0, 200).map(day),
            st.none() | pains,
            st.none() | st.integers(-3, 3),
        ),
        max_size=10,
    )
    return st.tuples(pains, later_sessions, later_check_ins)


@FAST
@given(later_series(), st.data())
def test_lowering_later_pains_never_makes_it_worse(generated, data: st.DataObject) -> None:
    first, sessions, check_ins = generated
    before = judge(ProgressSeries([SessionRating(START, first, 0), *sessions], check_ins))

    def lower(pain: int) -> int:
        return max(0, pain - data.draw(st.integers(0, 10)))

    sessions = [SessionRating(r.day, lower(r.pain_before), r.pain_after) for r in sessions]
    check_ins = [
        CheckInRating(r.day, None if r.pain is None else lower(r.pain), r.change) for r in check_ins
    ]
    after = judge(ProgressSeries([SessionRating(START, first, 0), *sessions], check_ins))
    if before.verdict is Verdict.NOT_ENOUGH_DATA:
        assert after.verdict is Verdict.NOT_ENOUGH_DATA
    else:
        assert RANK[after.verdict] >= RANK[before.verdict]


@FAST
@given(session_ratings | check_in_ratings, plans)
def test_one_rating_is_never_enough(rating, plan: Plan | None) -> None:
    if isinstance(rating, SessionRating):
        s = ProgressSeries(sessions=[rating], plan=plan)
    else:
        s = ProgressSeries(check_ins=[rating], plan=plan)
    assert judge(s).verdict is Verdict.NOT_ENOUGH_DATA


@FAST
@given(st.integers(3, 12), st.lists(st.none() | st.just(0), min_size=0, max_size=6))
def test_all_zeros(visits_count: int, check_in_pains: list[int | None]) -> None:
    check_ins = [check(3 + 7 * i, pain=p) for i, p in enumerate(check_in_pains)]
    assessment = judge(ProgressSeries(visits(*[0] * visits_count), check_ins))
    assert assessment.verdict is Verdict.NO_CHANGE
    assert Flag.BASELINE_ZERO in assessment.evidence.flags


@FAST
@given(st.integers(4, 9), st.lists(st.integers(-1, 1), min_size=2, max_size=12))
def test_a_one_point_wobble_is_no_change(baseline: int, noise: list[int]) -> None:
    assert verdict_of(visits(baseline, *(baseline + n for n in noise))) is Verdict.NO_CHANGE


def figures(assessment: Assessment) -> Assessment:
    """The verdict and its figures, without the days the readings were on."""
    evidence = replace(assessment.evidence, baseline_reading=None, current_readings=())
    return replace(assessment, evidence=evidence)


@FAST
@given(st.lists(pains, min_size=1, max_size=12), st.lists(st.integers(1, 60), min_size=12))
def test_gaps_between_visits_change_nothing(pain_list: list[int], gaps: list[int]) -> None:
    offsets = [sum(gaps[:i]) for i in range(len(pain_list))]
    spread = [SessionRating(day(n), p, 0) for n, p in zip(offsets, pain_list, strict=True)]
    assert figures(judge(ProgressSeries(spread))) == figures(
        judge(ProgressSeries(visits(*pain_list)))
    )


@FAST
@given(st.lists(pains, min_size=3, max_size=12))
def test_current_is_the_median_of_the_latest(pain_list: list[int]) -> None:
    evidence = judge(ProgressSeries(visits(*pain_list))).evidence
    assert evidence.current_pain == median(pain_list[1:][-3:])


# --- decisions ------------------------------------------------------------------------------


def assessed(verdict: Verdict, *flags: Flag) -> Assessment:
    evidence = Evidence(5, 5.0, 4, 3, 4, flags=frozenset(flags))
    return Assessment(verdict, evidence)


def kind_due(verdict: Verdict, sessions: int, reevaluate_after: int | None = 6, asked=()):
    prompt = decision_due(assessed(verdict), sessions, reevaluate_after, asked)
    return None if prompt is None else prompt.kind


def test_reevaluation_at_the_plans_point() -> None:
    prompt = decision_due(assessed(Verdict.IMPROVING), 4, 4)
    assert prompt == DecisionPrompt(DecisionKind.REEVALUATION, 4)
    assert "re-evaluate" in prompt.question
    asked = [AskedDecision(DecisionKind.REEVALUATION, 4)]
    assert kind_due(Verdict.NOT_ENOUGH_DATA, 5, 4, asked) is None


def test_reevaluation_comes_even_without_enough_data() -> None:
    assert kind_due(Verdict.NOT_ENOUGH_DATA, 3, 3) is DecisionKind.REEVALUATION
    assert kind_due(Verdict.NOT_ENOUGH_DATA, 2, 3) is None


def test_nothing_is_asked_twice_at_one_session_count() -> None:
    asked = [AskedDecision(DecisionKind.IMPROVED, 4)]
    assert kind_due(Verdict.WORSE, 4, 4, asked) is None
    assert kind_due(Verdict.WORSE, 5, 4, asked) is DecisionKind.WORSENING


def test_worsening_comes_first_and_the_reevaluation_next() -> None:
    assert kind_due(Verdict.WORSE, 4, 4) is DecisionKind.WORSENING
    asked = [AskedDecision(DecisionKind.WORSENING, 4)]
    assert kind_due(Verdict.WORSE, 5, 4, asked) is DecisionKind.WORSENING
    asked.append(AskedDecision(DecisionKind.WORSENING, 5))
    assert kind_due(Verdict.NO_CHANGE, 6, 4, asked) is DecisionKind.REEVALUATION


def test_no_progress_after_four_sessions_then_every_four() -> None:
    assert kind_due(Verdict.NO_CHANGE, NO_PROGRESS_AFTER - 1, None) is None
    assert kind_due(Verdict.NO_CHANGE, NO_PROGRESS_AFTER, None) is DecisionKind.NO_PROGRESS
    asked = [AskedDecision(DecisionKind.NO_PROGRESS, 4)]
    assert [kind_due(Verdict.NO_CHANGE, n, None, asked) for n in (5, 6, 7, 8)] == [
        None,
        None,
        None,
        DecisionKind.NO_PROGRESS,
    ]


def test_no_progress_comes_sooner_with_an_earlier_reevaluation() -> None:
    assert kind_due(Verdict.NO_CHANGE, 3, 3) is DecisionKind.REEVALUATION
    asked = [AskedDecision(DecisionKind.REEVALUATION, 3)]
    assert kind_due(Verdict.NO_CHANGE, 5, 3, asked) is None
    assert kind_due(Verdict.NO_CHANGE, 6, 3, asked) is DecisionKind.NO_PROGRESS


def test_no_progress_suggests_referring_for_no_progress() -> None:
    prompt = decision_due(assessed(Verdict.NO_CHANGE), 4, None)
    assert prompt is not None and prompt.referral_reason == "noprog"


def test_a_client_without_pain_is_not_a_lack_of_progress() -> None:
    pain_free = assessed(Verdict.NO_CHANGE, Flag.BASELINE_ZERO)
    assert decision_due(pain_free, 8, None) is None
    mixed = assessed(Verdict.NO_CHANGE, Flag.BASELINE_ZERO, Flag.SIGNALS_DISAGREE)
    assert decision_due(mixed, 8, None) == DecisionPrompt(DecisionKind.NO_PROGRESS, 8)


def test_improvement_is_offered_once_until_the_verdict_turns() -> None:
    assert kind_due(Verdict.IMPROVING, 2) is DecisionKind.IMPROVED
    asked = [AskedDecision(DecisionKind.IMPROVED, 2)]
    assert kind_due(Verdict.IMPROVING, 3, 6, asked) is None
    asked.append(AskedDecision(DecisionKind.WORSENING, 3))
    assert kind_due(Verdict.IMPROVING, 4, 6, asked) is DecisionKind.IMPROVED


def test_the_planned_end_asks_once_after_the_reevaluation() -> None:
    def due(sessions: int, asked: list[AskedDecision], verdict: Verdict = Verdict.IMPROVING):
        prompt = decision_due(assessed(verdict), sessions, 4, asked, expected_sessions=6)
        return None if prompt is None else prompt.kind

    asked = [AskedDecision(DecisionKind.IMPROVED, 2), AskedDecision(DecisionKind.REEVALUATION, 4)]
    assert due(5, asked) is None
    assert due(6, asked) is DecisionKind.PLANNED_END
    prompt = decision_due(assessed(Verdict.IMPROVING), 6, 4, asked, expected_sessions=6)
    assert prompt is not None and "planned sessions are done" in prompt.question
    asked.append(AskedDecision(DecisionKind.PLANNED_END, 6))
    assert due(7, asked) is None and due(12, asked) is None
    # Worse at the planned end: the worsening is asked; the planned end at the next note.
    assert due(6, asked[:2], Verdict.WORSE) is DecisionKind.WORSENING
    assert due(7, [*asked[:2], AskedDecision(DecisionKind.WORSENING, 6)]) is (
        DecisionKind.PLANNED_END
    )


def test_a_reevaluation_at_the_last_session_is_the_planned_end_too() -> None:
    assert decision_due(assessed(Verdict.NO_CHANGE), 6, 6, expected_sessions=6) == (
        DecisionPrompt(DecisionKind.REEVALUATION, 6)
    )
    asked = [AskedDecision(DecisionKind.REEVALUATION, 6)]
    assert decision_due(assessed(Verdict.IMPROVING), 7, 6, asked, expected_sessions=6) == (
        DecisionPrompt(DecisionKind.IMPROVED, 7)
    )
    # Without a plan there is no planned end.
    assert decision_due(assessed(Verdict.NOT_ENOUGH_DATA), 9, None) is None


def test_no_session_no_question() -> None:
    assert kind_due(Verdict.WORSE, 0) is None


@FAST
@given(
    st.lists(st.sampled_from(list(Verdict)), min_size=1, max_size=16),
    st.none() | st.integers(1, 8),
    st.lists(st.sampled_from(list(Flag)), max_size=2),
    st.none() | st.integers(1, 12),
)
def test_a_plan_never_repeats_a_question(verdicts, reevaluate_after, flags, expected) -> None:
    asked: list[AskedDecision] = []
    for sessions, verdict in enumerate(verdicts, start=1):
        for _ in range(2):  # the same note saved twice asks nothing new
            prompt = decision_due(
                assessed(verdict, *flags), sessions, reevaluate_after, asked, expected
            )
            if prompt is not None:
                assert prompt.at_session == sessions
                asked.append(AskedDecision(prompt.kind, prompt.at_session))
    counts = [a.at_session for a in asked]
    assert len(counts) == len(set(counts))
    reevaluations = [a for a in asked if a.kind is DecisionKind.REEVALUATION]
    assert len(reevaluations) <= 1
    assert len([a for a in asked if a.kind is DecisionKind.PLANNED_END]) <= 1
    if reevaluate_after is not None and reevaluate_after <= len(verdicts):
        # Only a worsening question can put it off, to the next note that is not one.
        assert reevaluations or all(v is Verdict.WORSE for v in verdicts[reevaluate_after - 1 :])


# --- referrals ------------------------------------------------------------------------------


def test_referral_codes_fit_callback_data() -> None:
    for code in [*PROFESSIONS, *REASONS]:
        assert re.fullmatch(r"[a-z]{2,10}", code)
    for suggested in SUGGESTIONS.values():
        assert set(suggested) <= set(PROFESSIONS)
    assert set(SUGGESTIONS) <= set(REASONS)


def test_suggestions_for_reasons() -> None:
    assert suggested_professions("disc") == ("physician", "physio", "chiro", "osteo")
    assert suggested_professions("noprog")[0] == "physio"
    assert suggested_professions("systemic") == ("physician",)
    assert suggested_professions("scope") == ("physician",)
    assert suggested_professions("strength")[0] == "trainer"
    assert "other" not in suggested_professions("request")
    assert set(suggested_professions("request")) == set(PROFESSIONS) - {"other"}


@pytest.mark.parametrize("reason", [*REASONS, "gone"])
def test_every_profession_is_offered_suggested_first(reason: str) -> None:
    choices = profession_choices(reason)
    assert sorted(choices) == sorted(PROFESSIONS)
    assert choices[: len(suggested_professions(reason))] == suggested_professions(reason)
    assert choices[-1] == "other"


def test_referral_line() -> None:
    assert referral_line("physio", "noprog") == (
        "Referred to: Physiotherapist — No progress with massage"
    )
    assert referral_line("nobody", "gone") == "Referred to: Other"


# --- which readings a verdict compares ------------------------------------------------------


def test_the_verdict_names_the_readings_it_compares() -> None:
    # Ben: 7 before the plan's first session on 3 Nov; three check-ins at 6, 7, 6 since.
    plan = Plan(start=date(2026, 11, 3), expected_sessions=6, reevaluate_after=3)
    sessions = [SessionRating(date(2026, 10, 27), 8, 4), SessionRating(date(2026, 11, 3), 7, 4)]
    check_ins = [CheckInRating(date(2026, 11, d), pain=p) for d, p in ((24, 6), (26, 7), (28, 6))]
    evidence = judge(ProgressSeries(sessions, check_ins, plan)).evidence
    assert evidence.pain_text() == (
        "pain 7 (before the plan's 1st session, 3 Nov) → 6 (middle of the last 3 ratings, "
        "24–28 Nov), −14 %"
    )


def test_a_check_in_baseline_and_mixed_readings_say_so() -> None:
    plan = Plan(start=date(2026, 11, 25), expected_sessions=6, reevaluate_after=3)
    sessions = [SessionRating(date(2026, 11, 30), 5, 2)]
    check_ins = [CheckInRating(date(2026, 11, 26), pain=7), CheckInRating(date(2026, 12, 2), 4)]
    evidence = judge(ProgressSeries(sessions, check_ins, plan)).evidence
    assert evidence.pain_text() == (
        "pain 7 (check-in, 26 Nov) → 4.5 (middle of the last 2 ratings, 30 Nov – 2 Dec), −36 %"
    )


def test_the_current_pain_is_named_in_the_same_words_on_every_screen() -> None:
    """The verdict line and the alert call it one thing, whatever its readings are: pain
    before sessions, at check-ins, or both; never "median", nor "sessions" for ratings."""
    plan = Plan(start=date(2026, 11, 3), expected_sessions=6, reevaluate_after=3)
    sessions = [SessionRating(date(2026, 11, 3), 7, 4), SessionRating(date(2026, 11, 10), 6, 3)]
    check_ins = [CheckInRating(date(2026, 11, d), pain=p) for d, p in ((13, 5), (17, 6))]
    for series in (
        ProgressSeries(sessions, check_ins, plan),  # mixed
        ProgressSeries(visits(7, 6, 4, 3, 3)),  # sessions only
        ProgressSeries(sessions[:1], [*check_ins, CheckInRating(date(2026, 11, 20), 5)], plan),
    ):
        assessment = judge(series)
        assert current_words(3) == "middle of the last 3 ratings"
        assert "(middle of the last 3 ratings, " in describe(assessment)
        assert "to the middle of the last 3 ratings (" in alert(assessment)
        assert "median" not in describe(assessment) + alert(assessment)


def test_one_reading_after_the_baseline_is_named_by_its_day() -> None:
    evidence = judge(ProgressSeries(visits(7, 5))).evidence
    assert evidence.pain_text() == (
        "pain 7 (before the 1st session, 2 Mar) → 5 (before the session of 9 Mar), −29 %"
    )


@FAST
@given(series)
def test_the_named_readings_are_the_ones_compared(s: ProgressSeries) -> None:
    evidence = judge(s).evidence
    if evidence.baseline_pain is None:
        assert evidence.baseline_reading is None
        return
    baseline = evidence.baseline_reading
    assert baseline is not None
    assert len(evidence.current_readings) == evidence.median_of
    days = [r.day for r in evidence.current_readings]
    assert days == sorted(days) and all(baseline.day <= d for d in days)
    text = evidence.pain_text()
    assert f"{baseline.day.day} " in text.split("→")[0]
    if days:
        assert f"{days[-1].day} " in text.split("→")[1]
