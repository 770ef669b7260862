"""Numbering: number_sequences (last serial per agency, kind, year) and number_voids.

Triggers keep issued numbers issued: a sequence never goes back or disappears, a void is
only recorded for a number that was issued, and voids are append-only.

Revision ID: 0003_numbering
Revises: 0002_statutes
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_numbering"
down_revision = "0002_statutes"
branch_labels = None
depends_on = None

TRIGGERS = {
    "number_sequences_start_at_one": (
        "CREATE TRIGGER number_sequences_start_at_one BEFORE INSERT ON number_sequences "
        "WHEN NEW.last IS NULL OR NEW.last < 1 "
        "BEGIN SELECT RAISE(ABORT, 'number_sequences: last must be at least 1'); END"
    ),
    "number_sequences_forward_only": (
        "CREATE TRIGGER number_sequences_forward_only BEFORE UPDATE ON number_sequences "
        "WHEN NEW.agency_id IS NOT OLD.agency_id OR NEW.kind IS NOT OLD.kind "
        "OR NEW.year IS NOT OLD.year OR NEW.last IS NULL OR NEW.last < OLD.last "
        "BEGIN SELECT RAISE(ABORT, 'number_sequences only move forward'); END"
    ),
    "number_sequences_no_delete": (
        "CREATE TRIGGER number_sequences_no_delete BEFORE DELETE ON number_sequences "
        "BEGIN SELECT RAISE(ABORT, 'number_sequences only move forward'); END"
    ),
    "number_voids_issued_only": (
        "CREATE TRIGGER number_voids_issued_only BEFORE INSERT ON number_voids "
        "WHEN NEW.serial IS NULL OR NEW.serial < 1 OR NEW.serial > COALESCE(("
        "SELECT s.last FROM number_sequences AS s WHERE s.agency_id = NEW.agency_id "
        "AND s.kind = NEW.kind AND s.year = NEW.year), 0) "
        "BEGIN SELECT RAISE(ABORT, 'number_voids: number was never issued'); END"
    ),
    "number_voids_no_update": (
        "CREATE TRIGGER number_voids_no_update BEFORE UPDATE ON number_voids "
        "BEGIN SELECT RAISE(ABORT, 'number_voids is append-only'); END"
    ),
    "number_voids_no_delete": (
        "CREATE TRIGGER number_voids_no_delete BEFORE DELETE ON number_voids "
        "BEGIN SELECT RAISE(ABORT, 'number_voids is append-only'); END"
    ),
}


def upgrade() -> None:
    op.create_table(
        "number_sequences",
        sa.Column("agency_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_number_sequences_agency_id_agencies"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("agency_id", "kind", "year", name=op.f("pk_number_sequences")),
    )
    op.create_table(
        "number_voids",
        sa.Column("agency_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("serial", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("voided_at", sa.DateTime(), nullable=False),
        sa.Column("voided_by", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_number_voids_agency_id_agencies"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("agency_id", "kind", "year", "serial", name=op.f("pk_number_voids")),
    )
    for statement in TRIGGERS.values():
        op.execute(statement)


def downgrade() -> None:
    for name in reversed(TRIGGERS):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("number_voids")
    op.drop_table("number_sequences")
