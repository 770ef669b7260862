"""签名: signatures (or refusals to sign) on a case's 执法文书.

Revision ID: 0008_signatures
Revises: 0007_documents
Create Date: 2026-11-26

One row per signature: the case, the document code, the signer's role and name, the PNG of
the signature (an ``attachments`` row, stored by content hash), or — for a refusal
(拒签, 《中华人民共和国民事诉讼法》第八十九条 留置送达) — the witness and/or the photo or video
evidence (another ``attachments`` row).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_signatures"
down_revision = "0007_documents"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signatures",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("document_code", sa.String(length=60), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=100), server_default=sa.text("''"), nullable=False),
        sa.Column("attachment_id", sa.String(length=36), nullable=True),
        sa.Column("refused", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.Column("witness", sa.String(length=100), server_default=sa.text("''"), nullable=False),
        sa.Column("evidence_attachment_id", sa.String(length=36), nullable=True),
        sa.Column("signed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_signatures_case_id_cases"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["attachment_id"],
            ["attachments.id"],
            name=op.f("fk_signatures_attachment_id_attachments"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["evidence_attachment_id"],
            ["attachments.id"],
            name=op.f("fk_signatures_evidence_attachment_id_attachments"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signatures")),
    )
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signatures_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signatures_case_id"))
    op.drop_table("signatures")
