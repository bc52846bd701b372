"""Per-chat pacing of the dispatcher: when each chat may next be sent to.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chat_pacing",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chat_id", name=op.f("pk_chat_pacing")),
    )
    op.create_index("ix_chat_pacing_next_at", "chat_pacing", ["next_at"])


def downgrade() -> None:
    op.drop_index("ix_chat_pacing_next_at", table_name="chat_pacing")
    op.drop_table("chat_pacing")
