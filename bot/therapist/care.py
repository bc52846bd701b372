"""A client's plan and homework as the therapist sees them: the plan card with its history,
the homework list with pause, resume, change and end, and the /plan and /homework commands."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.shared import cards, texts
from bot.shared.bounded import TEXT_LIMIT, fit
from bot.shared.callbacks import CardAction, HomeworkAction, parse
from bot.shared.clocks import daily_clock
from bot.shared.context import Context, Handler
from bot.shared.exercises import exercise_name
from bot.shared.forms.handlers import start_form
from bot.therapist.client_search import pick_client
from bot.therapist.forms.plan import plan_lines
from practice.plans import HomeworkStatus
from reminders.planning import preferences_of, quiet_hours_of, replan_assignment, schedule_of
from reports.progress import answered_under_plan


async def show_plan(update: Update, context: Context, client_id: int) -> None:
    """The plan card, or the plan form when the client has no plan yet."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    services = context.services
    async with services.db.unit_of_work() as uow:
        client = await uow.clients.get(user.id, client_id)
        versions = await uow.plans.versions(user.id, client_id) if client else []
        done = (
            await uow.plans.sessions_since(user.id, client_id, versions[0].start_date)
            if versions
            else 0
        )
        answered = (
            await answered_under_plan(uow, user.id, client_id, versions[0].id) if versions else []
        )
    if client is None:
        await context.bot.send_message(chat.id, texts.NOT_YOUR_CLIENT)
        return
    if not versions:
        await start_form(update, context, "plan", client_id)
        return
    today = services.today()
    current = versions[0]
    lines = [f"📋 <b>Plan for {texts.esc(client.name)}</b> (version {current.version})", ""]
    lines += plan_lines(current, done, today, answered)
    if len(versions) > 1:
        earlier = []
        for old in versions[1:]:
            day = old.created_at.astimezone(services.settings.tz).date()
            earlier.append(
                f"v{old.version} · {texts.long_date(day, today)}: {texts.esc(old.goal)}; "
                f"{old.expected_sessions} sessions, re-evaluate after {old.reevaluate_after}"
            )
        lines += ["", "<b>Earlier versions</b>"]
        # The newest earlier versions that fit; the export has every one.
        room = TEXT_LIMIT - len("\n".join(lines)) - 1
        lines += fit(earlier, room, texts.earlier_plan_versions)
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.CHANGE_PLAN, callback_data=CardAction(client_id, "q").encode()
                ),
                InlineKeyboardButton(
                    texts.CARD_HOMEWORK, callback_data=CardAction(client_id, "w").encode()
                ),
            ]
        ]
    )
    await context.bot.send_message(chat.id, "\n".join(lines), reply_markup=keyboard)


async def _homework_view(
    context: Context, therapist_id: int, client_id: int
) -> tuple[str, InlineKeyboardMarkup] | None:
    async with context.services.db.unit_of_work() as uow:
        client = await uow.clients.get(therapist_id, client_id)
        current = await uow.homework.current(therapist_id, client_id) if client else []
        names = {
            h.exercise_code: await exercise_name(uow, therapist_id, h.exercise_code)
            for h in current
        }
    if client is None:
        return None
    lines = [f"🧘 <b>Homework for {texts.esc(client.name)}</b>", ""]
    practice_zone = context.services.settings.practice_timezone
    prefs = preferences_of(client, practice_zone)
    quiet = quiet_hours_of(prefs)
    clock = daily_clock(context.services.today(), prefs.timezone, practice_zone)
    items: list[str] = []
    rows: list[list[InlineKeyboardButton]] = []
    for item in current:
        name = names[item.exercise_code]
        paused = item.status == HomeworkStatus.PAUSED
        items.append(
            texts.homework_line(
                name, item.dose, schedule_of(item).describe(quiet, clock=clock), paused
            )
        )
        rows.append(
            [
                InlineKeyboardButton(
                    f"{'▶️' if paused else '⏸'} {name}",
                    callback_data=HomeworkAction(item.id, "r" if paused else "p").encode(),
                ),
                InlineKeyboardButton("✏️", callback_data=HomeworkAction(item.id, "c").encode()),
                InlineKeyboardButton("⏹", callback_data=HomeworkAction(item.id, "e").encode()),
            ]
        )
    if not current:
        lines.append(texts.NO_HOMEWORK_THERAPIST)
    else:
        legend = ["", "⏸ pause · ▶️ resume · ✏️ change · ⏹ end"]
        room = TEXT_LIMIT - len("\n".join([*lines, *legend])) - 1
        lines += [*fit(items, room, texts.more_with_buttons), *legend]
    rows.append(
        [
            InlineKeyboardButton(
                texts.ADD_EXERCISE, callback_data=CardAction(client_id, "a").encode()
            )
        ]
    )
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def show_homework(update: Update, context: Context, client_id: int) -> None:
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    view = await _homework_view(context, user.id, client_id)
    if view is None:
        await context.bot.send_message(chat.id, texts.NOT_YOUR_CLIENT)
        return
    text, keyboard = view
    await context.bot.send_message(chat.id, text, reply_markup=keyboard)


async def homework_button(update: Update, context: Context) -> None:
    """Pause, resume, change or end one assignment — re-checked against who pressed.

    Ending cannot be undone, so ⏹ asks once ("x" confirms, "k" keeps it).
    """
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None and query.message is not None
    button = parse(query.data)
    if not isinstance(button, HomeworkAction):
        await cards.answer(query, texts.STALE_BUTTON)
        return
    services = context.services
    chat_id, message_id = query.message.chat.id, query.message.message_id
    new_status = {"p": HomeworkStatus.PAUSED, "r": HomeworkStatus.ACTIVE, "x": HomeworkStatus.ENDED}
    async with services.db.unit_of_work() as uow:
        item = await uow.homework.get(user.id, button.assignment_id)
        if item is None or item.status == HomeworkStatus.ENDED:
            await cards.answer(query, texts.NOT_YOUR_CLIENT if item is None else "Already ended.")
            return
        client_id = item.client_id
        name = await exercise_name(uow, user.id, item.exercise_code)
        if button.action in new_status:
            now = services.clock.now()
            item.status = new_status[button.action]
            item.updated_at = now
            client = await uow.clients.get(user.id, client_id)
            if client is not None:
                # Paused or ended: nothing queued goes out. Resumed: the next one from now.
                await replan_assignment(
                    uow, item, client, now=now, fallback_zone=services.settings.practice_timezone
                )
            await uow.commit()
    if button.action == "c":
        await cards.answer(query)
        await start_form(update, context, "homework", client_id, target_id=button.assignment_id)
        return
    if button.action == "e":
        await cards.answer(query)
        confirm = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        texts.END_IT, callback_data=HomeworkAction(item.id, "x").encode()
                    ),
                    InlineKeyboardButton(
                        texts.KEEP_IT, callback_data=HomeworkAction(item.id, "k").encode()
                    ),
                ]
            ]
        )
        await cards.edit_card(context.bot, chat_id, message_id, texts.end_homework(name), confirm)
        return
    toast = {"p": "Paused", "r": "Resumed", "x": "Ended"}.get(button.action)
    await cards.answer(query, toast)
    view = await _homework_view(context, user.id, client_id)
    if view is not None:
        await cards.edit_card(context.bot, chat_id, message_id, *view)


async def plan_command(update: Update, context: Context) -> None:
    await pick_client(
        update,
        context,
        prompt=texts.PLAN_PICK,
        button=lambda client_id: CardAction(client_id, "p").encode(),
        chosen=lambda client_id: show_plan(update, context, client_id),
    )


async def homework_command(update: Update, context: Context) -> None:
    await pick_client(
        update,
        context,
        prompt=texts.HOMEWORK_PICK,
        button=lambda client_id: CardAction(client_id, "w").encode(),
        chosen=lambda client_id: show_homework(update, context, client_id),
    )


async def exercise_command(update: Update, context: Context) -> None:
    """/exercise: write an exercise of your own, offered beside the library's."""
    await start_form(update, context, "exercise", None)


def handlers(therapists: filters.BaseFilter) -> list[Handler]:
    return [
        CommandHandler("exercise", exercise_command, filters=therapists),
        CommandHandler("plan", plan_command, filters=therapists),
        CommandHandler("homework", homework_command, filters=therapists),
        CallbackQueryHandler(homework_button, pattern=HomeworkAction.pattern()),
    ]
