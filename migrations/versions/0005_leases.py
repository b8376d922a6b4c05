"""Leases for several instances on one PostgreSQL: who works on an inbound message or
delivers an outbound one, and until when.

An instance picks rows that nobody leases (or whose lease has run out) with ``FOR UPDATE
SKIP LOCKED``, writes its name and the lease's end, commits, and works on them; the
lease is cleared when the work commits. An instance that dies leaves leases that run
out, and another instance takes the work over. New nullable columns only: existing rows
are not leased.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("inbound_message", "outbound_message")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("lease_owner", sa.String(length=64), nullable=True))
            batch.add_column(sa.Column("lease_until", sa.DateTime(timezone=True),
                                       nullable=True))
            batch.create_index(f"ix_{table}_status_lease_until", ["status", "lease_until"])


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f"ix_{table}_status_lease_until")
            batch.drop_column("lease_until")
            batch.drop_column("lease_owner")
