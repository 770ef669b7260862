"""同步标记: what lets a sync with nothing to do read nothing whole (docs/SYNC.md, "Speed").

Revision ID: 0012_sync_marks
Revises: 0011_number_blocks
Create Date: 2026-11-26

- ``sync_cursors.read_to``: the server's ``high_water`` (handshake) when the stream was last
  read to its end; any new cursor clears it. While the handshake still says the same number
  and the server declares that its feeds follow it, the stream has nothing new and is not
  requested.
- ``sync_cases.anchored_seq``: the head of the case's 全过程记录 last anchored on the server
  (filled from ``sync_anchors``); the partial index ``ix_sync_cases_unanchored`` holds only the
  cases whose server head is not that one, so finding the heads to anchor reads those alone.
- ``ix_sync_cases_updated_seq``: the evidence-file step reads only cases changed past its mark.
- ``ix_attachments_not_uploaded`` (partial), ``ix_signatures_attachment_id`` and
  ``ix_signatures_evidence_attachment_id``: the attachment lane starts from the files not
  uploaded yet instead of every file of every case; ``ix_sync_attachments_waiting`` (partial)
  holds the lane's files not done.
- ``ix_sync_task_cases_unfinished`` (partial): the task acknowledgements read the cases made
  from tasks whose ``done`` was not acknowledged yet.
- ``ix_cases_published`` (partial: ``json_extract(data, '$.published_on') IS NOT NULL``): the 公示
  step reads only the cases with a publication date.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_sync_marks"
down_revision = "0011_number_blocks"
branch_labels = None
depends_on = None

PUBLISHED_ON = "json_extract(data, '$.published_on')"


def upgrade() -> None:
    with op.batch_alter_table("sync_cursors") as batch:
        batch.add_column(sa.Column("read_to", sa.Integer(), nullable=True))
    with op.batch_alter_table("sync_cases") as batch:
        batch.add_column(sa.Column("anchored_seq", sa.Integer(), server_default=sa.text("0"), nullable=False))
    op.execute(
        "UPDATE sync_cases SET anchored_seq = COALESCE((SELECT max(a.head_seq) FROM sync_anchors AS a "
        "WHERE a.case_id = sync_cases.case_id AND a.state = 'anchored'), 0)"
    )
    op.create_index("ix_sync_cases_updated_seq", "sync_cases", ["updated_seq"])
    op.create_index(
        "ix_sync_cases_unanchored",
        "sync_cases",
        ["case_id"],
        sqlite_where=sa.text("server_head_seq != anchored_seq"),
    )
    op.create_index(
        "ix_attachments_not_uploaded", "attachments", ["id"], sqlite_where=sa.text("uploaded = 0")
    )
    op.create_index(
        "ix_sync_attachments_waiting",
        "sync_attachments",
        ["updated_at", "sha256"],
        sqlite_where=sa.text("state != 'done'"),
    )
    op.create_index(
        "ix_sync_task_cases_unfinished",
        "sync_task_cases",
        ["created_at", "task_id"],
        sqlite_where=sa.text("done_at IS NULL"),
    )
    op.create_index("ix_signatures_attachment_id", "signatures", ["attachment_id"])
    op.create_index("ix_signatures_evidence_attachment_id", "signatures", ["evidence_attachment_id"])
    op.create_index(
        "ix_cases_published", "cases", ["id"], sqlite_where=sa.text(f"{PUBLISHED_ON} IS NOT NULL")
    )


def downgrade() -> None:
    op.drop_index("ix_cases_published", table_name="cases")
    op.drop_index("ix_signatures_evidence_attachment_id", table_name="signatures")
    op.drop_index("ix_signatures_attachment_id", table_name="signatures")
    op.drop_index("ix_attachments_not_uploaded", table_name="attachments")
    op.drop_index("ix_sync_attachments_waiting", table_name="sync_attachments")
    op.drop_index("ix_sync_task_cases_unfinished", table_name="sync_task_cases")
    op.drop_index("ix_sync_cases_unanchored", table_name="sync_cases")
    op.drop_index("ix_sync_cases_updated_seq", table_name="sync_cases")
    with op.batch_alter_table("sync_cases") as batch:
        batch.drop_column("anchored_seq")
    with op.batch_alter_table("sync_cursors") as batch:
        batch.drop_column("read_to")
