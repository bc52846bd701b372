"""What every handler can reach: settings, the database and the clock, via a typed context."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, TypeAlias

from telegram.ext import Application, BaseHandler, CallbackContext, ExtBot, JobQueue

from bot.shared.config import Settings
from practice.clock import Clock, local_today
from storage import Database


@dataclass(frozen=True)
class Services:
    settings: Settings
    db: Database
    clock: Clock

    def today(self) -> date:
        return local_today(self.clock, self.settings.tz)

    def is_therapist(self, user_id: int) -> bool:
        return user_id in self.settings.therapist_ids


class Context(CallbackContext[ExtBot[int], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    @property
    def services(self) -> Services:
        services: Services = self.application.bot_data["services"]
        return services

    if TYPE_CHECKING:  # PTB types these two with a type variable (ST) it never binds

        @property
        def application(self) -> App: ...  # type: ignore[override]  # PTB's ST is unbound

        @property
        def job_queue(self) -> JobQueue[Context] | None: ...  # type: ignore[override]  # ST


# The bot's PTB types, named once: the application as `build_application` makes it (its bot's
# rate limiter takes an int per call), and any handler of ours (every callback takes `Context`).
App: TypeAlias = Application[
    ExtBot[int], Context, dict[Any, Any], dict[Any, Any], dict[Any, Any], JobQueue[Context]
]
Handler: TypeAlias = BaseHandler[Any, Context, Any]
