"""One transaction, with the repositories that work inside it.

    async with db.unit_of_work() as uow:
        client = await uow.clients.get(therapist_id, client_id)
        ...
        await uow.commit()

Leaving the block without commit() rolls everything back: a note is saved whole or not at all.
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.repositories import (
    AmendmentRepository,
    CheckInRepository,
    ClientRepository,
    DraftRepository,
    ErasureRepository,
    ExerciseRepository,
    FormRepository,
    HomeworkLogRepository,
    HomeworkRepository,
    IntakeRepository,
    InviteRepository,
    MessageRepository,
    NoteRepository,
    Outbox,
    PlanRepository,
    ProviderRepository,
    RecordRepository,
    ReferralRepository,
    TherapistRepository,
    UpdateLog,
    VisitRepository,
)
from storage.retention import ChoreRepository, RetentionRepository


class UnitOfWork:
    session: AsyncSession
    therapists: TherapistRepository
    clients: ClientRepository
    notes: NoteRepository
    drafts: DraftRepository
    invites: InviteRepository
    plans: PlanRepository
    homework: HomeworkRepository
    forms: FormRepository
    exercises: ExerciseRepository
    outbox: Outbox
    homework_log: HomeworkLogRepository
    check_ins: CheckInRepository
    providers: ProviderRepository
    referrals: ReferralRepository
    updates: UpdateLog
    records: RecordRepository
    amendments: AmendmentRepository
    erasure: ErasureRepository
    chores: ChoreRepository
    retention: RetentionRepository
    visits: VisitRepository
    intake: IntakeRepository
    messages: MessageRepository

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def __aenter__(self) -> UnitOfWork:
        self.session = self._sessions()
        self.therapists = TherapistRepository(self.session)
        self.clients = ClientRepository(self.session)
        self.notes = NoteRepository(self.session)
        self.drafts = DraftRepository(self.session)
        self.invites = InviteRepository(self.session)
        self.plans = PlanRepository(self.session)
        self.homework = HomeworkRepository(self.session)
        self.forms = FormRepository(self.session)
        self.exercises = ExerciseRepository(self.session)
        self.outbox = Outbox(self.session)
        self.homework_log = HomeworkLogRepository(self.session)
        self.check_ins = CheckInRepository(self.session)
        self.providers = ProviderRepository(self.session)
        self.referrals = ReferralRepository(self.session)
        self.updates = UpdateLog(self.session)
        self.records = RecordRepository(self.session)
        self.amendments = AmendmentRepository(self.session)
        self.erasure = ErasureRepository(self.session)
        self.chores = ChoreRepository(self.session)
        self.retention = RetentionRepository(self.session)
        self.visits = VisitRepository(self.session)
        self.intake = IntakeRepository(self.session)
        self.messages = MessageRepository(self.session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back whatever was not committed and detaches the loaded objects
        # without expiring them, so what a handler read stays readable after the block.
        await self.session.close()

    async def rollback(self) -> None:
        """Give up what this unit wrote so far: before waiting on Telegram with nothing to
        keep, so that a slow answer does not hold SQLite's write lock from every other chat."""
        await self.session.rollback()

    async def commit(self) -> None:
        await self.session.commit()

    async def serialize(self, key: int) -> None:
        """Hold `key` until this transaction ends, so that several bot processes on one
        PostgreSQL database do the same start-up work one after another, not twice at once.
        SQLite has a single writer already: nothing to do there."""
        if self.session.get_bind().dialect.name == "postgresql":
            await self.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
