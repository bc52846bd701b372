"""The therapist's letterhead: the name, practice and contact printed on letters and records.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("therapists") as batch:
        batch.add_column(sa.Column("letter_name", sa.String(length=120), nullable=True))
        batch.add_column(sa.Column("practice_name", sa.String(length=120), nullable=True))
        batch.add_column(sa.Column("phone", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("email", sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("therapists") as batch:
        batch.drop_column("email")
        batch.drop_column("phone")
        batch.drop_column("practice_name")
        batch.drop_column("letter_name")
