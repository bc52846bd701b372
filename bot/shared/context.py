"""What every handler can reach: settings, the database and the clock, via a typed context."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from telegram.ext import CallbackContext, ExtBot

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


class Context(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    @property
    def services(self) -> Services:
        services: Services = self.application.bot_data["services"]
        return services
