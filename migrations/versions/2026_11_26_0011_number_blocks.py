"""号段: blocks of serials reserved from the central server (persistence/numbering.py).

Revision ID: 0011_number_blocks
Revises: 0010_sync_steps
Create Date: 2026-11-26

- ``number_blocks``: serials ``first`` … ``last`` of one agency, kind (``case`` or a document
  number kind) and year, reserved from the central server (``source`` is the reservation's
  idempotency key); ``next`` is the next serial to issue (``last + 1`` once used up). Triggers
  in the spirit of 0003: a block is never deleted and never changes except ``next``, which
  only moves forward and stays within ``first`` … ``last + 1``; blocks of one sequence never
  overlap.
- ``number_reservations``: a reservation asked for and not yet stored (its idempotency key is
  written before the request, so a retry after a lost answer gets the same block); at most one
  per agency, kind and year; deleted when its block is stored.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_number_blocks"
down_revision = "0010_sync_steps"
branch_labels = None
depends_on = None

TRIGGERS = {
    "number_blocks_valid": (
        "CREATE TRIGGER number_blocks_valid BEFORE INSERT ON number_blocks "
        'WHEN NEW."first" IS NULL OR NEW."first" < 1 OR NEW."last" IS NULL OR NEW."last" < NEW."first" '
        'OR NEW."next" IS NULL OR NEW."next" < NEW."first" OR NEW."next" > NEW."last" + 1 '
        "BEGIN SELECT RAISE(ABORT, 'number_blocks: first <= next <= last + 1 required'); END"
    ),
    "number_blocks_no_overlap": (
        "CREATE TRIGGER number_blocks_no_overlap BEFORE INSERT ON number_blocks "
        "WHEN EXISTS (SELECT 1 FROM number_blocks AS b WHERE b.agency_id = NEW.agency_id "
        'AND b.kind = NEW.kind AND b.year = NEW.year AND b."first" <= NEW."last" '
        'AND b."last" >= NEW."first") '
        "BEGIN SELECT RAISE(ABORT, 'number_blocks: blocks of a sequence never overlap'); END"
    ),
    "number_blocks_forward_only": (
        "CREATE TRIGGER number_blocks_forward_only BEFORE UPDATE ON number_blocks "
        "WHEN NEW.agency_id IS NOT OLD.agency_id OR NEW.kind IS NOT OLD.kind "
        'OR NEW.year IS NOT OLD.year OR NEW."first" IS NOT OLD."first" '
        'OR NEW."last" IS NOT OLD."last" OR NEW.source IS NOT OLD.source '
        "OR NEW.reserved_at IS NOT OLD.reserved_at "
        'OR NEW."next" IS NULL OR NEW."next" < OLD."next" OR NEW."next" > OLD."last" + 1 '
        "BEGIN SELECT RAISE(ABORT, 'number_blocks only move forward'); END"
    ),
    "number_blocks_no_delete": (
        "CREATE TRIGGER number_blocks_no_delete BEFORE DELETE ON number_blocks "
        "BEGIN SELECT RAISE(ABORT, 'number_blocks are never deleted'); END"
    ),
}


def upgrade() -> None:
    op.create_table(
        "number_blocks",
        sa.Column("agency_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("first", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.Column("next", sa.Integer(), nullable=False),
        sa.Column("reserved_at", sa.DateTime(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_number_blocks_agency_id_agencies"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("agency_id", "kind", "year", "first", name=op.f("pk_number_blocks")),
        sa.UniqueConstraint("source", name=op.f("uq_number_blocks_source")),
    )
    op.create_table(
        "number_reservations",
        sa.Column("idempotency_key", sa.String(length=100), nullable=False),
        sa.Column("agency_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_number_reservations_agency_id_agencies"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("idempotency_key", name=op.f("pk_number_reservations")),
        sa.UniqueConstraint(
            "agency_id", "kind", "year", name=op.f("uq_number_reservations_agency_id_kind_year")
        ),
    )
    for statement in TRIGGERS.values():
        op.execute(statement)


def downgrade() -> None:
    for name in reversed(TRIGGERS):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("number_reservations")
    op.drop_table("number_blocks")
