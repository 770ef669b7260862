"""The reference central server (中心平台) that workstations sync with; docs/CENTRAL.md.

A separate package: the desktop app never imports it. FastAPI over SQLAlchemy 2 (SQLite by
default, PostgreSQL supported).
"""

__version__ = "0.1.0"
SERVER_NAME = "workstation-central"
API_VERSION = "1"
