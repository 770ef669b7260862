"""裁量基准: benchmarks (one row per published benchmark) and benchmark_items (its 执法事项).

Revision ID: 0006_benchmarks
Revises: 0005_case_search
Create Date: 2026-11-26

``benchmarks.payload`` holds the benchmark in the ``workstation-discretion`` JSON format
(docs/DISCRETION.md: a document holding just this benchmark), so the whole model round-trips
without a column per field; the other columns are what lists and the effective-entry rule
need. ``benchmark_items`` has one row per item of a benchmark with ``search_text`` (name, code,
keywords and pinyin initials, lower-cased; library/item_search.py) for the 事项 search.
``parent_id`` is not a foreign key: the service refuses a refinement whose parent is not
stored, and a parent may be replaced (upserted) while its refinements stay.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_benchmarks"
down_revision = "0005_case_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "benchmarks",
        sa.Column("id", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("parent_id", sa.String(length=60), nullable=True),
        sa.Column("version", sa.String(length=60), nullable=False),
        sa.Column("publisher", sa.String(length=200), nullable=False),
        sa.Column("document_number", sa.String(length=200), nullable=False),
        sa.Column("region", sa.String(length=100), server_default=sa.text("('')"), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=True),
        sa.Column("is_sample", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("row_version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_benchmarks")),
    )
    op.create_table(
        "benchmark_items",
        sa.Column("benchmark_id", sa.String(length=60), nullable=False),
        sa.Column("item_code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("department", sa.String(length=200), nullable=False),
        sa.Column("search_text", sa.Text(), server_default=sa.text("('')"), nullable=False),
        sa.ForeignKeyConstraint(
            ["benchmark_id"],
            ["benchmarks.id"],
            name=op.f("fk_benchmark_items_benchmark_id_benchmarks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("benchmark_id", "item_code", name=op.f("pk_benchmark_items")),
    )
    op.create_index(op.f("ix_benchmark_items_item_code"), "benchmark_items", ["item_code"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_benchmark_items_item_code"), table_name="benchmark_items")
    op.drop_table("benchmark_items")
    op.drop_table("benchmarks")
