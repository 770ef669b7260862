"""Case list: 当事人/承办人 names, nearest deadline, warning level, search text, list indexes.

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
        batch_op.add_column(
            sa.Column("search_text", sa.Text(), server_default=sa.text("('')"), nullable=False)
        )
        batch_op.create_index("ix_cases_list_case_number", ["is_training", "case_number"], unique=False)
        batch_op.create_index(
            "ix_cases_list_lead_officer_name", ["is_training", "lead_officer_name"], unique=False
        )
        batch_op.create_index("ix_cases_list_next_deadline", ["is_training", "next_deadline"], unique=False)
        batch_op.create_index("ix_cases_list_opened_on", ["is_training", "opened_on"], unique=False)
        batch_op.create_index("ix_cases_list_party_names", ["is_training", "party_names"], unique=False)
        batch_op.create_index("ix_cases_list_stage", ["is_training", "stage"], unique=False)
        batch_op.create_index("ix_cases_list_title", ["is_training", "title"], unique=False)
        batch_op.create_index("ix_cases_list_warning_level", ["is_training", "warning_level"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_list_warning_level")
        batch_op.drop_index("ix_cases_list_title")
        batch_op.drop_index("ix_cases_list_stage")
        batch_op.drop_index("ix_cases_list_party_names")
        batch_op.drop_index("ix_cases_list_opened_on")
        batch_op.drop_index("ix_cases_list_next_deadline")
        batch_op.drop_index("ix_cases_list_lead_officer_name")
        batch_op.drop_index("ix_cases_list_case_number")
        batch_op.drop_column("search_text")
        batch_op.drop_column("warning_level")
        batch_op.drop_column("next_deadline")
        batch_op.drop_column("lead_officer_name")
        batch_op.drop_column("party_names")
