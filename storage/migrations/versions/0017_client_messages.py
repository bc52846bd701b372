"""Messages between a client and their therapist, the working-hours mute, a reply in progress.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "client_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("therapist_id", sa.BigInteger(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("media", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_client_messages_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["deliveries.id"],
            name=op.f("fk_client_messages_delivery_id_deliveries"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["therapist_id"],
            ["therapists.id"],
            name=op.f("fk_client_messages_therapist_id_therapists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_messages")),
    )
    op.create_index(
        "ix_client_messages_client_created", "client_messages", ["client_id", "created_at"]
    )
    op.create_index(
        "ix_client_messages_delivery",
        "client_messages",
        ["delivery_id"],
        sqlite_where=sa.text("delivery_id IS NOT NULL"),
        postgresql_where=sa.text("delivery_id IS NOT NULL"),
    )
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("messages_in_hours", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("therapists", schema=None) as batch_op:
        batch_op.add_column(sa.Column("replying_to", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("therapists", schema=None) as batch_op:
        batch_op.drop_column("replying_to")
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.drop_column("messages_in_hours")
    op.drop_index("ix_client_messages_delivery", table_name="client_messages")
    op.drop_index("ix_client_messages_client_created", table_name="client_messages")
    op.drop_table("client_messages")
