"""The pre-visit question: each visit's answer (no change, or the parts that changed), and the
intake progress's link to a check under way.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "visit_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("answer", sa.String(length=8), nullable=True),
        sa.Column("sections", sa.JSON(), nullable=True),
        sa.Column("pending", sa.JSON(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_visit_checks_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["visits.id"],
            name=op.f("fk_visit_checks_visit_id_visits"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_checks")),
        sa.UniqueConstraint("visit_id", name=op.f("uq_visit_checks_visit_id")),
    )
    op.create_index("ix_visit_checks_client", "visit_checks", ["client_id", "answered_at"])
    with op.batch_alter_table("intake_progress", schema=None) as batch_op:
        batch_op.add_column(sa.Column("visit_check_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_intake_progress_visit_check_id_visit_checks"),
            "visit_checks",
            ["visit_check_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("intake_progress", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_intake_progress_visit_check_id_visit_checks"), type_="foreignkey"
        )
        batch_op.drop_column("visit_check_id")
    op.drop_index("ix_visit_checks_client", table_name="visit_checks")
    op.drop_table("visit_checks")
