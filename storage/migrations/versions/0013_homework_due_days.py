"""The days homework was due, kept after the outbox's sent rows are pruned.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "homework_due_days",
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("occurrence_date", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["homework_assignments.id"],
            name=op.f("fk_homework_due_days_assignment_id_homework_assignments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "assignment_id", "occurrence_date", name=op.f("pk_homework_due_days")
        ),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("homework_due_days")
