"""Intake bot: invites, chat users, intakes (job forms) and the chat outbox.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIMESTAMP = sa.DateTime(timezone=True)  # assistant.models.UTCDateTime


def _pk(table: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))


def _workplace_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["workplace_id"], ["workplace.id"],
                                   name=op.f(f"fk_{table}_workplace_id_workplace"))


def upgrade() -> None:
    op.create_table(
        "invite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("workplace_id", sa.Integer(), nullable=False),
        sa.Column("manager_name", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("expires_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("used_at", UTC_TIMESTAMP, nullable=True),
        sa.Column("used_by", sa.String(length=64), nullable=True),
        _workplace_fk("invite"),
        _pk("invite"),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invite_token_hash")),
    )
    op.create_index(op.f("ix_invite_workplace_id"), "invite", ["workplace_id"])
    op.create_table(
        "chat_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("workplace_id", sa.Integer(), nullable=False),
        sa.Column("manager_name", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("intake_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_TIMESTAMP, nullable=False),
        _workplace_fk("chat_user"),
        _pk("chat_user"),
        sa.UniqueConstraint("channel", "user_id", name=op.f("uq_chat_user_channel_user_id")),
    )
    op.create_index(op.f("ix_chat_user_workplace_id"), "chat_user", ["workplace_id"])
    op.create_table(
        "intake",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_user_id", sa.Integer(), nullable=False),
        sa.Column("workplace_id", sa.Integer(), nullable=False),
        sa.Column("manager_name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("job", sa.JSON(), nullable=True),
        sa.Column("created_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("updated_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("submitted_at", UTC_TIMESTAMP, nullable=True),
        sa.Column("employment_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('draft', 'submitted', 'approved', 'cancelled')",
                           name=op.f("ck_intake_status")),
        sa.ForeignKeyConstraint(["chat_user_id"], ["chat_user.id"],
                                name=op.f("fk_intake_chat_user_id_chat_user")),
        sa.ForeignKeyConstraint(["employment_id"], ["employment.id"],
                                name=op.f("fk_intake_employment_id_employment")),
        _workplace_fk("intake"),
        _pk("intake"),
    )
    op.create_index(op.f("ix_intake_chat_user_id"), "intake", ["chat_user_id"])
    op.create_index(op.f("ix_intake_workplace_id"), "intake", ["workplace_id"])
    op.create_index(op.f("ix_intake_status"), "intake", ["status"])
    op.create_table(
        "chat_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("document_name", sa.String(length=255), nullable=True),
        sa.Column("document", sa.LargeBinary(), nullable=True),
        sa.Column("dedup_key", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("sent_at", UTC_TIMESTAMP, nullable=True),
        sa.CheckConstraint("status IN ('pending', 'sent')", name=op.f("ck_chat_message_status")),
        _pk("chat_message"),
        sa.UniqueConstraint("dedup_key", name=op.f("uq_chat_message_dedup_key")),
    )
    op.create_index(op.f("ix_chat_message_channel_status"), "chat_message",
                    ["channel", "status"])


def downgrade() -> None:
    for table in ("chat_message", "intake", "chat_user", "invite"):
        op.drop_table(table)
