"""The progress chart's words: which way is better, the activity in full, the milestones each on
its own line, and the homework weeks named with their figures."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from matplotlib import dates as mdates
from matplotlib.figure import Figure
from matplotlib.text import Text

from practice.checkins import ACTIVITY_ANCHORS
from practice.numbers import round_half_away
from reports.chart import (
    ACTIVITY_LABEL,
    CHAR_SHARE,
    LABEL_HEIGHTS,
    PAIN_LABEL,
    PART_WEEK_NOTE,
    label_places,
    progress_figure,
)
from reports.data import DayScore
from reports.wording import short_day
from tests.test_reports import chart_data

LONG_ACTIVITY = "Turn my head to check the blind spot when reversing"


def words(figure: Figure) -> list[str]:
    figure.canvas.draw()  # tick labels are made when drawn
    return [t.get_text() for t in figure.findobj(Text) if t.get_text() and t.get_visible()]


def test_each_panel_says_which_way_is_better() -> None:
    shown = words(progress_figure(chart_data(5)))
    assert PAIN_LABEL in shown and "lower is better" in PAIN_LABEL
    assert ACTIVITY_LABEL in shown and "higher is better" in ACTIVITY_LABEL


def test_the_activity_is_named_in_full_with_its_anchors() -> None:
    figure = progress_figure(replace(chart_data(5), activity_name=LONG_ACTIVITY))
    title = " ".join(" ".join(w for w in words(figure) if "as well as before" in w).split())
    assert f"“{LONG_ACTIVITY}”" in title
    assert ACTIVITY_ANCHORS in title


def test_a_plan_without_an_activity_has_no_activity_panel() -> None:
    data = replace(chart_data(5), activity=[], activity_name=None)
    figure = progress_figure(data)
    assert len(figure.axes) == 2
    assert ACTIVITY_LABEL not in words(figure)


def test_the_homework_weeks_are_named_under_their_bars_with_their_figures() -> None:
    data = chart_data(5)
    shown = words(progress_figure(data))
    weeks = [short_day(week) for week in sorted(w.week_start for w in data.adherence)]
    named = [w for w in shown if w in weeks]
    step = weeks.index(named[1])  # every week, or every other (third…) one when they crowd
    assert named == weeks[::step]
    assert {str(round_half_away(100 * w.share)) for w in data.adherence} <= set(shown)
    assert any(w.startswith("Week starting") for w in shown)


def test_many_weeks_are_named_every_other_week_so_that_no_two_labels_touch() -> None:
    data = chart_data(12)
    figure = progress_figure(data)
    homework = figure.axes[-1]
    ticks = sorted(homework.get_xticks())
    assert len(ticks) < len(data.adherence)
    left, right = homework.get_xlim()
    assert min(b - a for a, b in itertools.pairwise(ticks)) / (right - left) >= 0.13
    assert mdates.num2date(ticks[0]).date() == min(w.week_start for w in data.adherence)


def test_each_milestone_label_is_drawn() -> None:
    data = replace(chart_data(8), reevaluate_after=4, expected_sessions=9)
    shown = words(progress_figure(data))
    assert "Re-evaluate" in shown and "Planned end" in shown


def test_a_lone_milestone_label_is_centred_on_its_line() -> None:
    assert label_places([0.5], ["Re-evaluate"]) == [("center", LABEL_HEIGHTS[0])]


@pytest.mark.parametrize(("where", "ha"), [(0.01, "left"), (0.99, "right")])
def test_a_label_near_an_edge_starts_or_ends_at_its_line(where: float, ha: str) -> None:
    assert label_places([where], ["Planned end"])[0][0] == ha


def test_two_close_labels_turn_away_from_each_other() -> None:
    assert label_places([0.45, 0.52], ["Re-evaluate", "Planned end"]) == [
        ("right", LABEL_HEIGHTS[0]),
        ("left", LABEL_HEIGHTS[0]),
    ]


def extent(where: float, label: str, ha: str) -> tuple[float, float]:
    width = len(label) * CHAR_SHARE
    start = {"left": where, "right": where - width, "center": where - width / 2}[ha]
    return start, start + width


@given(
    st.floats(0, 1),
    st.floats(0, 1),
)
def test_two_labels_never_overlap_and_each_touches_its_own_line(a: float, b: float) -> None:
    wheres = sorted([a, b])
    labels = ["Re-evaluate", "Planned end"]
    places = label_places(wheres, labels)
    spans = [extent(w, lab, ha) for w, lab, (ha, _) in zip(wheres, labels, places, strict=True)]
    for (start, end), where in zip(spans, wheres, strict=True):
        assert start - 1e-9 <= where <= end + 1e-9  # the label meets its line
    same_height = places[0][1] == places[1][1]
    if same_height:
        assert spans[0][1] <= spans[1][0] + 1e-9


def test_charts_far_apart_in_time_still_show_week_labels() -> None:
    data = chart_data(5)
    later = replace(
        data,
        adherence=[
            replace(w, week_start=w.week_start + timedelta(days=365)) for w in data.adherence
        ],
    )
    assert short_day(later.adherence[0].week_start) in words(progress_figure(later))


def test_the_axis_is_named_to_its_end_when_ratings_outlast_the_homework() -> None:
    """Anna's homework ended on 29 Dec; her ratings ran into February. The ticks went on to the
    chart's right edge, not just under the homework's bars."""
    data = chart_data(5)
    last_week = max(w.week_start for w in data.adherence)
    later = [DayScore(last_week + timedelta(days=7 * i), 3) for i in range(1, 9)]
    data = replace(data, check_ins=[*data.check_ins, *later])
    figure = progress_figure(data)
    shown = words(figure)
    homework = figure.axes[-1]
    ticks = sorted(homework.get_xticks())
    right = homework.get_xlim()[1]
    step = min(b - a for a, b in itertools.pairwise(ticks))
    assert right - ticks[-1] <= step  # named to the end
    assert mdates.num2date(ticks[-1]).date() > last_week + timedelta(days=35)
    assert short_day(mdates.num2date(ticks[-1]).date()) in shown
    first = mdates.date2num(min(w.week_start for w in data.adherence))
    assert all((t - first) % 7 == 0 for t in ticks)  # in step with the homework's weeks


def test_a_part_week_is_hatched_and_says_of_how_many_days() -> None:
    """A last week of two days at 50 % would read as a slump (or, at 100 %, as a recovery):
    its bar is hatched, and under the axis the chart says what hatching means and how many
    days that week had."""
    data = chart_data(4)
    weeks = list(data.adherence)
    weeks[-1] = replace(weeks[-1], share=0.5, partial=True, days_due=2)
    figure = progress_figure(replace(data, adherence=weeks))
    shown = words(figure)
    note = next(w for w in shown if PART_WEEK_NOTE in w)
    assert f"({short_day(weeks[-1].week_start)}: 2 days)" in note
    bars = figure.axes[-1].patches
    assert [bar.get_hatch() for bar in bars] == [None, None, None, "//"]
    assert "50" in shown and "Homework\ndone (%)" in shown


def test_without_a_part_week_nothing_is_hatched_or_explained() -> None:
    shown = words(progress_figure(chart_data(4)))
    assert not any(PART_WEEK_NOTE in w for w in shown)


def test_a_chart_is_titled_with_the_verdict_s_words_alone() -> None:
    """The verdict line's figures would be cut off at a phone chart's width (they are in the
    caption beside it): the title is the words before them, on /progress and in documents."""
    from reports.data import chart_title

    line = (
        "Improving over 6 sessions: pain 6 (before the plan's 1st session, 3 Dec) → 2 "
        "(middle of the last 3 ratings, 12–19 Jan), −67 %; homework 89 % done.\nActivity 4 → 9"
    )
    assert chart_title(line) == "Improving over 6 sessions"
    assert chart_title("Not enough data yet") == "Not enough data yet"
