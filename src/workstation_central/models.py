"""The central server's tables (its own schema, unrelated to the desktop app's database).

Times are ISO 8601 strings in UTC with microseconds (fixed width, so they sort as text).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: The schema this code writes; a database with a larger number is refused.
SCHEMA_VERSION = 1


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class SchemaVersion(Base):
    __tablename__ = "schema_version"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)


class ServerMeta(Base):
    __tablename__ = "server_meta"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class Counter(Base):
    """The server-wide change sequence (name ``seq``); ``value`` is the high-water mark."""

    __tablename__ = "counters"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class Township(Base):
    __tablename__ = "townships"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class Officer(Base):
    __tablename__ = "officers"
    officer_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    township_code: Mapped[str] = mapped_column(ForeignKey("townships.code"))
    password_salt: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class LoginSession(Base):
    __tablename__ = "login_sessions"
    session_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    officer_id: Mapped[str] = mapped_column(ForeignKey("officers.officer_id"))
    device_id: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[str] = mapped_column(String(40))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class Token(Base):
    """An access or refresh token, stored only as the SHA-256 of the token."""

    __tablename__ = "tokens"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("login_sessions.session_id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    expires_at: Mapped[str] = mapped_column(String(40))
    used: Mapped[bool] = mapped_column(Boolean, default=False)


class ReferenceItem(Base):
    __tablename__ = "reference_items"
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    township_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    version: Mapped[int] = mapped_column(Integer)
    updated_seq: Mapped[int] = mapped_column(Integer, index=True)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class CaseRow(Base):
    __tablename__ = "cases"
    case_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    township_code: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    updated_seq: Mapped[int] = mapped_column(Integer, index=True)
    case_number: Mapped[str | None] = mapped_column(String(200), nullable=True)
    review_status: Mapped[str] = mapped_column(String(20), default="none")
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[str] = mapped_column(String(40))
    updated_by_officer: Mapped[str | None] = mapped_column(String(36), nullable=True)
    updated_by_device: Mapped[str | None] = mapped_column(String(100), nullable=True)

    __table_args__ = (Index("ix_cases_township_seq", "township_code", "updated_seq"),)


class CaseVersion(Base):
    """Every stored version of a case (history; the feed serves only the latest)."""

    __tablename__ = "case_versions"
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    base_version: Mapped[int] = mapped_column(Integer)
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)
    case_number: Mapped[str | None] = mapped_column(String(200), nullable=True)
    stored_at: Mapped[str] = mapped_column(String(40))
    officer_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    device_id: Mapped[str | None] = mapped_column(String(100), nullable=True)


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_records"
    officer_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(400))
    request_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    response_body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(String(40))


class CaseEventRow(Base):
    __tablename__ = "case_events"
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    hash: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)  # canonical JSON of the event as sent


class AnchorRow(Base):
    __tablename__ = "anchors"
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id"), primary_key=True)
    head_seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    head_hash: Mapped[str] = mapped_column(String(64))
    anchored_at: Mapped[str] = mapped_column(String(40))


class AttachmentRow(Base):
    __tablename__ = "attachments"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    filename: Mapped[str] = mapped_column(String(400))
    media_type: Mapped[str] = mapped_column(String(200))
    stored_at: Mapped[str] = mapped_column(String(40))


class AttachmentOwner(Base):
    """Which townships may download a file."""

    __tablename__ = "attachment_owners"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    township_code: Mapped[str] = mapped_column(String(40), primary_key=True)


class UploadRow(Base):
    __tablename__ = "uploads"
    upload_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    township_code: Mapped[str] = mapped_column(String(40))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    filename: Mapped[str] = mapped_column(String(400))
    media_type: Mapped[str] = mapped_column(String(200))
    offset: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[str] = mapped_column(String(40))


class TaskRow(Base):
    __tablename__ = "tasks"
    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    township_code: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(400))
    description: Mapped[str] = mapped_column(Text)
    location: Mapped[str] = mapped_column(String(400))
    deadline: Mapped[str | None] = mapped_column(String(40), nullable=True)
    source: Mapped[str] = mapped_column(String(200))
    evidence_sha256: Mapped[list[Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default="open")
    case_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    acked_by: Mapped[str | None] = mapped_column(String(36), nullable=True)
    acked_at: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_at: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    updated_seq: Mapped[int] = mapped_column(Integer, index=True)


class PublicationRow(Base):
    __tablename__ = "publications"
    publication_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    township_code: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[str] = mapped_column(String(36))
    decision_number: Mapped[str] = mapped_column(String(200))
    content: Mapped[str | None] = mapped_column(Text, nullable=True)
    published_on: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10))
    withdrawn_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    withdrawn_at: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_at: Mapped[str] = mapped_column(String(40))
    updated_seq: Mapped[int] = mapped_column(Integer, index=True)


class NumberSeriesRow(Base):
    """The last serial handed out per township, series (案号 or a 文书 kind) and year."""

    __tablename__ = "number_series"
    township_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    series: Mapped[str] = mapped_column(String(60), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer)


class NumberBlockRow(Base):
    """A block of serials reserved by an officer's device; blocks never overlap."""

    __tablename__ = "number_blocks"
    township_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    series: Mapped[str] = mapped_column(String(60), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    first: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer)
    officer_id: Mapped[str] = mapped_column(String(36))
    device_id: Mapped[str] = mapped_column(String(100))
    reserved_at: Mapped[str] = mapped_column(String(40))
