"""Alembic revisions of the workstation's database (shipped as workstation.migrations)."""
