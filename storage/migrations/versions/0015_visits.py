"""Visits: booked sessions, and the outbox rows that remind of them.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("therapist_id", sa.BigInteger(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("minutes", sa.SmallInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_visits_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["note_id"],
            ["session_notes.id"],
            name=op.f("fk_visits_note_id_session_notes"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["therapist_id"],
            ["therapists.id"],
            name=op.f("fk_visits_therapist_id_therapists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visits")),
    )
    op.create_index("ix_visits_therapist_start", "visits", ["therapist_id", "starts_at"])
    op.create_index("ix_visits_client_start", "visits", ["client_id", "starts_at"])
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("visit_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_deliveries_visit_id_visits"),
            "visits",
            ["visit_id"],
            ["id"],
            ondelete="CASCADE",
        )
    op.create_index(
        "ix_deliveries_visit",
        "deliveries",
        ["visit_id"],
        sqlite_where=sa.text("visit_id IS NOT NULL"),
        postgresql_where=sa.text("visit_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_deliveries_visit", table_name="deliveries")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_deliveries_visit_id_visits"), type_="foreignkey")
        batch_op.drop_column("visit_id")
    op.drop_index("ix_visits_client_start", table_name="visits")
    op.drop_index("ix_visits_therapist_start", table_name="visits")
    op.drop_table("visits")
