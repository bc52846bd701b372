"""Session notes, a page of them for /history, and the note being written (its draft)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from practice.notes import PreviousTreatment
from storage.models import Client, SessionNote, StoredDraft

from .clients import ClientRepository


@dataclass(frozen=True)
class NewNote:
    client_id: int
    session_date: date
    areas: list[str]
    area_other: str | None
    techniques: list[str]
    technique_other: str | None
    pressure: str
    pain_before: int
    pain_after: int
    subjective: str | None
    findings: str | None
    response: str | None
    plan_next: str | None
    draft_token: str


@dataclass(frozen=True)
class NotesPage:
    notes: list[SessionNote]
    total: int


class NoteRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, therapist_id: int, note: NewNote, now: datetime) -> SessionNote:
        client = await ClientRepository(self._session).get_for_update(therapist_id, note.client_id)
        if client is None:
            raise LookupError("client not found for this therapist")
        client.notes_count += 1
        client.last_note_at = now
        row = SessionNote(
            therapist_id=therapist_id,
            number=client.notes_count,
            created_at=now,
            **note.__dict__,
        )
        self._session.add(row)
        await self._session.flush()
        return row

    async def by_draft_token(self, therapist_id: int, token: str) -> SessionNote | None:
        return await self._session.scalar(
            select(SessionNote).where(
                SessionNote.draft_token == token, SessionNote.therapist_id == therapist_id
            )
        )

    async def get(self, therapist_id: int, note_id: int) -> SessionNote | None:
        note = await self._session.get(SessionNote, note_id)
        if note is None or note.therapist_id != therapist_id:
            return None
        return note

    async def latest(self, therapist_id: int, client_id: int) -> SessionNote | None:
        """The most recent documented session."""
        return await self._session.scalar(
            select(SessionNote)
            .where(SessionNote.client_id == client_id, SessionNote.therapist_id == therapist_id)
            .order_by(SessionNote.session_date.desc(), SessionNote.number.desc())
            .limit(1)
        )

    async def first(self, therapist_id: int, client_id: int) -> SessionNote | None:
        """The first documented session: its pain before treatment is the baseline."""
        return await self._session.scalar(
            select(SessionNote)
            .where(SessionNote.client_id == client_id, SessionNote.therapist_id == therapist_id)
            .order_by(SessionNote.session_date, SessionNote.number)
            .limit(1)
        )

    async def first_pains(self, therapist_id: int, client_ids: list[int]) -> dict[int, int]:
        """Each client's pain before their first documented session (the baseline)."""
        return await self._pains_at(therapist_id, client_ids, latest=False)

    async def latest_pains(self, therapist_id: int, client_ids: list[int]) -> dict[int, int]:
        """Each client's pain before their most recent documented session (the agenda's
        "was 6")."""
        return await self._pains_at(therapist_id, client_ids, latest=True)

    async def _pains_at(
        self, therapist_id: int, client_ids: list[int], *, latest: bool
    ) -> dict[int, int]:
        """Each client's pain before their first (or latest) session, in one statement: an
        index probe a client."""
        if not client_ids:
            return {}
        order = (SessionNote.session_date, SessionNote.number)
        one = (
            select(SessionNote.id)
            .where(SessionNote.client_id == Client.id)
            .order_by(*(column.desc() for column in order) if latest else order)
            .limit(1)
            .correlate(Client)
            .scalar_subquery()
        )
        rows = await self._session.execute(
            select(Client.id, SessionNote.pain_before)
            .join(SessionNote, SessionNote.id == one)
            .where(Client.id.in_(client_ids), Client.therapist_id == therapist_id)
        )
        return {client_id: pain for client_id, pain in rows}

    async def last_treatment(self, therapist_id: int, client_id: int) -> PreviousTreatment | None:
        note = await self.latest(therapist_id, client_id)
        if note is None:
            return None
        return PreviousTreatment(
            areas=list(note.areas),
            area_other=note.area_other,
            techniques=list(note.techniques),
            technique_other=note.technique_other,
            pressure=note.pressure,
        )

    async def page(
        self, therapist_id: int, client_id: int, *, offset: int, limit: int
    ) -> NotesPage:
        """A client's notes, the most recent session first.

        The therapist is checked on the client's row, once, not on each note: the notes are
        then counted and skipped (a last page's offset) in ix_session_notes_client_date
        alone, without reading the rows of notes not shown, which in a busy practice's file
        lie on as many pages as there are notes."""
        owner = select(Client.therapist_id).where(Client.id == client_id).scalar_subquery()
        where = (SessionNote.client_id == client_id, owner == therapist_id)
        total = await self._session.scalar(
            select(func.count()).select_from(SessionNote).where(*where)
        )
        rows = await self._session.scalars(
            select(SessionNote)
            .where(*where)
            .order_by(SessionNote.session_date.desc(), SessionNote.number.desc())
            .offset(offset)
            .limit(limit)
        )
        return NotesPage(notes=list(rows), total=total or 0)


class DraftRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, therapist_id: int) -> StoredDraft | None:
        return await self._session.scalar(
            select(StoredDraft).where(StoredDraft.therapist_id == therapist_id)
        )

    async def start(
        self, therapist_id: int, token: str, step: str, data: dict[str, Any], now: datetime
    ) -> StoredDraft:
        await self._session.execute(
            delete(StoredDraft).where(StoredDraft.therapist_id == therapist_id)
        )
        draft = StoredDraft(
            therapist_id=therapist_id,
            token=token,
            step=step,
            editing=False,
            data=data,
            card_message_id=None,
            created_at=now,
            updated_at=now,
        )
        self._session.add(draft)
        await self._session.flush()
        return draft

    async def delete(self, draft: StoredDraft) -> None:
        await self._session.delete(draft)
        await self._session.flush()
