"""Case list columns: 当事人 and 承办人 names, nearest deadline, warning level (sortable in SQL).

Revision ID: 0004_case_list
Revises: 0003_numbering
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_case_list"
down_revision = "0003_numbering"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("party_names", sa.String(length=400), server_default=sa.text("('')"), nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "lead_officer_name", sa.String(length=100), server_default=sa.text("('')"), nullable=False
            )
        )
        batch_op.add_column(sa.Column("next_deadline", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("warning_level", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
        batch_op.create_index(batch_op.f("ix_cases_next_deadline"), ["next_deadline"], unique=False)
        batch_op.create_index("ix_cases_opened_on", ["opened_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_warning_level"), ["warning_level"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_warning_level"))
        batch_op.drop_index("ix_cases_opened_on")
        batch_op.drop_index(batch_op.f("ix_cases_next_deadline"))
        batch_op.drop_column("warning_level")
        batch_op.drop_column("next_deadline")
        batch_op.drop_column("lead_officer_name")
        batch_op.drop_column("party_names")
