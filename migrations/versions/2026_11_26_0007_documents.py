"""执法文书: what an issued document needs beyond the initial ``documents`` table.

Revision ID: 0007_documents
Revises: 0006_benchmarks
Create Date: 2026-11-26

- ``title``: the document's title as issued (the catalog may be renamed later);
- ``number_kind``: the 文书编号 sequence the serial came from (persistence/numbering.py), so a
  void is recorded against the right sequence; null for a document without a number;
- ``issued_on``: the issue date printed on the document (its year is the number's year);
- ``path``: where the .docx was written; ``payload``: the QR payload printed on it
  (``WSDOC1|案号|文书编号|sha256``, documents/qr.py); ``pdf_hash``: the content hash of the
  PDF made with it (its text extracted, all whitespace removed), when one was made;
- an index on ``number`` (verification finds a document by the number its QR code names).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_documents"
down_revision = "0006_benchmarks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("title", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("number_kind", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("issued_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("path", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("payload", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("pdf_hash", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_documents_number"), ["number"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documents_number"))
        batch_op.drop_column("pdf_hash")
        batch_op.drop_column("payload")
        batch_op.drop_column("path")
        batch_op.drop_column("issued_on")
        batch_op.drop_column("number_kind")
        batch_op.drop_column("title")
