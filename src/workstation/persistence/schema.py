"""The schema revision this code expects, known without importing Alembic.

Start-up compares the database's revision with :data:`HEAD_REVISION` and
imports Alembic only when they differ. tests/db/test_migrations.py checks
that this constant is Alembic's single head; a new revision updates it.
"""

HEAD_REVISION = "0012_sync_marks"
