"""同步步骤: what the sync steps beside push and pull keep (sync/steps.py, docs/SYNC.md).

Revision ID: 0010_sync_steps
Revises: 0009_sync
Create Date: 2026-11-26

- ``sync_reference_items``: every reference item (officers, holidays, benchmarks, statutes) at
  the version last received, how it was taken (``applied``, ``deleted``, ``refused`` with the
  Chinese reason) and the local row it became (``target_id``). Versions never go back: a
  version not newer than the one recorded is skipped. The ``holidays`` rows are the server's
  holiday / 调休 table the deadline calendar reads (persistence/reference_sync.py).
- ``sync_publications``: per case, the 公示 of its decision (《行政处罚法》第四十八条): the
  request's arguments and idempotency key (fixed at first send, so a retry sends the same
  bytes), the server's publication id and whether it was withdrawn.
- ``sync_anchors``: the chain heads of cases' 全过程记录 anchored on the server, and the
  anchors the server refused as not matching (an integrity alarm; rows are never updated).
- ``sync_task_cases``: the case made from a pushed task or clue, and when the server
  acknowledged it accepted and done.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_sync_steps"
down_revision = "0009_sync"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_reference_items",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("item_id", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_seq", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.Column("township_code", sa.String(length=32), nullable=True),
        sa.Column("payload", sa.Text(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("target_id", sa.String(length=60), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "item_id", name=op.f("pk_sync_reference_items")),
    )
    op.create_table(
        "sync_publications",
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("idempotency_key", sa.String(length=36), nullable=False),
        sa.Column("decision_number", sa.String(length=80), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("publication_id", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("withdraw_reason", sa.Text(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_sync_publications")),
    )
    op.create_table(
        "sync_anchors",
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("head_seq", sa.Integer(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("server_head_seq", sa.Integer(), nullable=True),
        sa.Column("server_head_hash", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("anchored_at", sa.DateTime(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("case_id", "head_seq", name=op.f("pk_sync_anchors")),
    )
    op.create_table(
        "sync_task_cases",
        sa.Column("task_id", sa.String(length=100), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("accepted_at", sa.DateTime(), nullable=True),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("task_id", name=op.f("pk_sync_task_cases")),
    )


def downgrade() -> None:
    op.drop_table("sync_task_cases")
    op.drop_table("sync_anchors")
    op.drop_table("sync_publications")
    op.drop_table("sync_reference_items")
