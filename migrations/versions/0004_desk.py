"""The jobcenter desk: staff, their sessions, failed logins, the audit log and claim
corrections. New tables only; the claim table is unchanged (a decided claim's status
becomes ``rejected`` or ``paid``, values the status column already accepts).

Revision ID: 0004
Revises: 0002 (the lead re-chains this onto 0003 at merge)
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIMESTAMP = sa.DateTime(timezone=True)  # assistant.models.UTCDateTime


def _pk(table: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))


def upgrade() -> None:
    op.create_table(
        "staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("created_at", UTC_TIMESTAMP, nullable=False),
        sa.CheckConstraint("role IN ('consultant', 'economy', 'admin')",
                           name=op.f("ck_staff_role")),
        _pk("staff"),
        sa.UniqueConstraint("email", name=op.f("uq_staff_email")),
    )
    op.create_table(
        "staff_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("expires_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("revoked_at", UTC_TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"],
                                name=op.f("fk_staff_session_staff_id_staff")),
        _pk("staff_session"),
        sa.UniqueConstraint("token_hash", name=op.f("uq_staff_session_token_hash")),
    )
    op.create_index(op.f("ix_staff_session_staff_id"), "staff_session", ["staff_id"])
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("at", UTC_TIMESTAMP, nullable=False),
        _pk("login_attempt"),
    )
    op.create_index(op.f("ix_login_attempt_email_at"), "login_attempt", ["email", "at"])
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTC_TIMESTAMP, nullable=False),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["claim.id"],
                                name=op.f("fk_audit_entry_claim_id_claim")),
        _pk("audit_entry"),
    )
    op.create_index(op.f("ix_audit_entry_at"), "audit_entry", ["at"])
    op.create_index(op.f("ix_audit_entry_claim_id"), "audit_entry", ["claim_id"])
    op.create_table(
        "claim_correction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=False),
        sa.Column("by", sa.String(length=320), nullable=False),
        sa.Column("at", UTC_TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["claim.id"],
                                name=op.f("fk_claim_correction_claim_id_claim")),
        _pk("claim_correction"),
    )
    op.create_index(op.f("ix_claim_correction_claim_id"), "claim_correction", ["claim_id"])


def downgrade() -> None:
    op.drop_table("claim_correction")
    op.drop_table("audit_entry")
    op.drop_table("login_attempt")
    op.drop_table("staff_session")
    op.drop_table("staff")
