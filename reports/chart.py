"""The progress chart: pain at and between sessions, the plan's activity, homework done.

Three panels over one time axis, each saying which way is better: pain (0–10, lower is
better), the plan's functional activity if it has one (practice.checkins.ACTIVITY_ANCHORS:
higher is better; named in full above its panel), and the share of homework done each week,
each bar labelled with its figure, the weeks named on the axis.

Made to be read on a phone: 1080 × 1350 px (4:5 portrait: a phone's full width, and all of it
on screen at once), 150 dpi, no text smaller than 14 pt. Colours are the Okabe–Ito palette,
and every series differs by marker or line style too, so nothing depends on telling colours
apart.

Milestone lines, across every panel and each labelled along its own line: "Re-evaluate" at the
plan's `reevaluate_after`-th session and "Planned end" at its `expected_sessions`-th, counting
the sessions since the plan started. A session that has happened is marked on its day; one still
to come is projected from the latest session (or the plan's start, if later) at
`days_between_visits`, and drawn dashed lighter; without a gap to project with, it is left out.
A projection more than six weeks beyond the data is named at the chart's right edge ("Planned
end ≈ 7 Apr 2027 →") instead of squeezing the data into a corner.

Thread-safe: each call builds its own `Figure` on an Agg canvas; pyplot is never imported.

Typed words (the plan's activity) may be in any script: glyphs DejaVu lacks come from the
Kurinto faces the PDFs use, through matplotlib's font fallback. matplotlib does not shape
text, so Arabic letters print unjoined and Devanagari marks may sit apart: readable, not
typeset.
"""

from __future__ import annotations

import io
import math
import textwrap
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import matplotlib
from matplotlib import dates as mdates
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, FuncFormatter

from practice.checkins import ACTIVITY_ANCHORS
from practice.numbers import round_half_away
from reports.data import ProgressChartData
from reports.fonts import FALLBACKS, fallback_file
from reports.wording import day_label, short_day

WIDTH_PX, HEIGHT_PX = 1080, 1350
DPI = 150


def _fonts() -> list[str]:
    """DejaVu first, then the fallback faces, by the family names their files declare."""
    families = ["DejaVu Sans"]
    for family in FALLBACKS:
        path = fallback_file(family)
        font_manager.fontManager.addfont(str(path))
        # The bold face too, for the title: FreeType reads a face's glyphs only when drawn.
        font_manager.fontManager.addfont(str(path.with_name(path.name.replace("-Rg", "-Bd"))))
        families.append(font_manager.FontProperties(fname=path).get_name())
    return families


# Set once, on import, before any thread draws: rcParams are global.
matplotlib.rcParams["font.family"] = _fonts()

TITLE_PT = 18
TEXT_PT = 15
SMALL_PT = 14

# Okabe & Ito (2008), "Color Universal Design".
SESSION_BLUE = "#0072B2"
CHECKIN_ORANGE = "#E69F00"
ACTIVITY_GREEN = "#009E73"
HOMEWORK_PURPLE = "#CC79A7"
MILESTONE_GREY = "#444444"

NOT_ENOUGH = "Not enough data yet"
# Two days with a rating make a trend; fewer is a point.
MIN_DAYS = 2
# A projected milestone further than this past the data is named, not drawn.
MAX_PROJECTION = timedelta(days=42)
TITLE_WIDTH = 38
LABEL_HEIGHTS = (11.6, 10.7)
# The width of one character of a milestone's label, as a share of the chart's (14 pt at
# 150 dpi is about 17 px a character, the pain panel about 860 px wide), with some room.
CHAR_SHARE = 0.022
TITLE_LINES = 3
ACTIVITY_TITLE_WIDTH = 52  # characters a line above the activity's panel, wrapped, never cut
ACTIVITY_TITLE_LINES = 3
# The room a week's label ("30 Nov") takes on the axis, as a share of its width: weeks
# closer than that are named every other (third…) week.
WEEK_LABEL_SHARE = 0.13
PAIN_LABEL = "Pain (0–10)\n↓ lower is better"
ACTIVITY_LABEL = "Activity\n↑ higher is better"
HOMEWORK_LABEL = "Homework\ndone (%)"
WEEKS_LABEL = "Week starting"
PART_WEEK_FILL = "#F0D8E6"  # HOMEWORK_PURPLE, pale
PART_WEEK_HATCH = "//"
PART_WEEK_NOTE = "Hatched: homework due on only part of that week"


@dataclass(frozen=True)
class Milestone:
    label: str
    day: date
    projected: bool


def render_progress_chart(data: ProgressChartData) -> bytes:
    """The chart as PNG bytes, WIDTH_PX × HEIGHT_PX."""
    figure = progress_figure(data)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def progress_figure(data: ProgressChartData) -> Figure:
    """The chart, drawn: `render_progress_chart` saves it; tests read its words."""
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    ratios = [3.0, 1.8, 1.3] if data.activity else [3.0, 1.3]
    panels = list(
        figure.subplots(len(ratios), 1, sharex=True, gridspec_kw={"height_ratios": ratios})
    )
    pain_axes, homework_axes = panels[0], panels[-1]
    activity_axes = panels[1] if data.activity else None
    figure.suptitle(_title(data.verdict), fontsize=TITLE_PT, fontweight="bold")

    days = _rated_days(data)
    milestones = milestones_for(data)
    far = [m for m in milestones if m.day - max(days, default=m.day) > MAX_PROJECTION]
    near = [m for m in milestones if m not in far]

    span = _span(data, near)
    _draw_pain(pain_axes, data)
    if activity_axes is not None:
        _draw_activity(activity_axes, data)
    if span is not None:
        _draw_milestones(panels, near, far, span)
    _draw_homework(homework_axes, data)
    _style_axes(panels, data, span)

    if len(days) < MIN_DAYS:
        pain_axes.text(
            0.5,
            0.5,
            NOT_ENOUGH,
            transform=pain_axes.transAxes,
            ha="center",
            va="center",
            fontsize=TITLE_PT,
            color=MILESTONE_GREY,
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 8},
        )
    if data.sessions or data.check_ins:
        _legend(pain_axes, data)
    return figure


def milestones_for(data: ProgressChartData) -> list[Milestone]:
    """Where the plan's re-evaluation and planned end fall; see the module's docstring."""
    wanted = [("Re-evaluate", data.reevaluate_after), ("Planned end", data.expected_sessions)]
    in_plan = sorted(
        s.day for s in data.sessions if data.plan_start is None or s.day >= data.plan_start
    )
    anchor = max([*in_plan[-1:], *([data.plan_start] if data.plan_start else [])], default=None)
    found: list[Milestone] = []
    for label, number in wanted:
        if not number or number < 1:
            continue
        if number <= len(in_plan):
            found.append(Milestone(label, in_plan[number - 1], projected=False))
        elif anchor is not None and data.days_between_visits:
            # With no session under the plan yet, its first is expected on the start day.
            to_go = number - len(in_plan) - (0 if in_plan else 1)
            gap = timedelta(days=data.days_between_visits * to_go)
            found.append(Milestone(label, anchor + gap, projected=True))
    if len(found) == 2 and found[0].day == found[1].day:
        return [Milestone("Re-evaluate · Planned end", found[0].day, found[0].projected)]
    return found


def _rated_days(data: ProgressChartData) -> set[date]:
    return {s.day for s in data.sessions} | {c.day for c in data.check_ins}


def _title(verdict: str) -> str:
    lines = textwrap.wrap(verdict, TITLE_WIDTH) or [""]
    if len(lines) > TITLE_LINES:
        rest = " ".join(lines[TITLE_LINES - 1 :])
        lines = [*lines[: TITLE_LINES - 1], textwrap.shorten(rest, TITLE_WIDTH, placeholder=" …")]
    return "\n".join(lines)


def _draw_pain(axes: Axes, data: ProgressChartData) -> None:
    if data.sessions:
        x = [mdates.date2num(s.day) for s in data.sessions]
        before = [s.before for s in data.sessions]
        after = [s.after for s in data.sessions]
        axes.vlines(x, after, before, color=SESSION_BLUE, linewidth=3, zorder=3)
        axes.plot(x, before, "o", markersize=12, color=SESSION_BLUE, zorder=4)
        axes.plot(
            x,
            after,
            "o",
            markersize=12,
            markerfacecolor="white",
            markeredgecolor=SESSION_BLUE,
            markeredgewidth=2.5,
            zorder=4,
        )
    if data.check_ins:
        points = sorted(data.check_ins, key=lambda c: c.day)
        axes.plot(
            [mdates.date2num(c.day) for c in points],
            [c.score for c in points],
            "D",
            markersize=8,
            color=CHECKIN_ORANGE,
            markeredgecolor="black",
            markeredgewidth=0.6,
            zorder=5,
        )


def _draw_activity(axes: Axes, data: ProgressChartData) -> None:
    points = sorted(data.activity, key=lambda a: a.day)
    axes.plot(
        [mdates.date2num(a.day) for a in points],
        [a.score for a in points],
        linestyle="--",
        marker="s",
        markersize=8,
        linewidth=2.5,
        color=ACTIVITY_GREEN,
        zorder=2,
    )
    axes.set_title(_activity_title(data.activity_name), fontsize=SMALL_PT, loc="left")


def _activity_title(name: str | None) -> str:
    """The activity in full (wrapped, never cut short) and how it is rated."""
    words = f"“{name}”" if name else "The plan's activity"
    lines = textwrap.wrap(f"{words}: {ACTIVITY_ANCHORS}", ACTIVITY_TITLE_WIDTH)
    if len(lines) > ACTIVITY_TITLE_LINES:
        rest = " ".join(lines[ACTIVITY_TITLE_LINES - 1 :])
        lines = [*lines[: ACTIVITY_TITLE_LINES - 1], textwrap.shorten(rest, ACTIVITY_TITLE_WIDTH)]
    return "\n".join(lines)


def _draw_milestones(
    panels: list[Axes],
    near: list[Milestone],
    far: list[Milestone],
    span: tuple[float, float],
) -> None:
    pain_axes = panels[0]
    xs = [mdates.date2num(m.day) for m in near]
    places = label_places(
        [(x - span[0]) / (span[1] - span[0]) for x in xs], [m.label for m in near]
    )
    for milestone, x, (ha, height) in zip(near, xs, places, strict=True):
        style: dict[str, Any] = {  # axvline's keywords, of as many types
            "color": MILESTONE_GREY,
            "linewidth": 2,
            "linestyle": (0, (2, 3)) if milestone.projected else (0, (6, 3)),
            "alpha": 0.6 if milestone.projected else 1.0,
            "zorder": 1,
        }
        for axes in panels:
            axes.axvline(x, **style)
        _milestone_label(
            pain_axes, x, height, milestone.label, ha=ha, projected=milestone.projected
        )
    heights = iter(LABEL_HEIGHTS[len(near) :])
    for milestone, height in zip(far, heights, strict=False):
        text = f"{milestone.label} ≈ {day_label(milestone.day)} →"
        _milestone_label(pain_axes, span[1], height, text, ha="right", projected=True)


def label_places(wheres: list[float], labels: list[str]) -> list[tuple[str, float]]:
    """How each milestone's label stands: its alignment on its line and its height.

    `wheres` are the lines' places as shares of the chart's width. A label stands above the
    data (pain stops at 10), centred on its own line, which runs into it like a signpost's
    post, so that it can belong to no other line. Near an edge it starts (or ends) at its line
    instead. Two that would overlap turn away from each other, the first ending at its line and
    the second starting at its own; if even that does not fit, the second stands lower.
    """
    halves = [len(label) * CHAR_SHARE / 2 for label in labels]
    places: list[tuple[str, float]] = []
    for where, half in zip(wheres, halves, strict=True):
        ha = "left" if where < half else "right" if where > 1 - half else "center"
        places.append((ha, LABEL_HEIGHTS[0]))
    if len(places) == 2:
        extents = [
            _extent(where, 2 * half, ha)
            for where, half, (ha, _) in zip(wheres, halves, places, strict=True)
        ]
        if extents[0][1] > extents[1][0]:
            apart = [
                _extent(wheres[0], 2 * halves[0], "right"),
                _extent(wheres[1], 2 * halves[1], "left"),
            ]
            if apart[0][0] >= 0 and apart[1][1] <= 1 and apart[0][1] <= apart[1][0]:
                places = [("right", LABEL_HEIGHTS[0]), ("left", LABEL_HEIGHTS[0])]
            else:
                places[1] = (places[1][0], LABEL_HEIGHTS[1])
    return places


def _extent(where: float, width: float, ha: str) -> tuple[float, float]:
    start = {"left": where, "right": where - width, "center": where - width / 2}[ha]
    return start, start + width


def _milestone_label(
    axes: Axes, x: float, y: float, text: str, *, ha: str, projected: bool
) -> None:
    axes.text(
        x,
        y,
        text,
        ha=ha,
        va="center",
        fontsize=SMALL_PT,
        color=MILESTONE_GREY,
        style="italic" if projected else "normal",
        # Another milestone's line passes behind the label, not through it.
        bbox={"facecolor": "white", "edgecolor": "none", "pad": 1},
        zorder=6,
    )


def _draw_homework(axes: Axes, data: ProgressChartData) -> None:
    if data.adherence:
        shares = [max(0.0, min(1.0, w.share)) * 100 for w in data.adherence]
        bars = axes.bar(
            [mdates.date2num(w.week_start) for w in data.adherence],
            shares,
            width=6,
            align="edge",
            # A part week is hatched and pale: its share is of a few days, not of a week.
            color=[PART_WEEK_FILL if w.partial else HOMEWORK_PURPLE for w in data.adherence],
            hatch=[PART_WEEK_HATCH if w.partial else None for w in data.adherence],
            edgecolor=HOMEWORK_PURPLE,
            linewidth=1.2,
            zorder=2,
        )
        # The figure alone ("29"): the axis says it is a percentage, and a week's bar is too
        # narrow for more at 14 pt.
        axes.bar_label(
            bars,
            labels=[str(round_half_away(share)) for share in shares],
            fontsize=SMALL_PT,
            padding=2,
        )
    else:
        axes.text(
            0.5,
            0.5,
            "No homework due yet",
            transform=axes.transAxes,
            ha="center",
            va="center",
            fontsize=SMALL_PT,
            color=MILESTONE_GREY,
        )


def _style_axes(
    panels: list[Axes], data: ProgressChartData, span: tuple[float, float] | None
) -> None:
    pain_axes, homework_axes = panels[0], panels[-1]
    for axes, label in ((pain_axes, PAIN_LABEL), *((a, ACTIVITY_LABEL) for a in panels[1:-1])):
        axes.set_ylim(-0.5, 12.1 if axes is pain_axes else 10.8)
        axes.yaxis.set_major_locator(FixedLocator([0, 2, 4, 6, 8, 10]))
        axes.set_ylabel(label, fontsize=TEXT_PT)
        axes.grid(axis="y", color="#dddddd", zorder=0)

    # Room above a full bar for its figure.
    homework_axes.set_ylim(0, 130)
    homework_axes.yaxis.set_major_locator(FixedLocator([0, 50, 100]))
    homework_axes.set_ylabel(HOMEWORK_LABEL, fontsize=TEXT_PT)
    homework_axes.grid(axis="y", color="#dddddd", zorder=0)

    for axes in panels:
        axes.tick_params(labelsize=SMALL_PT)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)

    if span is None:
        homework_axes.xaxis.set_major_locator(FixedLocator([]))
        return
    pain_axes.set_xlim(*span)
    weeks = sorted(w.week_start for w in data.adherence)
    if weeks:
        homework_axes.xaxis.set_major_locator(FixedLocator(week_ticks(weeks[0], span)))
    else:
        homework_axes.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=6))
    homework_axes.xaxis.set_major_formatter(FuncFormatter(_tick_label))
    first, last = mdates.num2date(span[0]).year, mdates.num2date(span[1]).year
    years = str(first) if first == last else f"{first}–{last}"
    label = f"{WEEKS_LABEL} · {years}" if weeks else years
    if part := [w for w in data.adherence if w.partial]:
        days = ", ".join(
            f"{short_day(w.week_start)}: {w.days_due} day{'' if w.days_due == 1 else 's'}"
            for w in part
        )
        label += f"\n{PART_WEEK_NOTE}\n({days})"
    homework_axes.set_xlabel(label, fontsize=TEXT_PT)


def week_ticks(first_week: date, span: tuple[float, float]) -> list[float]:
    """The Mondays across the whole span, in step with the homework's weeks (every n-th when
    there are many): the axis is named to its end, where the ratings may run on for weeks after
    the homework ended."""
    week_share = 7 / (span[1] - span[0])
    step = max(1, math.ceil(WEEK_LABEL_SHARE / week_share)) * 7
    start, end = mdates.num2date(span[0]).date(), mdates.num2date(span[1]).date()
    day = first_week - timedelta(days=step * ((first_week - start).days // step))
    ticks = []
    while day <= end:
        if day >= start:
            ticks.append(mdates.date2num(day))
        day += timedelta(days=step)
    return ticks


def _span(data: ProgressChartData, milestones: list[Milestone]) -> tuple[float, float] | None:
    """The x limits (matplotlib day numbers): every day drawn, with a margin."""
    days = sorted(
        _rated_days(data)
        | {a.day for a in data.activity}
        | {w.week_start for w in data.adherence}
        | {w.week_start + timedelta(days=6) for w in data.adherence}
        | {m.day for m in milestones}
    )
    if not days:
        return None
    margin = max(timedelta(days=2), (days[-1] - days[0]) / 20)
    if days[0] == days[-1]:
        margin = timedelta(days=7)
    return mdates.date2num(days[0] - margin), mdates.date2num(days[-1] + margin)


def _tick_label(x: float, _pos: int | None = None) -> str:
    return short_day(mdates.num2date(x).date())


def _legend(axes: Axes, data: ProgressChartData) -> None:
    handles = [
        Line2D([], [], marker="o", linestyle="", markersize=12, color=SESSION_BLUE),
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markersize=12,
            markerfacecolor="white",
            markeredgecolor=SESSION_BLUE,
            markeredgewidth=2.5,
        ),
    ]
    labels = ["Pain before session", "Pain after session"]
    if data.check_ins:
        handles.append(
            Line2D(
                [],
                [],
                marker="D",
                linestyle="",
                markersize=8,
                color=CHECKIN_ORANGE,
                markeredgecolor="black",
                markeredgewidth=0.6,
            )
        )
        labels.append("Pain between visits")
    # Above the panel, not over the data; constrained layout makes room for it.
    axes.legend(
        handles,
        labels,
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        ncols=2,
        fontsize=SMALL_PT,
        frameon=False,
        handletextpad=0.4,
        columnspacing=1.2,
    )
