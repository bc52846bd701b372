"""Each person's commands are said once (bot/shared/texts: the menu's line and the /help line
come from one table), and that table is what the bot answers: /help names every command the
menu offers, and every command the bot handles is in a menu."""

from __future__ import annotations

from telegram.ext import BaseHandler, CommandHandler, ConversationHandler

from bot.shared import texts
from demo.offline import OfflineBot
from emulator import Phone
from tests.chat import new_client_note
from tests.test_invites import join


def handled_commands(running: OfflineBot) -> set[str]:
    def commands(handler: BaseHandler[object, object, object]) -> set[str]:
        if isinstance(handler, CommandHandler):
            return set(handler.commands)
        if isinstance(handler, ConversationHandler):
            return {c for entry in handler.entry_points for c in commands(entry)}
        return set()

    return {
        c for group in running.application.handlers.values() for h in group for c in commands(h)
    }


async def test_every_command_handled_is_in_a_menu_and_on_help(
    running: OfflineBot, maya: Phone
) -> None:
    therapist = {name for name, _ in texts.COMMANDS_THERAPIST}
    client = {name for name, _ in texts.COMMANDS_CLIENT}
    # /start is every person's door; a therapist has it without it in the menu.
    assert handled_commands(running) == therapist | client | {"start"}
    await maya.send("/help")
    for name in therapist:
        assert f"\n/{name} — " in maya.last_text, name
    assert "/today — today's visits" in maya.last_text  # the visits' commands were missing
    await new_client_note(maya, "Anna K.")
    anna = await join(running, maya)
    await anna.send("/help")
    for name in client:
        assert f"\n/{name} — " in anna.last_text, name
