"""Case list search: a trigram full-text index of ``cases.search_text``, kept in step by triggers.

Revision ID: 0005_case_search
Revises: 0004_case_list
Create Date: 2026-11-26

``case_search`` is a contentless FTS5 table with the trigram tokenizer whose rowid is the
case's rowid (the case list's row key). Each case is indexed as the ASCII-lower-cased
``search_text`` followed by two U+001F characters, so every substring of one or two
characters is the start of some trigram: queries of three characters or more are phrase
queries, shorter ones walk the index's terms through ``case_search_terms`` (fts5vocab,
``instance``) and ``case_search_counts`` (``row``) — see persistence/case_list.py. The
tokenizer is case-sensitive because the text is lower-cased (ASCII only, as LIKE compares)
on the way in.

Triggers keep it in step with every INSERT, UPDATE and DELETE of ``cases``. The table is
contentless, so a delete must repeat exactly what was indexed: any later revision that
rebuilds ``cases`` (a batch "move and copy", which drops these triggers and may renumber
rowids) must recreate the triggers and refill the index (``INSERT INTO case_search
(case_search) VALUES ('delete-all')`` then the INSERT ... SELECT below).
"""

from __future__ import annotations

from alembic import op

revision = "0005_case_search"
down_revision = "0004_case_list"
branch_labels = None
depends_on = None

#: What is indexed for a row (``r`` is ``new`` or ``old``); must match persistence/case_list.py.
_INDEXED = "lower({r}.search_text) || char(31, 31)"

_TRIGGERS = (
    "CREATE TRIGGER case_search_insert AFTER INSERT ON cases BEGIN "
    f"INSERT INTO case_search (rowid, body) VALUES (new.rowid, {_INDEXED.format(r='new')}); "
    "END",
    "CREATE TRIGGER case_search_delete AFTER DELETE ON cases BEGIN "
    "INSERT INTO case_search (case_search, rowid, body) "
    f"VALUES ('delete', old.rowid, {_INDEXED.format(r='old')}); "
    "END",
    "CREATE TRIGGER case_search_update AFTER UPDATE ON cases "
    "WHEN old.search_text IS NOT new.search_text OR old.rowid IS NOT new.rowid BEGIN "
    "INSERT INTO case_search (case_search, rowid, body) "
    f"VALUES ('delete', old.rowid, {_INDEXED.format(r='old')}); "
    f"INSERT INTO case_search (rowid, body) VALUES (new.rowid, {_INDEXED.format(r='new')}); "
    "END",
)


def upgrade() -> None:
    op.execute(
        "CREATE VIRTUAL TABLE case_search USING fts5("
        "body, content='', columnsize=0, tokenize='trigram case_sensitive 1')"
    )
    op.execute("CREATE VIRTUAL TABLE case_search_terms USING fts5vocab(case_search, 'instance')")
    op.execute("CREATE VIRTUAL TABLE case_search_counts USING fts5vocab(case_search, 'row')")
    op.execute(f"INSERT INTO case_search (rowid, body) SELECT rowid, {_INDEXED.format(r='cases')} FROM cases")
    for trigger in _TRIGGERS:
        op.execute(trigger)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS case_search_update")
    op.execute("DROP TRIGGER IF EXISTS case_search_delete")
    op.execute("DROP TRIGGER IF EXISTS case_search_insert")
    op.execute("DROP TABLE IF EXISTS case_search_counts")
    op.execute("DROP TABLE IF EXISTS case_search_terms")
    op.execute("DROP TABLE IF EXISTS case_search")
