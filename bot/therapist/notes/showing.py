"""Shared by the guided note and the quick note: one input's Turn, and the note's card."""

from __future__ import annotations

from bot.shared import texts
from bot.shared.context import Services
from bot.therapist.notes import views
from bot.therapist.notes.flow import Turn, clients_for
from bot.therapist.notes.state import DraftState
from bot.therapist.notes.steps import Step
from practice.intake import cautions_of
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
    """The note's card; a client's intake cautions stand at its top."""
    clients = await clients_for(turn, state) if state.step is Step.CLIENT else []
    view = views.render(state, turn.today, clients)
    client_id = state.note.client_id
    if client_id is None or await turn.uow.clients.get(turn.therapist_id, client_id) is None:
        return view
    cautions = cautions_of(await turn.uow.intake.answers(client_id))
    # A question about a caution states it: the top does not say it a second time.
    asked = {
        *((state.pressure_caution or "").split("; ") if state.pressure_to_confirm else ()),
        *((state.technique_caution or "").split("; ") if state.technique_to_confirm else ()),
    }
    lines = "\n".join(
        texts.caution_line(c.condition.caution)
        for c in cautions
        if c.condition.caution not in asked
    )
    return view.with_warning(lines or None)


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
