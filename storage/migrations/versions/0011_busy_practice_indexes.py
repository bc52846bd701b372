"""Indexes that fit every hot query of a busy practice (the card, /progress, /export, the
digest, the weekly note, the dispatcher's planning, /clients, /history).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _partial(name: str, columns: list[str], where: str) -> None:
    op.create_index(
        name,
        "deliveries",
        columns,
        sqlite_where=sa.text(where),
        postgresql_where=sa.text(where),
    )


def upgrade() -> None:
    op.drop_index("ix_clients_therapist_recent", table_name="clients")
    op.create_index(
        "ix_clients_therapist_recent",
        "clients",
        ["therapist_id", "last_note_at", "created_at", "id"],
    )
    op.drop_index("ix_session_notes_client_date", table_name="session_notes")
    op.create_index(
        "ix_session_notes_client_date", "session_notes", ["client_id", "session_date", "number"]
    )
    op.drop_index("ix_homework_client_status", table_name="homework_assignments")
    op.create_index("ix_homework_client", "homework_assignments", ["client_id"])
    op.create_index(
        "ix_homework_therapist_status", "homework_assignments", ["therapist_id", "status"]
    )

    op.drop_index("ix_deliveries_client_id", table_name="deliveries")
    op.create_index(
        "ix_deliveries_client_status_due", "deliveries", ["client_id", "status", "due_at"]
    )
    op.create_index(
        "ix_deliveries_assignment_status",
        "deliveries",
        ["assignment_id", "status", "occurrence_date"],
    )
    _partial("ix_deliveries_check_in", ["check_in_id"], "check_in_id IS NOT NULL")
    _partial("ix_deliveries_referral", ["referral_id"], "referral_id IS NOT NULL")
    _partial("ix_deliveries_therapist_chat", ["chat_id", "kind", "status"], "client_id IS NULL")

    op.drop_index("ix_check_ins_client_id", table_name="check_ins")
    op.create_index("ix_check_ins_client_sent", "check_ins", ["client_id", "sent_at"])
    op.create_index("ix_check_ins_client_answered", "check_ins", ["client_id", "answered_at"])
    op.create_index("ix_check_ins_therapist_answered", "check_ins", ["therapist_id", "answered_at"])
    op.create_index("ix_check_ins_after_note", "check_ins", ["after_note_id"])


def downgrade() -> None:
    for name in (
        "ix_check_ins_after_note",
        "ix_check_ins_therapist_answered",
        "ix_check_ins_client_answered",
        "ix_check_ins_client_sent",
    ):
        op.drop_index(name, table_name="check_ins")
    op.create_index("ix_check_ins_client_id", "check_ins", ["client_id"])
    for name in (
        "ix_deliveries_therapist_chat",
        "ix_deliveries_referral",
        "ix_deliveries_check_in",
        "ix_deliveries_assignment_status",
        "ix_deliveries_client_status_due",
    ):
        op.drop_index(name, table_name="deliveries")
    op.create_index("ix_deliveries_client_id", "deliveries", ["client_id"])
    op.drop_index("ix_homework_therapist_status", table_name="homework_assignments")
    op.drop_index("ix_homework_client", table_name="homework_assignments")
    op.create_index("ix_homework_client_status", "homework_assignments", ["client_id", "status"])
    op.drop_index("ix_session_notes_client_date", table_name="session_notes")
    op.create_index("ix_session_notes_client_date", "session_notes", ["client_id", "session_date"])
    op.drop_index("ix_clients_therapist_recent", table_name="clients")
    op.create_index("ix_clients_therapist_recent", "clients", ["therapist_id", "last_note_at"])
