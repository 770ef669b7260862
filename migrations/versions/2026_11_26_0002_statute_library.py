"""Statute library: laws, aliases, versions, sources, articles, annexes, problems, FTS index.

Revision ID: 0002_statutes
Revises: 0001_initial
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_statutes"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "article_keys",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_keys")),
        sa.UniqueConstraint("article_id", name=op.f("uq_article_keys_article_id")),
    )
    op.create_table(
        "index_blocks",
        sa.Column("block_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version_no", sa.Integer(), nullable=False),
        sa.Column("law_no", sa.Integer(), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("level_rank", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("block_no", name=op.f("pk_index_blocks")),
        sa.UniqueConstraint("version_no", name=op.f("uq_index_blocks_version_no")),
    )
    op.create_table(
        "laws",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("no", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("level_rank", sa.Integer(), server_default=sa.text("9"), nullable=False),
        sa.Column("category", sa.String(length=60), server_default=sa.text("('')"), nullable=False),
        sa.Column("region", sa.String(length=40), server_default=sa.text("('')"), nullable=False),
        sa.Column("issuing_body", sa.String(length=200), server_default=sa.text("('')"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_laws")),
        sa.UniqueConstraint("no", name=op.f("uq_laws_no")),
        sa.UniqueConstraint("title", name=op.f("uq_laws_title")),
    )
    with op.batch_alter_table("laws", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_laws_level"), ["level"], unique=False)

    op.create_table(
        "library_meta",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_library_meta")),
    )
    op.create_table(
        "law_aliases",
        sa.Column("alias", sa.String(length=300), nullable=False),
        sa.Column("law_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["law_id"], ["laws.id"], name=op.f("fk_law_aliases_law_id_laws"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("alias", "law_id", name=op.f("pk_law_aliases")),
    )
    with op.batch_alter_table("law_aliases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_law_aliases_law_id"), ["law_id"], unique=False)

    op.create_table(
        "law_favourites",
        sa.Column("law_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("touched_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["law_id"], ["laws.id"], name=op.f("fk_law_favourites_law_id_laws"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("law_id", "kind", name=op.f("pk_law_favourites")),
    )
    op.create_table(
        "law_versions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("no", sa.Integer(), nullable=False),
        sa.Column("law_id", sa.String(length=36), nullable=False),
        sa.Column("version_key", sa.String(length=20), nullable=False),
        sa.Column("version_date", sa.Date(), nullable=True),
        sa.Column("effective_date", sa.Date(), nullable=True),
        sa.Column("source_status", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("superseded_on", sa.Date(), nullable=True),
        sa.Column("repealed_on", sa.Date(), nullable=True),
        sa.Column("is_latest", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.Column("history", sa.Text(), server_default=sa.text("'[]'"), nullable=False),
        sa.ForeignKeyConstraint(
            ["law_id"], ["laws.id"], name=op.f("fk_law_versions_law_id_laws"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_law_versions")),
        sa.UniqueConstraint("law_id", "version_key", name=op.f("uq_law_versions_law_id_version_key")),
        sa.UniqueConstraint("no", name=op.f("uq_law_versions_no")),
    )
    with op.batch_alter_table("law_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_law_versions_law_id"), ["law_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_law_versions_status"), ["status"], unique=False)

    op.create_table(
        "law_sources",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("version_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("subtitle", sa.String(length=200), server_default=sa.text("('')"), nullable=False),
        sa.Column("preamble", sa.Text(), server_default=sa.text("('')"), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["law_versions.id"],
            name=op.f("fk_law_sources_version_id_law_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_law_sources")),
        sa.UniqueConstraint("kind", "source", name=op.f("uq_law_sources_kind_source")),
    )
    with op.batch_alter_table("law_sources", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_law_sources_version_id"), ["version_id"], unique=False)

    op.create_table(
        "articles",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("version_id", sa.String(length=36), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("suffix", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("path", sa.Text(), server_default=sa.text("('')"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("layout", sa.Text(), server_default=sa.text("('')"), nullable=False),
        sa.Column("line", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["law_sources.id"],
            name=op.f("fk_articles_source_id_law_sources"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["law_versions.id"],
            name=op.f("fk_articles_version_id_law_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_articles")),
    )
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_articles_source_id"), ["source_id"], unique=False)
        batch_op.create_index("ix_articles_version_number", ["version_id", "number", "suffix"], unique=False)

    op.create_table(
        "law_annexes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("line", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["law_sources.id"],
            name=op.f("fk_law_annexes_source_id_law_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_law_annexes")),
    )
    with op.batch_alter_table("law_annexes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_law_annexes_source_id"), ["source_id"], unique=False)

    op.create_table(
        "law_import_problems",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("fragment", sa.Text(), server_default=sa.text("('')"), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["law_sources.id"],
            name=op.f("fk_law_import_problems_source_id_law_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_law_import_problems")),
    )
    with op.batch_alter_table("law_import_problems", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_law_import_problems_source_id"), ["source_id"], unique=False)

    # Full-text index of article text: overlapping two-character pieces (bigrams) made in
    # Python (library/bigrams.py), contentless so the text is stored once (in articles).
    # FTS5 phrase queries over the bigrams give exact substring semantics for any length,
    # including one and two characters (docs/STATUTES.md).
    op.execute(
        "CREATE VIRTUAL TABLE article_fts USING fts5("
        "body, content='', tokenize='unicode61 remove_diacritics 0')"
    )


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS article_fts")
    with op.batch_alter_table("law_import_problems", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_law_import_problems_source_id"))

    op.drop_table("law_import_problems")
    with op.batch_alter_table("law_annexes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_law_annexes_source_id"))

    op.drop_table("law_annexes")
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_index("ix_articles_version_number")
        batch_op.drop_index(batch_op.f("ix_articles_source_id"))

    op.drop_table("articles")
    with op.batch_alter_table("law_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_law_sources_version_id"))

    op.drop_table("law_sources")
    with op.batch_alter_table("law_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_law_versions_status"))
        batch_op.drop_index(batch_op.f("ix_law_versions_law_id"))

    op.drop_table("law_versions")
    op.drop_table("law_favourites")
    with op.batch_alter_table("law_aliases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_law_aliases_law_id"))

    op.drop_table("law_aliases")
    op.drop_table("library_meta")
    with op.batch_alter_table("laws", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_laws_level"))

    op.drop_table("laws")
    op.drop_table("index_blocks")
    op.drop_table("article_keys")
