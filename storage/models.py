"""The tables. All times are stored in UTC; local time exists only at the chat's edges."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names, so migrations can refer to them on SQLite and PostgreSQL alike.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out — SQLite forgets the zone otherwise."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# Partial indexes: the condition, once for both databases. PostgreSQL's copy is attached when
# a PostgreSQL database is opened (storage.database): a `postgresql_where` here would import
# SQLAlchemy's PostgreSQL dialect (about 2 MB and a tenth of a second) into every start on
# SQLite. The migrations create them on each database; the option is for the metadata only.
_PARTIAL: dict[Index, str] = {}


def _partial_index(name: str, *columns: str, where: str) -> Index:
    index = Index(name, *columns, sqlite_where=text(where))
    _PARTIAL[index] = where
    return index


def attach_postgresql_options() -> None:
    """The partial indexes' condition for PostgreSQL too (idempotent; imports its dialect)."""
    for index, where in _PARTIAL.items():
        index.dialect_options["postgresql"]["where"] = text(where)


class Therapist(Base):
    __tablename__ = "therapists"

    # The therapist's Telegram user id: who they are is decided by THERAPIST_IDS.
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    display_name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The letterhead of referral letters and records, set with /profile. Without it they
    # carry the Telegram name only.
    letter_name: Mapped[str | None] = mapped_column(String(120))
    practice_name: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(120))
    # After ↩️ Reply on a client's message: the client the therapist's next typed message goes
    # to (bot/therapist/replies.py), kept here so that a restart loses nothing. Not a foreign
    # key (clients name their therapist already); a client gone meanwhile is checked for.
    replying_to: Mapped[int | None] = mapped_column(Integer)

    @property
    def letterhead_name(self) -> str:
        """The therapist's display name on a referral, to the client and on the letter alike:
        the letterhead's (/profile, e.g. "Maya Collins, LMT") once set, else the Telegram
        name."""
        return self.letter_name or self.display_name


class Client(Base):
    __tablename__ = "clients"
    # The therapist's clients most recently seen first (/clients, the note's client step): the
    # whole ORDER BY, so a page is read in order and nothing is sorted.
    __table_args__ = (
        Index("ix_clients_therapist_recent", "therapist_id", "last_note_at", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("therapists.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(60))
    # The name folded for search (case, accents, punctuation); see practice.clients.name_key.
    name_key: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_note_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notes_count: Mapped[int] = mapped_column(Integer, default=0)

    # On the bot: set when the client agreed to the consent card from their invite. One
    # Telegram account is one client record, so a client only ever sees their own data.
    telegram_user_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The client's own settings, asked when joining and changed in /settings.
    timezone: Mapped[str | None] = mapped_column(String(64))
    reminder_time: Mapped[time | None] = mapped_column(Time)
    quiet_start: Mapped[time | None] = mapped_column(Time)
    quiet_end: Mapped[time | None] = mapped_column(Time)
    # Telegram answered 403 (the client blocked the bot): nothing is sent until they return.
    unreachable_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the client's next typed message answers (e.g. "timezone"), if anything.
    awaiting: Mapped[str | None] = mapped_column(String(16))
    # The client's own choices about messages: a pause until a moment, or stopped until
    # they send /resume.
    paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Days between progress check-ins, set by the therapist: None = the default rhythm (two
    # days after a session, then every 3–4 days), 0 = no check-ins for this client.
    check_in_days: Mapped[int | None] = mapped_column(SmallInteger)
    # /forgetme: the Telegram link, ratings and messages are gone; the bot never writes again.
    forgotten_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The day the whole record is deleted under the retention period, set when the therapist
    # was told (a month before); a later session moves it (reminders/retention.py).
    purge_on: Mapped[date | None] = mapped_column(Date)
    # The therapist muted this client's messages outside WORKING_HOURS: they wait for the
    # next working period (practice/messages.py).
    messages_in_hours: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Given by the client for a referral letter they allowed (each optional), so that its
    # reader can match the letter to them and reach them: printed on letters with their
    # consent, listed in /mydata, erased by /forgetme.
    birth_date: Mapped[date | None] = mapped_column(Date)
    contact: Mapped[str | None] = mapped_column(String(170))

    notes: Mapped[list[SessionNote]] = relationship(back_populates="client", lazy="raise")


class ClientNameWord(Base):
    """Each word of a client's folded name (practice.clients.name_words), so that a search by
    word prefix ("ann k") and the look-alike check of a new name are answered from an index
    range instead of reading every client. Written with the client; a name is never changed.

    Compared byte by byte (SQLite's own order; "C" on PostgreSQL), so a prefix's range
    [prefix, next prefix) holds exactly the words that start with it."""

    __tablename__ = "client_name_words"
    __table_args__ = (Index("ix_client_name_words_prefix", "therapist_id", "word"),)

    client_id: Mapped[int] = mapped_column(
        ForeignKey("clients.id", ondelete="CASCADE"), primary_key=True
    )
    word: Mapped[str] = mapped_column(
        String(60).with_variant(String(60, collation="C"), "postgresql"), primary_key=True
    )
    therapist_id: Mapped[int] = mapped_column(ForeignKey("therapists.id", ondelete="CASCADE"))


class Invite(Base):
    """A single-use link that turns a client record into a client on the bot.

    Only a hash of the token is kept: the database alone cannot be used to join as anyone.
    """

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("therapists.id", ondelete="CASCADE"))
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # pending → used | replaced (a newer invite for the same client); "declined" in old rows
    status: Mapped[str] = mapped_column(String(16))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SessionNote(Base):
    __tablename__ = "session_notes"
    __table_args__ = (
        UniqueConstraint("client_id", "number", name="uq_session_notes_client_number"),
        # A client's notes in session order (/history, the card, the record): the whole ORDER BY.
        Index("ix_session_notes_client_date", "client_id", "session_date", "number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("therapists.id", ondelete="CASCADE"))
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    # The client's note number: "Note #3 for Anna K." is Anna's third documented session.
    number: Mapped[int] = mapped_column(Integer)
    session_date: Mapped[date] = mapped_column(Date)
    areas: Mapped[list[str]] = mapped_column(JSON)
    area_other: Mapped[str | None] = mapped_column(String(80))
    techniques: Mapped[list[str]] = mapped_column(JSON)
    technique_other: Mapped[str | None] = mapped_column(String(80))
    pressure: Mapped[str] = mapped_column(String(16))
    pain_before: Mapped[int] = mapped_column(SmallInteger)
    pain_after: Mapped[int] = mapped_column(SmallInteger)
    subjective: Mapped[str | None] = mapped_column(Text)
    findings: Mapped[str | None] = mapped_column(Text)
    response: Mapped[str | None] = mapped_column(Text)
    plan_next: Mapped[str | None] = mapped_column(Text)
    # The draft this note was saved from: a Save tap delivered twice finds it and saves nothing.
    draft_token: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Amended notes keep every earlier state in note_revisions; this counts them.
    revision: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    amended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    client: Mapped[Client] = relationship(back_populates="notes", lazy="raise")


class NoteRevision(Base):
    """A saved note as it was before an amendment: notes are amended, never overwritten."""

    __tablename__ = "note_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    note_id: Mapped[int] = mapped_column(
        ForeignKey("session_notes.id", ondelete="CASCADE"), index=True
    )
    revision: Mapped[int] = mapped_column(SmallInteger)  # the note's revision this replaced
    # The fields as they were (only those the amendment changed), and why they changed.
    before: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(String(200))
    revised_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StoredDraft(Base):
    """The note a therapist is writing: step and contents survive a restart or kill -9."""

    __tablename__ = "note_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    therapist_id: Mapped[int] = mapped_column(
        ForeignKey("therapists.id", ondelete="CASCADE"), unique=True
    )
    # Random per draft; goes into every button of the note, so buttons of an earlier
    # (saved or cancelled) note are recognised even if a row id is reused.
    token: Mapped[str] = mapped_column(String(32), unique=True)
    step: Mapped[str] = mapped_column(String(24))
    # Set while one field is being changed from the summary: finishing it goes back there.
    editing: Mapped[bool] = mapped_column(default=False)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The bot message that carries the note's current step, edited in place.
    card_message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HandledUpdate(Base):
    """Telegram update ids already acted on, recorded in the same transaction as the effect.

    Telegram redelivers updates a crashed bot had not confirmed; this makes them harmless.
    """

    __tablename__ = "handled_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    handled_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class TreatmentPlan(Base):
    """One version of a client's treatment plan. A change adds a version; none is overwritten."""

    __tablename__ = "treatment_plans"
    __table_args__ = (UniqueConstraint("client_id", "version", name="uq_treatment_plans_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("therapists.id", ondelete="CASCADE"))
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    complaint: Mapped[str] = mapped_column(String(120))
    area: Mapped[str] = mapped_column(String(16))
    goal: Mapped[str] = mapped_column(String(200))
    # Rated 0–10 by the client later, in the manner of the Patient-Specific Functional Scale.
    activity: Mapped[str | None] = mapped_column(String(120))
    expected_sessions: Mapped[int] = mapped_column(SmallInteger)
    visit_frequency: Mapped[str] = mapped_column(String(16))
    reevaluate_after: Mapped[int] = mapped_column(SmallInteger)
    start_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The functional activity's rating when the plan was made (0–10), if the therapist asked.
    activity_baseline: Mapped[int | None] = mapped_column(SmallInteger)


class HomeworkAssignment(Base):
    """An exercise given to a client, with its schedule as data the reminders expand."""

    __tablename__ = "homework_assignments"
    # A client's assignments in the order given (the id, which every index ends with); a
    # therapist's current ones (the digest).
    __table_args__ = (
        Index("ix_homework_client", "client_id"),
        Index("ix_homework_therapist_status", "therapist_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("therapists.id", ondelete="CASCADE"))
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    exercise_code: Mapped[str] = mapped_column(String(40))
    dose: Mapped[str] = mapped_column(String(60))
    # practice.schedules.HomeworkSchedule: RFC 5545 rule for the days, and local wall-clock
    # start, end and time of day. The client's time zone is read at expansion time, so a
    # client who moves gets their reminders at the same local time.
    rrule: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    time_of_day: Mapped[time] = mapped_column(Time)
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12))  # active, paused, ended
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class FormDraft(Base):
    """A plan or a homework assignment being filled in: its step and answers survive restarts."""

    __tablename__ = "form_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    therapist_id: Mapped[int] = mapped_column(
        ForeignKey("therapists.id", ondelete="CASCADE"), unique=True
    )
    token: Mapped[str] = mapped_column(String(32), unique=True)
    form: Mapped[str] = mapped_column(String(16))
    # The client the form is about; none for a form about the therapist's own library.
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    # The record being changed (a homework assignment), when the form edits one.
    target_id: Mapped[int | None] = mapped_column(Integer)
    step: Mapped[str] = mapped_column(String(24))
    editing: Mapped[bool] = mapped_column(default=False)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    query: Mapped[str | None] = mapped_column(String(60))
    card_message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CustomExercise(Base):
    """An exercise a therapist wrote themselves, offered beside the shipped library."""

    __tablename__ = "custom_exercises"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    therapist_id: Mapped[int] = mapped_column(
        ForeignKey("therapists.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(40))
    area: Mapped[str] = mapped_column(String(16))
    steps: Mapped[list[str]] = mapped_column(JSON)
    dose: Mapped[str] = mapped_column(String(40))
    cautions: Mapped[str | None] = mapped_column(String(160))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Delivery(Base):
    """The outbox: every message the bot sends on its own initiative is first a row here.

    Only the next occurrence of each schedule is a row, so a schedule costs one row however
    long it runs. A row is claimed under a lease before sending; a process that dies with a
    claim leaves a lease that expires, and the row is sent again (at most once more).
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        Index("ix_deliveries_status_due", "status", "due_at"),
        # A client's rows by state, the next first (the card's upcoming reminders, a weekly
        # note waiting, erasure).
        Index("ix_deliveries_client_status_due", "client_id", "status", "due_at"),
        # An assignment's days by state (every adherence figure; the planner's "already
        # waiting"): the (status, due) index would read every sent row of the practice.
        Index("ix_deliveries_assignment_status", "assignment_id", "status", "occurrence_date"),
        # Rows of a check-in or a referral (few rows: the index holds only theirs), and the
        # therapist's own rows (digests, follow-ups, notices: no client) by chat.
        _partial_index("ix_deliveries_check_in", "check_in_id", where="check_in_id IS NOT NULL"),
        _partial_index("ix_deliveries_referral", "referral_id", where="referral_id IS NOT NULL"),
        _partial_index("ix_deliveries_visit", "visit_id", where="visit_id IS NOT NULL"),
        _partial_index(
            "ix_deliveries_therapist_chat", "chat_id", "kind", "status", where="client_id IS NULL"
        ),
        UniqueConstraint(
            "assignment_id", "occurrence_date", "sequence", name="uq_deliveries_occurrence"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # homework, checkin
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    # The therapist's chat, or for a client's message the chat it was last addressed to: the
    # dispatcher addresses it again from the client (or the referral's client) when sending,
    # since a client may move to a new Telegram account while it waits.
    chat_id: Mapped[int] = mapped_column(BigInteger)
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("homework_assignments.id", ondelete="CASCADE")
    )
    check_in_id: Mapped[int | None] = mapped_column(ForeignKey("check_ins.id", ondelete="CASCADE"))
    # A referral's consent question to the client, or its follow-up to the therapist.
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"))
    # A visit's notice or reminder to the client, or its "how did it go" to the therapist.
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"))
    # A red flag an intake answer raised: the therapist's alert.
    intake_flag_id: Mapped[int | None] = mapped_column(
        ForeignKey("intake_flags.id", ondelete="CASCADE")
    )
    # The client's local day the occurrence belongs to, and 0 for it, 1… for its snoozes.
    occurrence_date: Mapped[date | None] = mapped_column(Date)
    sequence: Mapped[int] = mapped_column(SmallInteger, default=0)
    # When the schedule says (UTC), and when to send: later if that fell in quiet hours.
    occurs_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # pending → sending → sent | failed | missed | cancelled
    status: Mapped[str] = mapped_column(String(12))
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Visit(Base):
    """A booked session: when, how long, and what became of it (practice.visits.VisitStatus).
    A move changes the start in place; the outbox rows queued for the old start are replaced."""

    __tablename__ = "visits"
    __table_args__ = (
        # The therapist's day and week (/today, /week, the digest, the overlap check, the
        # visits past without a note) and a client's next visit (the card, check-ins).
        Index("ix_visits_therapist_start", "therapist_id", "starts_at"),
        Index("ix_visits_client_start", "client_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("therapists.id", ondelete="CASCADE"))
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    minutes: Mapped[int] = mapped_column(SmallInteger)
    status: Mapped[str] = mapped_column(String(16))
    # The note written for it, once there is one (the "how did it go" question is then moot).
    note_id: Mapped[int | None] = mapped_column(ForeignKey("session_notes.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ClientMessage(Base):
    """A message between a client and their therapist, relayed by the bot: what the client
    typed outside any question (or a photo's caption), and the therapist's replies. Part of
    the record: in the export and /mydata, erased by /forgetme, deleted with the record."""

    __tablename__ = "client_messages"
    __table_args__ = (
        # A client's messages, newest first (the record, /mydata), and the ones that went to
        # the therapist lately (pacing a client who writes a lot).
        Index("ix_client_messages_client_created", "client_id", "created_at"),
        # The client's words a relayed message gathers: its outbox row.
        _partial_index(
            "ix_client_messages_delivery", "delivery_id", where="delivery_id IS NOT NULL"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("therapists.id", ondelete="CASCADE"))
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    # "in": from the client to the therapist; "out": the therapist's reply.
    direction: Mapped[str] = mapped_column(String(3))
    text: Mapped[str] = mapped_column(Text)
    # What else the client sent with it (a photo: its caption is the text), or None.
    media: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The outbox row that carries it (pruned after a month: then None), and when it arrived.
    delivery_id: Mapped[int | None] = mapped_column(
        ForeignKey("deliveries.id", ondelete="SET NULL")
    )
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ChatPacing(Base):
    """When the dispatcher may next send to a chat (reminders/dispatcher.py): Telegram allows
    about one message per second per chat. A claim takes a chat only if this has passed, and
    holds it (next_at = the claim's lease) until the send is answered, then next_at becomes
    the answer's time plus the spacing. Several processes on one database share it."""

    __tablename__ = "chat_pacing"
    __table_args__ = (Index("ix_chat_pacing_next_at", "next_at"),)

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    next_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HomeworkLog(Base):
    """What the client said about one day's exercise: done or skipped. Once per day."""

    __tablename__ = "homework_logs"
    __table_args__ = (
        UniqueConstraint("assignment_id", "occurrence_date", name="uq_homework_logs_day"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("homework_assignments.id", ondelete="CASCADE")
    )
    occurrence_date: Mapped[date] = mapped_column(Date)
    result: Mapped[str] = mapped_column(String(8))  # done, skipped
    logged_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HomeworkDueDay(Base):
    """A day an exercise was due (its reminder went out, or its time passed while the bot was
    down), kept after its outbox row is pruned: what every adherence figure counts as due
    (practice.adherence). The outbox keeps a row of each for a few weeks; this, for as long
    as the record is kept, at a tenth of the size."""

    __tablename__ = "homework_due_days"
    __table_args__ = ({"sqlite_with_rowid": False},)

    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("homework_assignments.id", ondelete="CASCADE"), primary_key=True
    )
    occurrence_date: Mapped[date] = mapped_column(Date, primary_key=True)


class CheckIn(Base):
    """One progress check-in sent to a client, and their answers as they give them."""

    __tablename__ = "check_ins"
    __table_args__ = (
        # A client's check-ins, newest sent or answered first (the card, the record, the
        # digest's "missed the last two"); the therapist's answered since yesterday (the
        # digest); a session's series (the dispatcher counts what went out after it).
        Index("ix_check_ins_client_sent", "client_id", "sent_at"),
        Index("ix_check_ins_client_answered", "client_id", "answered_at"),
        Index("ix_check_ins_therapist_answered", "therapist_id", "answered_at"),
        Index("ix_check_ins_after_note", "after_note_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("therapists.id", ondelete="CASCADE"))
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    # The session the series follows, and this check-in's place in it (0 = the first).
    after_note_id: Mapped[int | None] = mapped_column(
        ForeignKey("session_notes.id", ondelete="SET NULL")
    )
    number: Mapped[int] = mapped_column(SmallInteger)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pain: Mapped[int | None] = mapped_column(SmallInteger)
    change: Mapped[int | None] = mapped_column(SmallInteger)  # -3 … +3
    activity: Mapped[int | None] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Closed when the next check-in arrives: answers to this one are no longer taken.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    alerted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Decision(Base):
    """A decision point put to the therapist (re-evaluate, no progress, worse, improved) and
    their answer, so the record shows the question was asked and answered."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("therapists.id", ondelete="CASCADE"))
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("treatment_plans.id", ondelete="SET NULL")
    )
    note_id: Mapped[int | None] = mapped_column(ForeignKey("session_notes.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(12))  # practice.decisions.DecisionKind
    at_session: Mapped[int] = mapped_column(SmallInteger)
    summary: Mapped[str] = mapped_column(String(400))  # the evidence as it was shown
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answer: Mapped[str | None] = mapped_column(String(12))  # adjust, refer, continue, note
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Provider(Base):
    """Someone in the therapist's referral network: a physician, a physiotherapist, …"""

    __tablename__ = "providers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    therapist_id: Mapped[int] = mapped_column(
        ForeignKey("therapists.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(80))
    profession: Mapped[str] = mapped_column(String(12))  # practice.referrals.PROFESSIONS
    clinic: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(120))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Referral(Base):
    """A client referred on: to whom, why, whether the client let their health details go
    with the letter, and whether they went."""

    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("therapists.id", ondelete="CASCADE"))
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id", ondelete="SET NULL"))
    profession: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(String(12))  # a practice.referrals.REASONS code, or "typed"
    reason_text: Mapped[str | None] = mapped_column(String(300))
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id", ondelete="SET NULL"))
    # pending (asked, no answer yet), given, refused, unasked (client not on the bot)
    consent: Mapped[str] = mapped_column(String(10))
    consent_asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    letter_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(10))  # seen, not_yet, declined
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Chore(Base):
    """A daily task of the bot's own (the backup, the retention purge) and when it is next
    due: kept here, not in the scheduler's memory, so a restart neither skips nor repeats it."""

    __tablename__ = "chores"

    name: Mapped[str] = mapped_column(String(16), primary_key=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Held by the process doing it, so two processes never do it at once.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class IntakeAnswer(Base):
    """One answer to one intake question, as given: never changed, so a correction is a new
    row and the earlier answer stays with its date (practice.intake reads the latest)."""

    __tablename__ = "intake_answers"
    __table_args__ = (Index("ix_intake_answers_client", "client_id", "question", "answered_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    question: Mapped[str] = mapped_column(String(16))  # practice.intake question key
    # A choice's code, typed text, the checklist's list of codes; null: skipped.
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # "client" (their own words, erased by /forgetme) or "therapist" (/intake: their record).
    answered_by: Mapped[str] = mapped_column(String(10))


class IntakeProgress(Base):
    """Where a client is in their intake, so it resumes after days and after a restart."""

    __tablename__ = "intake_progress"

    client_id: Mapped[int] = mapped_column(
        ForeignKey("clients.id", ondelete="CASCADE"), primary_key=True
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The question waiting for an answer; null when none is (finished, or not begun again).
    step: Mapped[str | None] = mapped_column(String(16))
    # Correcting one answer from /mydata: only that question, then back to the summary.
    correcting: Mapped[bool] = mapped_column(default=False)
    # The checklist ticked so far, before Done.
    ticked: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    # The message asking `step`: its buttons go once it is answered, by a tap or typed.
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A pre-visit check under way: `step` is one of the parts the client said changed, and
    # the check holds the questions after it (a skip there keeps the earlier answer).
    visit_check_id: Mapped[int | None] = mapped_column(
        ForeignKey("visit_checks.id", ondelete="SET NULL")
    )


class VisitCheck(Base):
    """The pre-visit question ("Anything new with your health since your last visit?") as
    the client answered it, once per visit: no change, or the parts that changed (their new
    answers are intake_answers rows of that day; the untouched ones keep their dates). The
    client's own answer: erased by /forgetme, like the intake's."""

    __tablename__ = "visit_checks"
    __table_args__ = (Index("ix_visit_checks_client", "client_id", "answered_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), unique=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    # "same" (no change) or "changed"; null while the client is still choosing the parts.
    answer: Mapped[str | None] = mapped_column(String(8))
    # practice.intake section codes: ticked so far, then the ones that changed.
    sections: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    # The questions still to ask after the one waiting (intake_progress.step).
    pending: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class IntakeFlag(Base):
    """A red flag an intake answer raised, put to the therapist, and their decision: the
    therapist's record (it stays after /forgetme, the answer itself does not)."""

    __tablename__ = "intake_flags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    therapist_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("therapists.id", ondelete="CASCADE")
    )
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    flag: Mapped[str] = mapped_column(String(16))  # practice.intake red flag code
    answer_id: Mapped[int | None] = mapped_column(
        ForeignKey("intake_answers.id", ondelete="SET NULL")
    )
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decision: Mapped[str | None] = mapped_column(String(8))  # refer, seen
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id", ondelete="SET NULL"))
