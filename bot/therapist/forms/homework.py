"""The homework form: an exercise (suggested from the areas last treated, or found by typing),
its dose, the days, the time of day, for how many weeks, and a personal note."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, time

from bot.shared import texts
from bot.shared.callbacks import CardAction
from bot.shared.clocks import daily_clock
from bot.shared.exercises import card_of_custom, exercise_card, homework_section, search_exercises
from bot.shared.forms.engine import Answer, Form, FormContext, Option, Question, Saved, options_from
from practice.exercises import MAX_DOSE_TEXT, Exercise, ExerciseCard, card_of, suggest_for_areas
from practice.intake import Skipped, cautions_of, exercises_to_skip
from practice.notes import InputError
from practice.plans import HomeworkStatus
from practice.preferences import (
    DEFAULT_REMINDER_TIME,
    decode_time,
    encode_time,
    hhmm,
)
from practice.schedules import Frequency, HomeworkSchedule, QuietHours
from reminders.planning import preferences_of, quiet_hours_of, replan_assignment, schedule_of
from storage.models import HomeworkAssignment

SUGGESTIONS = 6
MAX_NOTE = 300
MAX_WEEKS = 26
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
FREQUENCIES = {
    "daily": "Every day",
    "weekdays": "Chosen weekdays",
    "every_2": "Every 2 days",
    "every_3": "Every 3 days",
}
TIME_CHOICES = (time(7, 0), time(8, 0), time(9, 0), time(12, 0), time(18, 0), time(20, 0))
WEEK_CHOICES = (1, 2, 3, 4, 6, 8)
_TIME = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?$")


async def _exercises(ctx: FormContext) -> list[Option]:
    if ctx.query:
        found = await search_exercises(ctx.uow, ctx.therapist_id, ctx.query, limit=8)
        return [Option(c.code, c.name) for c in found]
    assert ctx.client is not None
    last = await ctx.uow.notes.last_treatment(ctx.therapist_id, ctx.client.id)
    areas = last.areas if last is not None else []
    suggested = [card_of(e) for e in await _suggested(ctx, areas)]
    # The therapist's own exercises for these areas come after the library's suggestions.
    mine = [
        card_of_custom(row)
        for row in await ctx.uow.exercises.mine(ctx.therapist_id)
        if row.area in areas or row.area == "general"
    ]
    return [Option(c.code, c.name) for c in (suggested + mine)[:8]]


async def _suggestions(ctx: FormContext, areas: list[str]) -> tuple[list[Exercise], list[Skipped]]:
    """The library's suggestions for the areas, without those whose own caution names one
    of the client's intake conditions (practice.intake.exercises_to_skip), and those."""
    assert ctx.client is not None
    candidates = suggest_for_areas(areas or ["general"], limit=SUGGESTIONS * 2)
    cautions = cautions_of(await ctx.uow.intake.answers(ctx.client.id))
    skipped = exercises_to_skip(candidates, cautions)
    left_out = {s.exercise.code for s in skipped}
    return [e for e in candidates if e.code not in left_out][:SUGGESTIONS], skipped


async def _suggested(ctx: FormContext, areas: list[str]) -> list[Exercise]:
    return (await _suggestions(ctx, areas))[0]


async def _not_suggested(ctx: FormContext) -> str:
    """Why an exercise the areas would suggest is not offered: one line each."""
    if ctx.query or ctx.client is None:
        return ""
    last = await ctx.uow.notes.last_treatment(ctx.therapist_id, ctx.client.id)
    _, skipped = await _suggestions(ctx, last.areas if last is not None else [])
    return "\n".join(
        texts.homework_skipped(s.exercise.name, s.caution.condition.short) for s in skipped
    )


async def _exercise(ctx: FormContext) -> ExerciseCard | None:
    code = ctx.answers.get("exercise")
    return await exercise_card(ctx.uow, ctx.therapist_id, str(code)) if code else None


async def _doses(ctx: FormContext) -> list[Option]:
    exercise = await _exercise(ctx)
    standard = exercise.dose if exercise else "the usual dose"
    return [Option("default", f"Keep: {standard}")]


def _dose(typed: str, ctx: FormContext) -> Answer:
    value = " ".join(typed.split())
    if not value or len(value) > MAX_DOSE_TEXT:
        raise InputError(f"a dose is up to {MAX_DOSE_TEXT} characters, e.g. 3 × 30 s hold")
    return value


async def _show_dose(value: Answer, ctx: FormContext) -> str:
    exercise = await _exercise(ctx)
    if value == "default":
        return texts.esc(exercise.dose) if exercise else "—"
    return texts.esc(str(value))


async def _weekdays(ctx: FormContext) -> list[Option]:
    return [Option(str(i), name) for i, name in enumerate(WEEKDAYS)]


async def _times(ctx: FormContext) -> list[Option]:
    preferred = (ctx.client.reminder_time if ctx.client else None) or DEFAULT_REMINDER_TIME
    # In the order of the day, the client's own time among them (ticked when chosen).
    choices = sorted({preferred, *TIME_CHOICES})
    return [Option(encode_time(t), hhmm(t)) for t in choices]


def _time(typed: str, ctx: FormContext) -> Answer:
    match = _TIME.match(typed.strip().lower())
    chosen = (
        decode_time(f"{int(match[1]):02d}{match[2] or '00'}")
        if match and len(match[1]) <= 2
        else None
    )
    if chosen is None:
        raise InputError("send a time like 7:30 or 18:00")
    return encode_time(chosen)


async def _weeks(ctx: FormContext) -> list[Option]:
    return [Option(str(w), f"{w} wk") for w in WEEK_CHOICES]


def _weeks_typed(typed: str, ctx: FormContext) -> Answer:
    text = typed.strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_WEEKS:
        raise InputError(f"send a number of weeks from 1 to {MAX_WEEKS}")
    return text


async def _show_exercise(value: Answer, ctx: FormContext) -> str:
    exercise = await _exercise(ctx)
    return texts.esc(exercise.name) if exercise else "—"


HOMEWORK = Form(
    name="homework",
    title=lambda client: f"🧘 Homework for <b>{texts.esc(client.name if client else '')}</b>",
    questions=[
        Question(
            "exercise",
            "Exercise",
            "Which <b>exercise</b>?",
            "choice",
            options=_exercises,
            narrows=True,
            show=_show_exercise,
            note=_not_suggested,
            hint="Suggested for the areas you treated. Type a word (e.g. <i>hamstring</i>) "
            "to find another; /exercise adds your own.",
        ),
        Question(
            "dose",
            "Dose",
            "The <b>dose</b>? Keep it, or type your own (e.g. <i>3 × 30 s hold</i>).",
            "choice",
            options=_doses,
            parse=_dose,
            show=_show_dose,
            columns=1,
        ),
        Question(
            "frequency",
            "How often",
            "<b>How often?</b>",
            "choice",
            options=options_from(FREQUENCIES),
            show=lambda v, ctx: FREQUENCIES.get(str(v), str(v)),
        ),
        Question(
            "weekdays",
            "Days",
            "On which <b>days</b>? Tap all that apply, then Done.",
            "multi",
            options=_weekdays,
            asked=lambda answers: answers.get("frequency") == "weekdays",
            show=lambda v, ctx: ", ".join(WEEKDAYS[int(d)] for d in sorted(v)),
            columns=4,
        ),
        Question(
            "time",
            "Reminder at",
            "At what <b>time</b> of the client's day? Tap one or type it (e.g. <i>7:30</i>).",
            "choice",
            options=_times,
            parse=_time,
            show=lambda v, ctx: _clock(ctx, ctx.today)(
                decode_time(str(v)) or DEFAULT_REMINDER_TIME
            ),
            columns=3,
        ),
        Question(
            "weeks",
            "For",
            "For how many <b>weeks</b>?",
            "choice",
            options=_weeks,
            parse=_weeks_typed,
            show=lambda v, ctx: f"{v} week{'s' if str(v) != '1' else ''}",
            columns=3,
        ),
        Question(
            "note",
            "Note for the client",
            "A personal <b>note</b> for the client? (optional) "
            "<i>e.g. do it after your shower, when the muscles are warm</i>",
            "text",
            optional=True,
            max_length=MAX_NOTE,
        ),
    ],
    initial=lambda ctx: _initial(ctx),
    save=lambda ctx, target: _save(ctx, target),
    done_prompt="check and save:",
    warnings=lambda ctx: _warnings(ctx),
)


async def _initial(ctx: FormContext) -> dict[str, Answer]:
    assert ctx.client is not None
    current = await ctx.uow.homework.get(ctx.therapist_id, ctx.target_id) if ctx.target_id else None
    if current is not None:
        return _answers_of(current, await _exercise_of(ctx, current.exercise_code))
    preferred = ctx.client.reminder_time or DEFAULT_REMINDER_TIME
    return {"dose": "default", "frequency": "daily", "time": encode_time(preferred), "weeks": "4"}


async def _exercise_of(ctx: FormContext, code: str) -> ExerciseCard | None:
    return await exercise_card(ctx.uow, ctx.therapist_id, code)


def _answers_of(item: HomeworkAssignment, exercise: ExerciseCard | None) -> dict[str, Answer]:
    """Changing an assignment starts from it as it is."""
    schedule = schedule_of(item)
    if schedule.frequency is Frequency.WEEKDAYS:
        frequency = "weekdays"
    elif schedule.frequency is Frequency.EVERY_N_DAYS:
        frequency = f"every_{schedule.interval_days}"
    else:
        frequency = "daily"
    days = (schedule.end - schedule.start).days + 1 if schedule.end else 28
    return {
        "exercise": item.exercise_code,
        "dose": "default" if exercise is not None and item.dose == exercise.dose else item.dose,
        "frequency": frequency if frequency in FREQUENCIES else "daily",
        "weekdays": [str(d) for d in sorted(schedule.weekdays)],
        "time": encode_time(item.time_of_day),
        "weeks": str(max(1, days // 7)),
        "note": item.note,
    }


def _clock(ctx: FormContext, day: date) -> Callable[[time], texts.Html]:
    """A reminder's time as the therapist reads it: on the client's clock, and on theirs
    too when it differs (clocks.daily_clock)."""
    assert ctx.client is not None
    zone = preferences_of(ctx.client, ctx.practice_zone).timezone
    return daily_clock(day, zone, ctx.practice_zone)


def _warnings(ctx: FormContext) -> list[str]:
    """A reminder time inside the client's quiet hours moves to their end: say so now."""
    client, chosen = ctx.client, decode_time(str(ctx.answers.get("time", "")))
    if client is None or chosen is None:
        return []
    prefs = preferences_of(client, ctx.practice_zone)
    quiet = quiet_hours_of(prefs)
    if quiet is None or not quiet.contains(chosen):
        return []
    clock = _clock(ctx, ctx.today)
    return [texts.in_quiet_hours(clock(chosen), texts.Html(prefs.quiet_label), clock(quiet.end))]


def schedule_from(answers: dict[str, Answer], start_day: date) -> HomeworkSchedule:
    frequency = str(answers["frequency"])
    at = decode_time(str(answers["time"])) or DEFAULT_REMINDER_TIME
    weeks = int(str(answers["weeks"]))
    if frequency == "weekdays":
        days = frozenset(int(d) for d in answers.get("weekdays") or [])
        return HomeworkSchedule.for_weeks(Frequency.WEEKDAYS, at, start_day, weeks, weekdays=days)
    if frequency.startswith("every_"):
        interval = int(frequency.removeprefix("every_"))
        return HomeworkSchedule.for_weeks(
            Frequency.EVERY_N_DAYS,
            at,
            start_day,
            weeks,
            interval_days=interval,
        )
    return HomeworkSchedule.for_weeks(Frequency.DAILY, at, start_day, weeks)


async def _save(ctx: FormContext, target: int | None) -> Saved:
    a = ctx.answers
    exercise = await _exercise(ctx)
    client = ctx.client
    assert exercise is not None and client is not None
    schedule = schedule_from(a, ctx.today)
    dose = exercise.dose if a["dose"] == "default" else str(a["dose"])
    assignment = await ctx.uow.homework.get(ctx.therapist_id, target) if target else None
    if target is not None and (assignment is None or assignment.status == HomeworkStatus.ENDED):
        return Saved(text=texts.HOMEWORK_GONE)
    if assignment is None:
        assignment = await ctx.uow.homework.add(
            HomeworkAssignment(
                therapist_id=ctx.therapist_id,
                client_id=client.id,
                exercise_code=exercise.code,
                dose=dose,
                rrule=schedule.rrule(),
                start_date=schedule.start,
                end_date=schedule.end,
                time_of_day=schedule.time_of_day,
                note=a.get("note"),
                status=HomeworkStatus.ACTIVE,
                created_at=ctx.now,
                updated_at=ctx.now,
            )
        )
    else:
        assignment.exercise_code = exercise.code
        assignment.dose = dose
        assignment.rrule = schedule.rrule()
        assignment.start_date, assignment.end_date = schedule.start, schedule.end
        assignment.time_of_day = schedule.time_of_day
        assignment.note = a.get("note")
        assignment.updated_at = ctx.now
    await replan_assignment(
        ctx.uow, assignment, client, now=ctx.now, fallback_zone=ctx.practice_zone
    )
    notify = []
    active = assignment.status == HomeworkStatus.ACTIVE
    quiet = quiet_hours_of(preferences_of(client, ctx.practice_zone))
    if active and client.telegram_user_id is not None and client.unreachable_at is None:
        message = homework_message(assignment, exercise, ctx.therapist_name, schedule, quiet)
        notify.append((client.telegram_user_id, message))
    blocked = client.unreachable_at is not None
    when = schedule.describe(quiet, clock=_clock(ctx, schedule.start))
    text = texts.homework_saved(exercise.name, client.name, when, bool(notify), blocked)
    offer = [
        (texts.ADD_ANOTHER, CardAction(client.id, "a").encode()),
    ]
    return Saved(text=text, notify=notify, offer=offer)


def homework_message(
    assignment: HomeworkAssignment,
    exercise: ExerciseCard,
    therapist: str,
    schedule: HomeworkSchedule | None = None,
    quiet: QuietHours | None = None,
) -> str:
    """What the client receives when homework is assigned: what, how, when."""
    section = homework_section(assignment, exercise, schedule, quiet)
    return f"{texts.your_homework(therapist)}\n\n{section}"
