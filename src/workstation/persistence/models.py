"""SQLAlchemy 2 models of the workstation's schema.

The schema itself is created only by the Alembic revisions in migrations/;
tests/db/test_migrations.py checks these models match what they build.
Primary keys are client-made UUID strings so records can be created offline
and synced without renumbering.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import (
    text as sql_text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: The publication date (公示) in a case's data, as the partial index ``ix_cases_published``
#: tests it; a query must test this very expression for SQLite to use the index.
PUBLISHED_ON = "json_extract(data, '$.published_on')"
#: "Not a training case" for queries driven by a narrower index: the unary ``+`` keeps SQLite
#: from walking an ``ix_cases_list_*`` index (which holds every case) for this test instead.
NOT_TRAINING = "+cases.is_training = 0"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class AgencyRow(Base):
    """执法主体."""

    __tablename__ = "agencies"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(String(12))
    is_sample: Mapped[bool] = mapped_column(Boolean, server_default=sql_text("0"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)
    row_version: Mapped[int] = mapped_column(Integer, server_default=sql_text("1"))


class OfficerRow(Base):
    """执法人员 and their 执法证."""

    __tablename__ = "officers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    certificate_no: Mapped[str] = mapped_column(String(40), unique=True)
    certificate_valid_from: Mapped[dt.date] = mapped_column(Date)
    certificate_valid_until: Mapped[dt.date] = mapped_column(Date)
    roles: Mapped[str] = mapped_column(String(100), server_default=sql_text("'officer'"))
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=sql_text("1"))
    is_sample: Mapped[bool] = mapped_column(Boolean, server_default=sql_text("0"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)
    row_version: Mapped[int] = mapped_column(Integer, server_default=sql_text("1"))


class PartyRow(Base):
    """当事人: natural person, organisation or other."""

    __tablename__ = "parties"
    __table_args__ = (
        Index(
            "uq_parties_id_number", "id_number", unique=True, sqlite_where=sql_text("id_number IS NOT NULL")
        ),
        Index(
            "uq_parties_credit_code",
            "credit_code",
            unique=True,
            sqlite_where=sql_text("credit_code IS NOT NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200), index=True)
    id_number: Mapped[str | None] = mapped_column(String(18))
    credit_code: Mapped[str | None] = mapped_column(String(18))
    legal_representative: Mapped[str | None] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(300), server_default=sql_text("''"))
    phone: Mapped[str | None] = mapped_column(String(30))
    is_sample: Mapped[bool] = mapped_column(Boolean, server_default=sql_text("0"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)
    row_version: Mapped[int] = mapped_column(Integer, server_default=sql_text("1"))


class EnforcementItemRow(Base):
    """执法事项 (catalogue entry)."""

    __tablename__ = "enforcement_items"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(300), index=True)
    department: Mapped[str] = mapped_column(String(100))
    violation_basis: Mapped[str] = mapped_column(Text, server_default=sql_text("''"))
    penalty_basis: Mapped[str] = mapped_column(Text, server_default=sql_text("''"))
    delegated_to_township: Mapped[bool] = mapped_column(Boolean, server_default=sql_text("1"))
    delegation_document: Mapped[str] = mapped_column(String(200), server_default=sql_text("''"))
    is_sample: Mapped[bool] = mapped_column(Boolean, server_default=sql_text("0"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)
    row_version: Mapped[int] = mapped_column(Integer, server_default=sql_text("1"))


class CaseRow(Base):
    """案件: inspection, simple or ordinary penalty procedure, coercive measure."""

    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("agency_id", "case_number"),
        # The case list sorts in SQL: one (is_training, column) index per sortable column lets
        # SQLite walk an index instead of sorting 100,000 rows.
        Index("ix_cases_list_opened_on", "is_training", "opened_on"),
        Index("ix_cases_list_case_number", "is_training", "case_number"),
        Index("ix_cases_list_title", "is_training", "title"),
        Index("ix_cases_list_party_names", "is_training", "party_names"),
        Index("ix_cases_list_stage", "is_training", "stage"),
        Index("ix_cases_list_lead_officer_name", "is_training", "lead_officer_name"),
        Index("ix_cases_list_next_deadline", "is_training", "next_deadline"),
        Index("ix_cases_list_warning_level", "is_training", "warning_level"),
        # The 公示 step reads the cases with a publication date alone (0012_sync_marks).
        Index("ix_cases_published", "id", sqlite_where=sql_text(f"{PUBLISHED_ON} IS NOT NULL")),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id", ondelete="RESTRICT"), index=True)
    case_number: Mapped[str | None] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(32))
    stage: Mapped[str] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(20), server_default=sql_text("'open'"))
    item_id: Mapped[str | None] = mapped_column(
        ForeignKey("enforcement_items.id", ondelete="RESTRICT"), index=True
    )
    lead_officer_id: Mapped[str | None] = mapped_column(
        ForeignKey("officers.id", ondelete="RESTRICT"), index=True
    )
    opened_on: Mapped[dt.date] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    data: Mapped[str] = mapped_column(Text, server_default=sql_text("'{}'"))
    #: For the case list (kept in step by the case services): 当事人 names, 承办人 name,
    #: the nearest open deadline and the highest warning level (0 none, 1 yellow, 2 red).
    party_names: Mapped[str] = mapped_column(String(400), server_default=sql_text("''"))
    lead_officer_name: Mapped[str] = mapped_column(String(100), server_default=sql_text("''"))
    next_deadline: Mapped[dt.date | None] = mapped_column(Date)
    warning_level: Mapped[int] = mapped_column(Integer, server_default=sql_text("0"))
    #: 案号, 案由 and 当事人 in one lower-case text, so the list's filter scans one column.
    search_text: Mapped[str] = mapped_column(Text, server_default=sql_text("''"))
    is_training: Mapped[bool] = mapped_column(Boolean, server_default=sql_text("0"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)
    row_version: Mapped[int] = mapped_column(Integer, server_default=sql_text("1"))


class CasePartyRow(Base):
    __tablename__ = "case_parties"

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    party_id: Mapped[str] = mapped_column(
        ForeignKey("parties.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(20), server_default=sql_text("'party'"))


class CaseOfficerRow(Base):
    __tablename__ = "case_officers"

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    officer_id: Mapped[str] = mapped_column(
        ForeignKey("officers.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(20), server_default=sql_text("'assist'"))


class CaseEventRow(Base):
    """全过程记录: append-only, hash-chained per case (triggers forbid UPDATE/DELETE)."""

    __tablename__ = "case_events"
    __table_args__ = (UniqueConstraint("case_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="RESTRICT"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime)
    actor_id: Mapped[str | None] = mapped_column(String(36))
    actor_role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(60))
    payload: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AttachmentRow(Base):
    """A file stored once by content hash under the data directory."""

    __tablename__ = "attachments"
    #: The attachment lane starts from the files not uploaded yet (0012_sync_marks).
    __table_args__ = (Index("ix_attachments_not_uploaded", "id", sqlite_where=sql_text("uploaded = 0")),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(100))
    original_name: Mapped[str] = mapped_column(String(300))
    stored_path: Mapped[str] = mapped_column(String(400))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    uploaded: Mapped[bool] = mapped_column(Boolean, server_default=sql_text("0"))


class EvidenceRow(Base):
    """证据 of the eight types of 《行政处罚法》第四十六条."""

    __tablename__ = "evidence"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, server_default=sql_text("''"))
    collected_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    collected_by: Mapped[str | None] = mapped_column(ForeignKey("officers.id", ondelete="RESTRICT"))
    attachment_id: Mapped[str | None] = mapped_column(
        ForeignKey("attachments.id", ondelete="RESTRICT"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class DocumentRow(Base):
    """执法文书 issued in a case."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("agency_id", "doc_type", "year", "serial"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="RESTRICT"), index=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id", ondelete="RESTRICT"))
    doc_type: Mapped[str] = mapped_column(String(60))
    year: Mapped[int | None] = mapped_column(Integer)
    serial: Mapped[int | None] = mapped_column(Integer)
    number: Mapped[str | None] = mapped_column(String(80), index=True)
    status: Mapped[str] = mapped_column(String(20), server_default=sql_text("'draft'"))
    content_hash: Mapped[str | None] = mapped_column(String(64))
    # 0007_documents: the issued document (persistence/documents.py)
    title: Mapped[str | None] = mapped_column(String(200))
    number_kind: Mapped[str | None] = mapped_column(String(60))
    issued_on: Mapped[dt.date | None] = mapped_column(Date)
    path: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[str | None] = mapped_column(Text)
    pdf_hash: Mapped[str | None] = mapped_column(String(64))
    attachment_id: Mapped[str | None] = mapped_column(
        ForeignKey("attachments.id", ondelete="RESTRICT"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)


class SignatureRow(Base):
    """签名 on a 执法文书, or a refusal to sign with its witness or photo/video (0008_signatures)."""

    __tablename__ = "signatures"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="RESTRICT"), index=True)
    document_code: Mapped[str] = mapped_column(String(60))
    role: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100), server_default=sql_text("''"))
    attachment_id: Mapped[str | None] = mapped_column(
        ForeignKey("attachments.id", ondelete="RESTRICT"), index=True
    )
    refused: Mapped[bool] = mapped_column(Boolean, server_default=sql_text("0"))
    witness: Mapped[str] = mapped_column(String(100), server_default=sql_text("''"))
    evidence_attachment_id: Mapped[str | None] = mapped_column(
        ForeignKey("attachments.id", ondelete="RESTRICT"), index=True
    )
    signed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class SyncOutboxRow(Base):
    """An operation waiting for the central server's acknowledgement."""

    __tablename__ = "sync_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    op_id: Mapped[str] = mapped_column(String(36), unique=True)
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(36), index=True)
    operation: Mapped[str] = mapped_column(String(20))
    payload: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), server_default=sql_text("'pending'"), index=True)
    attempts: Mapped[int] = mapped_column(Integer, server_default=sql_text("0"))
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    # 0009_sync: the event an event operation carries, the version an upsert was fixed against,
    # and when the body (``payload``, never changed after it) was first sent.
    ref_id: Mapped[str | None] = mapped_column(String(36))
    seq: Mapped[int | None] = mapped_column(Integer)
    if_match: Mapped[str | None] = mapped_column(String(20))
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class SyncCursorRow(Base):
    """How far each pulled stream has been applied."""

    __tablename__ = "sync_cursors"

    stream: Mapped[str] = mapped_column(String(60), primary_key=True)
    cursor: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)
    #: The server's ``high_water`` when the stream was last read to its end (0012_sync_marks);
    #: cleared by any new cursor.
    read_to: Mapped[int | None] = mapped_column(Integer)


# ------------------------------------------------------------------ statute library


class LawRow(Base):
    """A law (法律、法规、规章、司法解释…), identified by its full title."""

    __tablename__ = "laws"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    #: Small integer key used by the search index (article_keys.law_no).
    no: Mapped[int] = mapped_column(Integer, unique=True)
    title: Mapped[str] = mapped_column(String(300), unique=True)
    level: Mapped[str] = mapped_column(String(20), index=True)
    #: LawLevel.rank: 0 for the constitution, larger for lower levels (for ranking).
    level_rank: Mapped[int] = mapped_column(Integer, server_default=sql_text("9"))
    category: Mapped[str] = mapped_column(String(60), server_default=sql_text("''"))
    region: Mapped[str] = mapped_column(String(40), server_default=sql_text("''"))
    issuing_body: Mapped[str] = mapped_column(String(200), server_default=sql_text("''"))


class LawAliasRow(Base):
    """Names a law is cited by: 行政处罚法, 处罚法 …"""

    __tablename__ = "law_aliases"

    alias: Mapped[str] = mapped_column(String(300), primary_key=True)
    law_id: Mapped[str] = mapped_column(
        ForeignKey("laws.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class LawVersionRow(Base):
    """One version of a law (修订/修正 date), with the status the source gave or that was derived."""

    __tablename__ = "law_versions"
    __table_args__ = (UniqueConstraint("law_id", "version_key"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    #: Small integer key used by the search index (article_keys.version_no).
    no: Mapped[int] = mapped_column(Integer, unique=True)
    law_id: Mapped[str] = mapped_column(ForeignKey("laws.id", ondelete="CASCADE"), index=True)
    version_key: Mapped[str] = mapped_column(String(20))
    version_date: Mapped[dt.date | None] = mapped_column(Date)
    effective_date: Mapped[dt.date | None] = mapped_column(Date)
    source_status: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)
    superseded_on: Mapped[dt.date | None] = mapped_column(Date)
    repealed_on: Mapped[dt.date | None] = mapped_column(Date)
    is_latest: Mapped[bool] = mapped_column(Boolean, server_default=sql_text("0"))
    history: Mapped[str] = mapped_column(Text, server_default=sql_text("'[]'"))


class LawSourceRow(Base):
    """One imported file (or pack entry): what makes re-import idempotent."""

    __tablename__ = "law_sources"
    __table_args__ = (UniqueConstraint("kind", "source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version_id: Mapped[str] = mapped_column(ForeignKey("law_versions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(500))
    content_hash: Mapped[str] = mapped_column(String(64))
    subtitle: Mapped[str] = mapped_column(String(200), server_default=sql_text("''"))
    preamble: Mapped[str] = mapped_column(Text, server_default=sql_text("''"))
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class ArticleRow(Base):
    """An article; its text keeps 款 and 项 on separate lines (项 lines start with （N）)."""

    __tablename__ = "articles"
    __table_args__ = (Index("ix_articles_version_number", "version_id", "number", "suffix"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version_id: Mapped[str] = mapped_column(ForeignKey("law_versions.id", ondelete="CASCADE"))
    source_id: Mapped[int] = mapped_column(ForeignKey("law_sources.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    suffix: Mapped[int] = mapped_column(Integer, server_default=sql_text("0"))
    path: Mapped[str] = mapped_column(Text, server_default=sql_text("''"))
    text: Mapped[str] = mapped_column(Text)
    #: One letter per text line: P starts a 款, I a 项, C continues (library/store.py article_layout).
    layout: Mapped[str] = mapped_column(Text, server_default=sql_text("''"))
    line: Mapped[int] = mapped_column(Integer, server_default=sql_text("0"))


class IndexBlockRow(Base):
    """One law version's place in the full-text index, in ranking order.

    The index gives each article the rowid ``block_no << 16 | position``, where blocks are
    numbered by tier (0 latest and in force, 1 latest but not in force, 2 historical), then
    level (宪法 first), then law. FTS5 returns matches in rowid order, so the first matches
    are the best-ranked ones and a GROUP BY over ``rowid >> 16`` counts hits per version
    without touching any other table.
    """

    __tablename__ = "index_blocks"

    block_no: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version_no: Mapped[int] = mapped_column(Integer, unique=True)
    law_no: Mapped[int] = mapped_column(Integer)
    tier: Mapped[int] = mapped_column(Integer)
    level_rank: Mapped[int] = mapped_column(Integer)


class ArticleKeyRow(Base):
    """Full-text index rowid -> article (rebuilt with the index)."""

    __tablename__ = "article_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    article_id: Mapped[int] = mapped_column(Integer, unique=True)


class LibraryMetaRow(Base):
    """Small facts about the library: index generation, whether the index needs rebuilding."""

    __tablename__ = "library_meta"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class AnnexRow(Base):
    """附件/附表/tables that are not articles, kept as text."""

    __tablename__ = "law_annexes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("law_sources.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    line: Mapped[int] = mapped_column(Integer, server_default=sql_text("0"))


class ImportProblemRow(Base):
    """A fragment an importer could not parse (file and line), for the import report."""

    __tablename__ = "law_import_problems"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("law_sources.id", ondelete="CASCADE"), index=True)
    line: Mapped[int] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text)
    fragment: Mapped[str] = mapped_column(Text, server_default=sql_text("''"))


class FavouriteLawRow(Base):
    """找法 favourites and recently viewed laws."""

    __tablename__ = "law_favourites"

    law_id: Mapped[str] = mapped_column(ForeignKey("laws.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)  # favourite | recent
    touched_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


# ------------------------------------------------------------------ numbering


class NumberSequenceRow(Base):
    """The last serial issued per agency, kind (``case`` or a document type) and year.

    Serials are issued by an upsert in the caller's transaction (persistence/numbering.py);
    triggers forbid deleting a row or lowering ``last``, so an issued number is never
    issued again.
    """

    __tablename__ = "number_sequences"

    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id", ondelete="RESTRICT"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(60), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer)


class NumberVoidRow(Base):
    """An issued number that was voided (作废): append-only, never issued again.

    A trigger refuses a serial above the sequence's ``last`` (a number never issued).
    """

    __tablename__ = "number_voids"

    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id", ondelete="RESTRICT"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(60), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    serial: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    reason: Mapped[str] = mapped_column(Text)
    voided_at: Mapped[dt.datetime] = mapped_column(DateTime)
    voided_by: Mapped[str] = mapped_column(String(36))


class NumberBlockRow(Base):
    """Serials ``first`` … ``last`` of an agency, kind and year reserved from the central server.

    ``next`` is the next serial to issue (``last + 1`` once used up); ``source`` is the
    reservation's idempotency key. Triggers (migration 0011) keep blocks from being deleted,
    changed (but ``next``, forward only) or overlapping.
    """

    __tablename__ = "number_blocks"
    __table_args__ = (UniqueConstraint("source"),)

    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id", ondelete="RESTRICT"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(60), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    first: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer)
    next: Mapped[int] = mapped_column(Integer)
    reserved_at: Mapped[dt.datetime] = mapped_column(DateTime)
    source: Mapped[str] = mapped_column(String(100))


class NumberReservationRow(Base):
    """A block asked for and not stored yet: its idempotency key, written before the request."""

    __tablename__ = "number_reservations"
    __table_args__ = (UniqueConstraint("agency_id", "kind", "year"),)

    idempotency_key: Mapped[str] = mapped_column(String(100), primary_key=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(60))
    year: Mapped[int] = mapped_column(Integer, autoincrement=False)
    count: Mapped[int] = mapped_column(Integer)
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime)


# ------------------------------------------------------------------ 裁量基准


class BenchmarkRow(Base):
    """A 裁量基准 as imported; ``payload`` is the benchmark in the workstation-discretion JSON format."""

    __tablename__ = "benchmarks"

    id: Mapped[str] = mapped_column(String(60), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    level: Mapped[str] = mapped_column(String(20))  # BenchmarkLevel: province | city | county
    parent_id: Mapped[str | None] = mapped_column(String(60))
    version: Mapped[str] = mapped_column(String(60))
    publisher: Mapped[str] = mapped_column(String(200))
    document_number: Mapped[str] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(100), server_default=sql_text("''"))
    effective_on: Mapped[dt.date | None] = mapped_column(Date)
    is_sample: Mapped[bool] = mapped_column(Boolean, server_default=sql_text("0"))
    payload: Mapped[str] = mapped_column(Text)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime)
    row_version: Mapped[int] = mapped_column(Integer, server_default=sql_text("1"))


class BenchmarkItemRow(Base):
    """One 执法事项 of a benchmark, with the lower-cased text the 事项 search matches."""

    __tablename__ = "benchmark_items"

    benchmark_id: Mapped[str] = mapped_column(
        ForeignKey("benchmarks.id", ondelete="CASCADE"), primary_key=True
    )
    item_code: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)
    name: Mapped[str] = mapped_column(String(300))
    department: Mapped[str] = mapped_column(String(200))
    search_text: Mapped[str] = mapped_column(Text, server_default=sql_text("''"))


# ------------------------------------------------------------------ sync (0009_sync)


class SyncCaseRow(Base):
    """Per case: the server's version, the merge base and the server-owned fields."""

    __tablename__ = "sync_cases"
    __table_args__ = (
        Index("ix_sync_cases_updated_seq", "updated_seq"),
        Index(
            "ix_sync_cases_unanchored",
            "case_id",
            sqlite_where=sql_text("server_head_seq != anchored_seq"),
        ),
    )

    case_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    server_version: Mapped[int] = mapped_column(Integer, server_default=sql_text("0"))
    #: canonical JSON of the case fields last agreed with the server (the three-way merge base).
    base: Mapped[str | None] = mapped_column(Text)
    case_number: Mapped[str | None] = mapped_column(String(60))
    review_status: Mapped[str] = mapped_column(String(20), server_default=sql_text("'none'"))
    locked: Mapped[bool] = mapped_column(Boolean, server_default=sql_text("0"))
    updated_seq: Mapped[int] = mapped_column(Integer, server_default=sql_text("0"))
    server_head_seq: Mapped[int] = mapped_column(Integer, server_default=sql_text("0"))
    server_head_hash: Mapped[str | None] = mapped_column(String(64))
    synced_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: The head last anchored on the server (0012_sync_marks): ``ix_sync_cases_unanchored``
    #: holds the cases whose server head is another one.
    anchored_seq: Mapped[int] = mapped_column(Integer, server_default=sql_text("0"))


class SyncConflictRow(Base):
    """冲突待处理: one field changed differently here and on the server."""

    __tablename__ = "sync_conflicts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(36))
    field: Mapped[str] = mapped_column(String(200))
    base: Mapped[str | None] = mapped_column(Text)
    local: Mapped[str | None] = mapped_column(Text)
    remote: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), server_default=sql_text("'open'"))
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class SyncQuarantineRow(Base):
    """Why the server refused an outbox operation (which stays in sync_outbox, quarantined)."""

    __tablename__ = "sync_quarantine"

    op_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(36))
    reason_code: Mapped[str] = mapped_column(String(60))
    reason: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, server_default=sql_text("0"))
    quarantined_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class SyncAttachmentRow(Base):
    """The attachment lane: one file (by sha256) on its way to the server."""

    __tablename__ = "sync_attachments"
    #: The lane reads the files still on their way alone (0012_sync_marks).
    __table_args__ = (
        Index(
            "ix_sync_attachments_waiting",
            "updated_at",
            "sha256",
            sqlite_where=sql_text("state != 'done'"),
        ),
    )

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(20), server_default=sql_text("'pending'"))
    upload_id: Mapped[str | None] = mapped_column(String(100))
    uploaded_bytes: Mapped[int] = mapped_column(Integer, server_default=sql_text("0"))
    attempts: Mapped[int] = mapped_column(Integer, server_default=sql_text("0"))
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)


class SyncTaskRow(Base):
    """A task or clue pushed by the platform (发现—推送—处理), kept for the 工作台."""

    __tablename__ = "sync_tasks"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20))
    deadline: Mapped[str | None] = mapped_column(String(10))
    case_id: Mapped[str | None] = mapped_column(String(36))
    payload: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    updated_seq: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class SyncRemoteEventRow(Base):
    """A server event that does not continue this machine's 全过程记录 (kept, never dropped)."""

    __tablename__ = "sync_remote_events"

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(36))
    seq: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class SyncMetaRow(Base):
    """Key/value facts of the sync: device id, server instance id, high-water mark."""

    __tablename__ = "sync_meta"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# ------------------------------------------------------------------ sync steps (0010_sync_steps)


class SyncReferenceItemRow(Base):
    """A reference item (officer, holiday table, 裁量基准 pack, statute pack) as last received."""

    __tablename__ = "sync_reference_items"

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    updated_seq: Mapped[int] = mapped_column(Integer)
    deleted: Mapped[bool] = mapped_column(Boolean, server_default=sql_text("0"))
    township_code: Mapped[str | None] = mapped_column(String(32))
    #: canonical JSON of the item's payload (NULL when deleted).
    payload: Mapped[str | None] = mapped_column(Text)
    #: ``applied``, ``deleted`` or ``refused`` (with ``reason``, Chinese).
    state: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    #: The local row the item became (an officer's id, a benchmark id …).
    target_id: Mapped[str | None] = mapped_column(String(60))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class SyncPublicationRow(Base):
    """The 公示 of a case's decision (《行政处罚法》第四十八条) on the central server."""

    __tablename__ = "sync_publications"

    case_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(36))
    decision_number: Mapped[str] = mapped_column(String(80))
    published_on: Mapped[dt.date] = mapped_column(Date)
    content: Mapped[str] = mapped_column(Text)
    publication_id: Mapped[str | None] = mapped_column(String(100))
    #: ``pending`` (arguments fixed, not acknowledged), ``published``, ``withdrawn``, ``refused``.
    status: Mapped[str] = mapped_column(String(20))
    withdraw_reason: Mapped[str | None] = mapped_column(Text)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)


class SyncAnchorRow(Base):
    """A 全过程记录 chain head anchored on the server, or refused as not matching (an alarm)."""

    __tablename__ = "sync_anchors"

    case_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    head_seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    head_hash: Mapped[str] = mapped_column(String(64))
    #: ``anchored`` or ``mismatch``.
    state: Mapped[str] = mapped_column(String(20))
    server_head_seq: Mapped[int | None] = mapped_column(Integer)
    server_head_hash: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    anchored_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class SyncTaskCaseRow(Base):
    """The case made from a pushed task or clue, and when the server acknowledged it."""

    __tablename__ = "sync_task_cases"
    #: The acknowledgement step reads the links not reported done alone (0012_sync_marks).
    __table_args__ = (
        Index(
            "ix_sync_task_cases_unfinished", "created_at", "task_id", sqlite_where=sql_text("done_at IS NULL")
        ),
    )

    task_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(36))
    accepted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
