"""The treatment plan form: complaint and area, the goal in the client's words, one activity to
track, the expected number of sessions and visits, when to re-evaluate, the start date."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.shared import texts
from bot.shared.callbacks import CardAction
from bot.shared.forms.engine import (
    Answer,
    Form,
    FormContext,
    Option,
    Options,
    Parse,
    Question,
    Saved,
    options_from,
)
from bot.shared.plans import plan_for_client
from bot.therapist.progress import answer_linked, reopen_on_cancel
from practice.decisions import AskedDecision
from practice.notes import AREAS, InputError, parse_session_date
from practice.plans import (
    DEFAULT_REEVALUATE_AFTER,
    MAX_ACTIVITY,
    MAX_COMPLAINT,
    MAX_GOAL,
    MAX_SESSIONS,
    VISIT_FREQUENCIES,
    where_in_plan,
)
from storage.models import TreatmentPlan

SESSION_CHOICES = (3, 4, 5, 6, 8, 10, 12)
REEVALUATE_CHOICES = (2, 3, 4, 5, 6)


def _numbers(values: tuple[int, ...]) -> Options:
    async def options(ctx: FormContext) -> list[Option]:
        return [Option(str(v), str(v)) for v in values]

    return options


async def _start_dates(ctx: FormContext) -> list[Option]:
    return [Option("today", "Today")]


def _count(limit: int) -> Parse:
    def parse(typed: str, ctx: FormContext) -> Answer:
        text = typed.strip()
        if not text.isdigit() or not 1 <= int(text) <= limit:
            raise InputError(f"send a whole number from 1 to {limit}")
        return text

    return parse


def _date(typed: str, ctx: FormContext) -> Answer:
    try:
        day = parse_session_date(typed, ctx.today, future_days=366)
    except InputError as exc:
        raise InputError(f"{exc}; type a date like 2.12 or 2 Dec") from None
    return day.isoformat()


def _show_date(value: Answer, ctx: FormContext) -> str:
    day = ctx.today if value == "today" else date.fromisoformat(str(value))
    return texts.long_date(day, ctx.today)


async def _intake_goal(ctx: FormContext) -> tuple[str, str] | None:
    """What the client answered at the intake's goal question, offered as one tap: their own
    words for the plan's goal (and, as often as not, the activity they find hard)."""
    if ctx.client is None:
        return None
    goal = (await ctx.uow.intake.answers(ctx.client.id)).get("goal")
    if not isinstance(goal, str) or not goal.strip():
        return None
    return "the intake's goal", goal.strip()


PLAN = Form(
    name="plan",
    title=lambda client: f"📋 Plan for <b>{texts.esc(client.name if client else '')}</b>",
    questions=[
        Question(
            "complaint",
            "Main complaint",
            "What is the <b>main complaint</b>? <i>e.g. stiff neck, tension headaches</i>",
            "text",
            max_length=MAX_COMPLAINT,
        ),
        Question(
            "area",
            "Area",
            "Where is it mostly?",
            "choice",
            options=options_from(AREAS),
        ),
        Question(
            "goal",
            "Goal",
            "The <b>goal</b>, in the client's own words? "
            "<i>e.g. sleep through the night without neck pain</i>",
            "text",
            max_length=MAX_GOAL,
            suggest=_intake_goal,
        ),
        Question(
            "activity",
            "Activity to track",
            "One <b>activity</b> the client finds hard now, which they will rate 0–10 between "
            "visits? <i>e.g. turn my head to check the blind spot while driving</i>",
            "text",
            optional=True,
            max_length=MAX_ACTIVITY,
            suggest=_intake_goal,
        ),
        Question(
            "sessions",
            "Expected sessions",
            "How many <b>sessions</b> do you expect? Tap one or type a number.",
            "choice",
            options=_numbers(SESSION_CHOICES),
            parse=_count(MAX_SESSIONS),
            columns=4,
        ),
        Question(
            "frequency",
            "Visits",
            "How often will the client come?",
            "choice",
            options=options_from(VISIT_FREQUENCIES),
        ),
        Question(
            "reevaluate",
            "Re-evaluate after",
            "<b>Re-evaluate</b> after how many sessions?",
            "choice",
            options=_numbers(REEVALUATE_CHOICES),
            parse=_count(MAX_SESSIONS),
            columns=5,
        ),
        Question(
            "start",
            "Start",
            "When does the plan start? Tap Today or type a date "
            "(e.g. <i>2 Dec</i>; day first: <i>2.12</i>).",
            "choice",
            options=_start_dates,
            parse=_date,
            show=_show_date,
        ),
    ],
    initial=lambda ctx: _initial(ctx),
    save=lambda ctx, target: _save(ctx),
    done_prompt="check the plan and save:",
    # Opened from a decision point ("Adjust plan") and cancelled: the plan was not changed,
    # so the question is asked again.
    cancelled=reopen_on_cancel(texts.PLAN_STILL_OPEN),
)


async def _initial(ctx: FormContext) -> dict[str, Answer]:
    assert ctx.client is not None
    current = await ctx.uow.plans.current(ctx.therapist_id, ctx.client.id)
    if current is None:
        return {"reevaluate": str(DEFAULT_REEVALUATE_AFTER), "start": "today"}
    # Changing a plan starts from the current version.
    return {
        "complaint": current.complaint,
        "area": current.area,
        "goal": current.goal,
        "activity": current.activity,
        "sessions": str(current.expected_sessions),
        "frequency": current.visit_frequency,
        "reevaluate": str(current.reevaluate_after),
        "start": current.start_date.isoformat(),
    }


async def _save(ctx: FormContext) -> Saved:
    a = ctx.answers
    client = ctx.client
    assert client is not None
    start = ctx.today if a["start"] == "today" else date.fromisoformat(a["start"])
    # "adjust", or what the planned end's button said: "extend", "maintenance".
    purpose = a.get("purpose")
    await answer_linked(
        ctx, client.id, purpose if purpose in ("extend", "maintenance") else "adjust"
    )
    plan = await ctx.uow.plans.add(
        TreatmentPlan(
            therapist_id=ctx.therapist_id,
            client_id=client.id,
            version=0,
            complaint=a["complaint"],
            area=a["area"],
            goal=a["goal"],
            activity=a.get("activity"),
            expected_sessions=int(a["sessions"]),
            visit_frequency=a["frequency"],
            reevaluate_after=min(int(a["reevaluate"]), int(a["sessions"])),
            start_date=start,
            created_at=ctx.now,
        )
    )
    notify = []
    if client.telegram_user_id is not None and client.unreachable_at is None:
        notify.append((client.telegram_user_id, plan_for_client(plan, ctx.therapist_name)))
    changed = plan.version > 1
    blocked = client.unreachable_at is not None
    text = texts.plan_saved(client.name, plan.version, changed, bool(notify), blocked)
    offer = [(texts.CARD_HOMEWORK, CardAction(client.id, "w").encode())]
    return Saved(text=text, notify=notify, offer=offer)


def plan_lines(
    plan: TreatmentPlan, sessions_done: int, today: date, answered: Sequence[AskedDecision] = ()
) -> list[str]:
    lines = [
        f"<b>Complaint:</b> {texts.esc(plan.complaint)} ({AREAS.get(plan.area, plan.area)})",
        f"<b>Goal:</b> {texts.esc(plan.goal)}",
    ]
    if plan.activity:
        lines.append(f"<b>Tracking:</b> {texts.esc(plan.activity)}")
    lines.append(
        f"<b>Visits:</b> {VISIT_FREQUENCIES.get(plan.visit_frequency, plan.visit_frequency)}, "
        f"from {texts.long_date(plan.start_date, today)}"
    )
    lines.append(
        where_in_plan(sessions_done, plan.expected_sessions, plan.reevaluate_after, answered)
    )
    return lines
