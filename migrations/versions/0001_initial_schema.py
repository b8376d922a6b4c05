"""Initial schema: register, inbound messages, claims, outbox, IMAP state.

Revision ID: 0001
Revises:
Create Date: 2026-11-22

Written for SQLite and PostgreSQL alike; ``tests/integration/test_db.py`` checks on both that the
result matches ``assistant.models`` exactly.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIMESTAMP = sa.DateTime(timezone=True)  # assistant.models.UTCDateTime
MONEY = sa.Numeric(precision=12, scale=2)
HOURS = sa.Numeric(precision=7, scale=2)


def _pk(table: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))


def upgrade() -> None:
    op.create_table(
        "imap_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("username", sa.String(length=255), nullable=False),
        sa.Column("folder", sa.String(length=255), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=False),
        sa.Column("last_uid", sa.BigInteger(), nullable=False),
        _pk("imap_state"),
        sa.UniqueConstraint(
            "host", "username", "folder", name=op.f("uq_imap_state_host_username_folder")
        ),
    )
    op.create_table(
        "inbound_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("received_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("envelope_from", sa.Text(), nullable=False),
        sa.Column("envelope_to", sa.Text(), nullable=False),
        sa.Column("message_id", sa.Text(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("processed_at", UTC_TIMESTAMP, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("imap_folder", sa.String(length=255), nullable=True),
        sa.Column("imap_uidvalidity", sa.BigInteger(), nullable=True),
        sa.Column("imap_uid", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "channel IN ('smtp', 'imap')", name=op.f("ck_inbound_message_channel")
        ),
        sa.CheckConstraint(
            "status IN ('received', 'processed', 'failed')",
            name=op.f("ck_inbound_message_status"),
        ),
        _pk("inbound_message"),
        sa.UniqueConstraint("sha256", name=op.f("uq_inbound_message_sha256")),
    )
    op.create_index(op.f("ix_inbound_message_status"), "inbound_message", ["status"])

    op.create_table(
        "workplace",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cvr", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTC_TIMESTAMP, nullable=False),
        _pk("workplace"),
        sa.UniqueConstraint("cvr", name=op.f("uq_workplace_cvr")),
    )
    op.create_table(
        "workplace_sender",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workplace_id", sa.Integer(), nullable=False),
        sa.Column("pattern", sa.String(length=320), nullable=False),
        sa.ForeignKeyConstraint(
            ["workplace_id"], ["workplace.id"],
            name=op.f("fk_workplace_sender_workplace_id_workplace"), ondelete="CASCADE",
        ),
        _pk("workplace_sender"),
        sa.UniqueConstraint(
            "workplace_id", "pattern", name=op.f("uq_workplace_sender_workplace_id_pattern")
        ),
    )
    op.create_index(op.f("ix_workplace_sender_pattern"), "workplace_sender", ["pattern"])

    op.create_table(
        "employment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cpr", sa.String(length=10), nullable=False),
        sa.Column("citizen_name", sa.String(length=200), nullable=False),
        sa.Column("workplace_id", sa.Integer(), nullable=False),
        sa.Column("hours_per_week", sa.Numeric(precision=4, scale=2), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("intake_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('approved', 'ended')", name=op.f("ck_employment_status")),
        sa.CheckConstraint("hours_per_week > 0", name=op.f("ck_employment_hours_positive")),
        sa.CheckConstraint("end_date >= start_date", name=op.f("ck_employment_period")),
        sa.ForeignKeyConstraint(
            ["workplace_id"], ["workplace.id"], name=op.f("fk_employment_workplace_id_workplace")
        ),
        _pk("employment"),
    )
    op.create_index(op.f("ix_employment_cpr"), "employment", ["cpr"])
    op.create_index(
        op.f("ix_employment_start_date_end_date"), "employment", ["start_date", "end_date"]
    )
    op.create_index(op.f("ix_employment_workplace_id"), "employment", ["workplace_id"])

    op.create_table(
        "claim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=True),
        sa.Column("inbound_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("employment_id", sa.Integer(), nullable=True),
        sa.Column("workplace_id", sa.Integer(), nullable=True),
        sa.Column("employee_name", sa.String(length=200), nullable=True),
        sa.Column("cpr", sa.String(length=10), nullable=True),
        sa.Column("employer_name", sa.String(length=200), nullable=True),
        sa.Column("cvr", sa.String(length=8), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("hours", HOURS, nullable=True),
        sa.Column("sick_hours", HOURS, nullable=True),
        sa.Column("salary", MONEY, nullable=True),
        sa.Column("atp", MONEY, nullable=True),
        sa.Column("pension", MONEY, nullable=True),
        sa.Column("holiday_pay", MONEY, nullable=True),
        sa.Column("special_holiday_allowance", MONEY, nullable=True),
        sa.Column("other", MONEY, nullable=True),
        sa.Column("am_contribution", MONEY, nullable=True),
        sa.Column("employer_cost", MONEY, nullable=True),
        sa.Column("refundable_amount", MONEY, nullable=True),
        sa.Column("cap_hours", HOURS, nullable=True),
        sa.Column("capped", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("missing", sa.JSON(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("claimed", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC_TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["employment_id"], ["employment.id"], name=op.f("fk_claim_employment_id_employment")
        ),
        sa.ForeignKeyConstraint(
            ["inbound_id"], ["inbound_message.id"],
            name=op.f("fk_claim_inbound_id_inbound_message"),
        ),
        sa.ForeignKeyConstraint(
            ["workplace_id"], ["workplace.id"], name=op.f("fk_claim_workplace_id_workplace")
        ),
        _pk("claim"),
        sa.UniqueConstraint("inbound_id", "source", name=op.f("uq_claim_inbound_id_source")),
        sa.UniqueConstraint("reference", name=op.f("uq_claim_reference")),
    )
    op.create_index(op.f("ix_claim_cpr"), "claim", ["cpr"])
    op.create_index(op.f("ix_claim_employment_id"), "claim", ["employment_id"])
    op.create_index(op.f("ix_claim_status"), "claim", ["status"])
    op.create_index(op.f("ix_claim_workplace_id"), "claim", ["workplace_id"])

    op.create_table(
        "outbound_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("recipient", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("dedup_key", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("sent_at", UTC_TIMESTAMP, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("claim_id", sa.Integer(), nullable=True),
        sa.Column("inbound_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'failed')", name=op.f("ck_outbound_message_status")
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claim.id"], name=op.f("fk_outbound_message_claim_id_claim")
        ),
        sa.ForeignKeyConstraint(
            ["inbound_id"], ["inbound_message.id"],
            name=op.f("fk_outbound_message_inbound_id_inbound_message"),
        ),
        _pk("outbound_message"),
        sa.UniqueConstraint("dedup_key", name=op.f("uq_outbound_message_dedup_key")),
    )
    op.create_index(op.f("ix_outbound_message_claim_id"), "outbound_message", ["claim_id"])
    op.create_index(op.f("ix_outbound_message_inbound_id"), "outbound_message", ["inbound_id"])
    op.create_index(
        op.f("ix_outbound_message_status_next_attempt_at"),
        "outbound_message", ["status", "next_attempt_at"],
    )


def downgrade() -> None:
    # Dropping a table drops its indexes; children before parents for the foreign keys.
    for table in (
        "outbound_message", "claim", "employment", "workplace_sender", "workplace",
        "inbound_message", "imap_state",
    ):
        op.drop_table(table)
