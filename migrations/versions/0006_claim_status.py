"""One claim status vocabulary, held by the database: a CHECK on claim.status
(``handlers.claim_status``). Every status the service has ever stored is in it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out, not imported: a migration states the schema of its day.
STATUSES = ("needs_review", "validated", "paid", "rejected", "incomplete", "invalid")
CONDITION = f"status IN ({', '.join(repr(s) for s in STATUSES)})"


def upgrade() -> None:
    with op.batch_alter_table("claim") as batch:
        batch.create_check_constraint(op.f("ck_claim_status"), CONDITION)


def downgrade() -> None:
    with op.batch_alter_table("claim") as batch:
        batch.drop_constraint(op.f("ck_claim_status"), type_="check")
