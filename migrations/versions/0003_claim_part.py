"""Claims keyed by what they were read from, not by the attachment's file name.

Two payslips named alike in one mail (or two without a name) were one claim: the second
overwrote the first. A claim is now unique per (message, part), where ``part`` is
``body`` or ``pdf:<position>:<sha256>``; ``payslip_sha256`` finds the same payslip
claimed again in another mail. An index serves the per-sender reply limit.

Existing claims keep their rows: ``part`` becomes ``body`` or ``legacy:<id>`` (unique,
as (message, file name) was), and ``payslip_sha256`` is filled from the stored raw mail
where exactly one PDF attachment carries the claim's file name. Where two did, which
one the row holds is unknown, so it stays NULL.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

import hashlib
from collections.abc import Sequence
from email import message_from_bytes, policy

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("claim") as batch:
        batch.add_column(sa.Column("part", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("payslip_sha256", sa.String(length=64), nullable=True))
    _backfill(op.get_bind())
    with op.batch_alter_table("claim") as batch:
        batch.alter_column("part", existing_type=sa.String(length=100), nullable=False)
        batch.drop_constraint("uq_claim_inbound_id_source", type_="unique")
        batch.create_unique_constraint("uq_claim_inbound_id_part", ["inbound_id", "part"])
        batch.create_index("ix_claim_payslip_sha256", ["payslip_sha256"])
    op.create_index("ix_outbound_message_kind_recipient_created_at", "outbound_message",
                    ["kind", "recipient", "created_at"])


def downgrade() -> None:
    # Fails if a message now has two claims with one file name: that data has no place
    # in the old schema.
    op.drop_index("ix_outbound_message_kind_recipient_created_at", "outbound_message")
    with op.batch_alter_table("claim") as batch:
        batch.drop_index("ix_claim_payslip_sha256")
        batch.drop_constraint("uq_claim_inbound_id_part", type_="unique")
        batch.create_unique_constraint("uq_claim_inbound_id_source", ["inbound_id", "source"])
        batch.drop_column("payslip_sha256")
        batch.drop_column("part")


def _backfill(connection: sa.Connection) -> None:
    claim = sa.table("claim", sa.column("id", sa.Integer), sa.column("inbound_id", sa.Integer),
                     sa.column("source", sa.String), sa.column("part", sa.String),
                     sa.column("payslip_sha256", sa.String))
    inbound = sa.table("inbound_message", sa.column("id", sa.Integer),
                       sa.column("raw", sa.LargeBinary))
    connection.execute(claim.update().where(claim.c.source == "body").values(part="body"))
    connection.execute(claim.update().where(claim.c.source != "body")
                       .values(part=sa.literal("legacy:") + sa.cast(claim.c.id, sa.String)))
    rows = connection.execute(sa.select(claim.c.id, claim.c.inbound_id, claim.c.source)
                              .where(claim.c.source != "body")
                              .order_by(claim.c.inbound_id)).all()
    by_message: dict[int, list[tuple[int, str]]] = {}
    for claim_id, inbound_id, source in rows:
        by_message.setdefault(inbound_id, []).append((claim_id, source))
    for inbound_id, claims in by_message.items():
        raw = connection.execute(sa.select(inbound.c.raw)
                                 .where(inbound.c.id == inbound_id)).scalar()
        hashes = _pdf_hashes_by_name(bytes(raw or b""))
        for claim_id, source in claims:
            found = hashes.get(source, [])
            if len(found) == 1:
                connection.execute(claim.update().where(claim.c.id == claim_id)
                                   .values(payslip_sha256=found[0]))


def _pdf_hashes_by_name(raw: bytes) -> dict[str, list[str]]:
    """{file name as the claim stored it: [SHA-256 of each PDF with that name]}.

    Plain stdlib, so this revision does not depend on the application's reader.
    """
    out: dict[str, list[str]] = {}
    try:
        message = message_from_bytes(raw, policy=policy.compat32)
        for part in message.walk():
            if part.is_multipart():
                continue
            name = str(part.get_filename() or "")
            data = part.get_payload(decode=True)
            if not isinstance(data, bytes):
                continue
            is_pdf = (part.get_content_type() in ("application/pdf", "application/x-pdf")
                      or name.lower().endswith(".pdf") or data[:5] == b"%PDF-")
            if is_pdf:
                key = name.replace("\\", "/").rsplit("/", 1)[-1] or "payslip.pdf"
                out.setdefault(key, []).append(hashlib.sha256(data).hexdigest())
    except Exception:  # noqa: BLE001 - a mail the old code could read but this cannot
        return {}
    return out
