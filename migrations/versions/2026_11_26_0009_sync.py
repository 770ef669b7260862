"""同步: what the offline-first sync engine keeps beside the outbox and the cursors of 0001.

Revision ID: 0009_sync
Revises: 0008_signatures
Create Date: 2026-11-26

- ``sync_outbox`` gains ``ref_id`` (the event id of an event operation), ``seq`` (its number in
  the case's 全过程记录), ``if_match`` (the version a case upsert was fixed against) and
  ``sent_at`` (first send; the body in ``payload`` never changes after it).
- ``sync_cases``: per case, the server's version, the base document of the three-way merge
  (the fields last agreed with the server), the server-owned fields (案号, review status,
  lock) and the head of the server's record.
- ``sync_conflicts``: 冲突待处理 — a field changed on both sides, with base, local and remote
  values, its status and how a person resolved it.
- ``sync_quarantine``: operations the server refused (reason code, Chinese reason, attempts);
  the operation itself stays in ``sync_outbox`` with state ``quarantined``.
- ``sync_attachments``: the attachment lane (upload id, bytes acknowledged, attempts).
- ``sync_tasks``: tasks and clues pulled from the platform (发现—推送—处理) for the 工作台.
- ``sync_remote_events``: server events that do not continue this machine's record (the
  records forked while both sides worked offline); kept, never dropped.
- ``sync_meta``: key/value facts: device id, server instance id, the high-water mark.

The tables stay small (a workstation's own work), so they carry no secondary indexes.
The ``cases`` table is not touched (so the case_search triggers of 0005 stay as they are).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_sync"
down_revision = "0008_signatures"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE … ADD COLUMN (nullable columns need no table rebuild in SQLite).
    op.add_column("sync_outbox", sa.Column("ref_id", sa.String(length=36), nullable=True))
    op.add_column("sync_outbox", sa.Column("seq", sa.Integer(), nullable=True))
    op.add_column("sync_outbox", sa.Column("if_match", sa.String(length=20), nullable=True))
    op.add_column("sync_outbox", sa.Column("sent_at", sa.DateTime(), nullable=True))

    op.create_table(
        "sync_cases",
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("server_version", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("base", sa.Text(), nullable=True),
        sa.Column("case_number", sa.String(length=60), nullable=True),
        sa.Column("review_status", sa.String(length=20), server_default=sa.text("'none'"), nullable=False),
        sa.Column("locked", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.Column("updated_seq", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("server_head_seq", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("server_head_hash", sa.String(length=64), nullable=True),
        sa.Column("synced_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_sync_cases")),
    )
    op.create_table(
        "sync_conflicts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("field", sa.String(length=200), nullable=False),
        sa.Column("base", sa.Text(), nullable=True),
        sa.Column("local", sa.Text(), nullable=True),
        sa.Column("remote", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), server_default=sa.text("'open'"), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("resolved_by", sa.String(length=100), nullable=True),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_conflicts")),
    )

    op.create_table(
        "sync_quarantine",
        sa.Column("op_id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("reason_code", sa.String(length=60), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("quarantined_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("op_id", name=op.f("pk_sync_quarantine")),
    )
    op.create_table(
        "sync_attachments",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("filename", sa.String(length=300), nullable=False),
        sa.Column("state", sa.String(length=20), server_default=sa.text("'pending'"), nullable=False),
        sa.Column("upload_id", sa.String(length=100), nullable=True),
        sa.Column("uploaded_bytes", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_sync_attachments")),
    )

    op.create_table(
        "sync_tasks",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("deadline", sa.String(length=10), nullable=True),
        sa.Column("case_id", sa.String(length=36), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_seq", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_tasks")),
    )
    op.create_table(
        "sync_remote_events",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_sync_remote_events")),
    )

    op.create_table(
        "sync_meta",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sync_meta")),
    )


def downgrade() -> None:
    op.drop_table("sync_meta")
    op.drop_table("sync_remote_events")
    op.drop_table("sync_tasks")
    op.drop_table("sync_attachments")
    op.drop_table("sync_quarantine")
    op.drop_table("sync_conflicts")
    op.drop_table("sync_cases")
    with op.batch_alter_table("sync_outbox", schema=None) as batch_op:
        batch_op.drop_column("sent_at")
        batch_op.drop_column("if_match")
        batch_op.drop_column("seq")
        batch_op.drop_column("ref_id")
