"""The progress chart: pain at and between sessions, the plan's milestones, homework done.

Made to be read on a phone: 1080 × 1350 px (4:5 portrait: a phone's full width, and all of it
on screen at once), 150 dpi, no text smaller than 14 pt. Colours are the Okabe–Ito palette,
and every series differs by marker or line style too, so nothing depends on telling colours
apart.

Milestone lines: "Re-evaluate" at the plan's `reevaluate_after`-th session and "Planned end" at
its `expected_sessions`-th, counting the sessions since the plan started. A session that has
happened is marked on its day; one still to come is projected from the latest session (or the
plan's start, if later) at `days_between_visits`, and drawn dashed lighter; without a gap to
project with, it is left out. A projection more than six weeks beyond the data is named at the
chart's right edge ("Planned end ≈ 7 Apr 2027 →") instead of squeezing the data into a corner.

Thread-safe: each call builds its own `Figure` on an Agg canvas; pyplot is never imported.

Typed words (the plan's activity) may be in any script: glyphs DejaVu lacks come from the
Kurinto faces the PDFs use, through matplotlib's font fallback. matplotlib does not shape
text, so Arabic letters print unjoined and Devanagari marks may sit apart: readable, not
typeset.
"""

from __future__ import annotations

import io
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
from matplotlib.ticker import FixedLocator, FuncFormatter, PercentFormatter

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
LABEL_HEIGHTS = (11.5, 10.8)
TITLE_LINES = 3
ACTIVITY_NAME_WIDTH = 16  # the legend spans the figure at 1080 px: longer ones are cut


@dataclass(frozen=True)
class Milestone:
    label: str
    day: date
    projected: bool


def render_progress_chart(data: ProgressChartData) -> bytes:
    """The chart as PNG bytes, WIDTH_PX × HEIGHT_PX."""
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    pain_axes, homework_axes = figure.subplots(
        2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]}
    )
    figure.suptitle(_title(data.verdict), fontsize=TITLE_PT, fontweight="bold")

    days = _rated_days(data)
    milestones = milestones_for(data)
    far = [m for m in milestones if m.day - max(days, default=m.day) > MAX_PROJECTION]
    near = [m for m in milestones if m not in far]

    span = _span(data, near)
    _draw_pain(pain_axes, data)
    if span is not None:
        _draw_milestones(pain_axes, homework_axes, near, far, span)
    _draw_homework(homework_axes, data)
    _style_axes(pain_axes, homework_axes, data, span)

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
    if data.sessions or data.check_ins or data.activity:
        _legend(pain_axes, data)

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


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
    if data.activity:
        points = sorted(data.activity, key=lambda a: a.day)
        axes.plot(
            [mdates.date2num(a.day) for a in points],
            [a.score for a in points],
            linestyle="--",
            marker="s",
            markersize=7,
            linewidth=2.5,
            color=ACTIVITY_GREEN,
            zorder=2,
        )


def _draw_milestones(
    pain_axes: Axes,
    homework_axes: Axes,
    near: list[Milestone],
    far: list[Milestone],
    span: tuple[float, float],
) -> None:
    # Each label has a height of its own (there are at most two), so no two overlap.
    heights = iter(LABEL_HEIGHTS)
    for milestone, height in zip(near, heights, strict=False):
        x = mdates.date2num(milestone.day)
        style: dict[str, Any] = {  # axvline's keywords, of as many types
            "color": MILESTONE_GREY,
            "linewidth": 2,
            "linestyle": (0, (2, 3)) if milestone.projected else (0, (6, 3)),
            "alpha": 0.6 if milestone.projected else 1.0,
            "zorder": 1,
        }
        pain_axes.axvline(x, **style)
        homework_axes.axvline(x, **style)
        # Read away from the nearer edge, so the label stays inside the chart.
        on_the_left = x - span[0] < (span[1] - span[0]) / 2
        _milestone_label(
            pain_axes,
            x,
            height,
            f" {milestone.label}" if on_the_left else f"{milestone.label} ",
            ha="left" if on_the_left else "right",
            projected=milestone.projected,
        )
    for milestone, height in zip(far, heights, strict=False):
        text = f"{milestone.label} ≈ {day_label(milestone.day)} →"
        _milestone_label(pain_axes, span[1], height, text, ha="right", projected=True)


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
        axes.bar(
            [mdates.date2num(w.week_start) for w in data.adherence],
            [max(0.0, min(1.0, w.share)) * 100 for w in data.adherence],
            width=6,
            align="edge",
            color=HOMEWORK_PURPLE,
            edgecolor="black",
            linewidth=0.6,
            zorder=2,
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
    pain_axes: Axes,
    homework_axes: Axes,
    data: ProgressChartData,
    span: tuple[float, float] | None,
) -> None:
    pain_axes.set_ylim(-0.5, 12)
    pain_axes.yaxis.set_major_locator(FixedLocator([0, 2, 4, 6, 8, 10]))
    pain_axes.set_ylabel(
        "Pain · activity (0–10)" if data.activity else "Pain (0–10)", fontsize=TEXT_PT
    )
    pain_axes.grid(axis="y", color="#dddddd", zorder=0)

    homework_axes.set_ylim(0, 100)
    homework_axes.yaxis.set_major_locator(FixedLocator([0, 50, 100]))
    homework_axes.yaxis.set_major_formatter(PercentFormatter(decimals=0))
    homework_axes.set_ylabel("Homework\ndone", fontsize=TEXT_PT)
    homework_axes.grid(axis="y", color="#dddddd", zorder=0)

    for axes in (pain_axes, homework_axes):
        axes.tick_params(labelsize=SMALL_PT)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)

    if span is None:
        homework_axes.xaxis.set_major_locator(FixedLocator([]))
        return
    pain_axes.set_xlim(*span)
    locator = mdates.AutoDateLocator(minticks=3, maxticks=6)
    homework_axes.xaxis.set_major_locator(locator)
    homework_axes.xaxis.set_major_formatter(FuncFormatter(_tick_label))
    first, last = mdates.num2date(span[0]).year, mdates.num2date(span[1]).year
    homework_axes.set_xlabel(str(first) if first == last else f"{first}–{last}", fontsize=TEXT_PT)


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
    if data.activity:
        handles.append(
            Line2D([], [], marker="s", linestyle="--", linewidth=2.5, color=ACTIVITY_GREEN)
        )
        name = textwrap.shorten(
            data.activity_name or "Activity", ACTIVITY_NAME_WIDTH, placeholder="…"
        )
        labels.append(f"{name} (10 = as before)")
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
