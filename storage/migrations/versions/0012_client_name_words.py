"""Each word of a client's folded name, for search by word prefix and the look-alike check.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    words = op.create_table(
        "client_name_words",
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column(
            "word",
            sa.String(length=60).with_variant(sa.String(length=60, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("therapist_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_client_name_words_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["therapist_id"],
            ["therapists.id"],
            name=op.f("fk_client_name_words_therapist_id_therapists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("client_id", "word", name=op.f("pk_client_name_words")),
    )
    op.create_index("ix_client_name_words_prefix", "client_name_words", ["therapist_id", "word"])
    # Every client's words, from the folded name kept beside it (practice.clients.name_key:
    # its words are the index's, practice.clients.name_words).
    clients = sa.table("clients", sa.column("id"), sa.column("therapist_id"), sa.column("name_key"))
    connection = op.get_bind()
    rows = [
        {"client_id": client_id, "therapist_id": therapist_id, "word": word}
        for client_id, therapist_id, key in connection.execute(
            sa.select(clients.c.id, clients.c.therapist_id, clients.c.name_key)
        )
        for word in sorted(set(key.split()))
    ]
    if rows:
        op.bulk_insert(words, rows)


def downgrade() -> None:
    op.drop_index("ix_client_name_words_prefix", table_name="client_name_words")
    op.drop_table("client_name_words")
