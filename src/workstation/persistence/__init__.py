"""SQLite persistence: ORM models, engine, migrations runner and repositories.

ORM rows never leave this package; repositories return domain dataclasses.
"""
