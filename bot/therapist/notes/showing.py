"""Shared by the guided note and the quick note: one input's Turn, and the note's card."""

from __future__ import annotations

from bot.shared.context import Services
from bot.therapist.notes import views
from bot.therapist.notes.flow import Turn, clients_for
from bot.therapist.notes.state import DraftState
from bot.therapist.notes.steps import Step
from storage.unit_of_work import UnitOfWork


def turn_for(services: Services, uow: UnitOfWork, user_id: int) -> Turn:
    return Turn(
        uow=uow,
        therapist_id=user_id,
        now=services.clock.now(),
        today=services.today(),
        zone=services.settings.practice_timezone,
    )


async def card_for(turn: Turn, state: DraftState) -> views.View:
    clients = await clients_for(turn, state) if state.step is Step.CLIENT else []
    return views.render(state, turn.today, clients)


async def remember_card(
    services: Services, therapist_id: int, state: DraftState, shown: int
) -> None:
    """Store which message now carries the note's buttons (after the card moved)."""
    if shown == state.card_message_id:
        return  # edited in place: nothing moved, no second transaction
    async with services.db.unit_of_work() as uow:
        row = await uow.drafts.get(therapist_id)
        if row is not None and row.token == state.token:
            row.card_message_id = shown
            await uow.commit()
