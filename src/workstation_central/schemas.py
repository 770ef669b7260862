"""Wire shapes (pydantic): request bodies and responses of docs/CENTRAL.md."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

Sha256 = Field(pattern=r"^[0-9a-f]{64}$")
ReviewStatus = Literal["none", "submitted", "approved", "returned"]
ReferenceKind = Literal["statutes", "benchmarks", "officers", "holidays"]
REFERENCE_KINDS: tuple[str, ...] = ("statutes", "benchmarks", "officers", "holidays")


class Handshake(BaseModel):
    server: str
    api_version: str
    server_version: str
    min_client_version: str
    max_client_version: str
    instance_id: str
    high_water: int
    server_time: str
    #: Every row a feed serves carries a change number from the one counter ``high_water``
    #: reports: a feed read to its end at high water H has nothing new while it is still H.
    feeds_follow_high_water: bool = True


# ---------------------------------------------------------------- auth


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=200)
    device_id: str = Field(min_length=1, max_length=100)


class RefreshRequest(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=200)
    device_id: str = Field(min_length=1, max_length=100)


class OfficerOut(BaseModel):
    officer_id: str
    username: str
    name: str
    township_code: str
    township_name: str


class Tokens(BaseModel):
    token_type: Literal["Bearer"] = "Bearer"
    access_token: str
    access_expires_at: str
    expires_in: int
    refresh_token: str
    refresh_expires_at: str
    officer: OfficerOut


# ---------------------------------------------------------------- feeds


class ReferenceItemOut(BaseModel):
    kind: str
    id: str
    version: int
    updated_seq: int
    deleted: bool
    township_code: str | None
    payload: dict[str, Any] | None


class ReferencePage(BaseModel):
    items: list[ReferenceItemOut]
    next_cursor: str
    has_more: bool


# ---------------------------------------------------------------- cases


class UpdatedBy(BaseModel):
    officer_id: str | None
    device_id: str | None


class CaseOut(BaseModel):
    case_id: str
    township_code: str
    version: int
    updated_seq: int
    case_number: str | None
    review_status: ReviewStatus
    locked: bool
    fields: dict[str, Any]
    updated_at: str
    updated_by: UpdatedBy


class CaseUpload(BaseModel):
    base_version: int = Field(ge=0)
    fields: dict[str, Any]
    case_number: str | None = Field(default=None, min_length=1, max_length=200)


class ChangesPage(BaseModel):
    items: list[CaseOut]
    next_cursor: str
    has_more: bool


class FieldChangeIn(BaseModel):
    field: str
    old: Any
    new: Any


class EventIn(BaseModel):
    event_id: str = Field(min_length=1, max_length=36)
    seq: int = Field(ge=1)
    occurred_at: str = Field(min_length=1, max_length=40)
    actor_id: str | None = Field(default=None, max_length=36)
    actor_role: str = Field(max_length=20)
    action: str = Field(min_length=1, max_length=60)
    changes: list[FieldChangeIn]
    payload: dict[str, Any]
    prev_hash: str = Sha256
    hash: str = Sha256


class EventBatch(BaseModel):
    events: list[EventIn] = Field(min_length=1, max_length=500)


class EventBatchResult(BaseModel):
    accepted: int
    duplicates: int
    head_seq: int
    head_hash: str | None


class EventsPage(BaseModel):
    items: list[EventIn]
    head_seq: int
    head_hash: str | None
    has_more: bool


class AnchorIn(BaseModel):
    head_seq: int = Field(ge=1)
    head_hash: str = Sha256


class AnchorOut(BaseModel):
    case_id: str
    head_seq: int
    head_hash: str
    anchored_at: str


class AnchorList(BaseModel):
    items: list[AnchorOut]


#: The most heads one ``POST /v1/anchors`` may carry.
MAX_ANCHOR_BATCH = 500


class AnchorBatchItemIn(AnchorIn):
    """One head of ``POST /v1/anchors``; ``case_id`` is checked per item, like the single path."""

    case_id: str


class AnchorBatchIn(BaseModel):
    items: list[AnchorBatchItemIn] = Field(min_length=1, max_length=MAX_ANCHOR_BATCH)


class AnchorBatchAnchored(AnchorOut):
    """An item anchored now, or already anchored at that head with the same hash."""

    status: Literal["anchored"]


class AnchorBatchError(BaseModel):
    """An item refused with the error the single endpoint would answer for it."""

    case_id: str
    head_seq: int
    status: Literal["error"]
    code: str
    message: str
    details: dict[str, Any]


class AnchorBatchResult(BaseModel):
    items: list[Annotated[AnchorBatchAnchored | AnchorBatchError, Field(discriminator="status")]]


# ---------------------------------------------------------------- attachments


class UploadStart(BaseModel):
    sha256: str = Sha256
    size: int = Field(ge=0)
    filename: str = Field(min_length=1, max_length=400)
    media_type: str = Field(min_length=1, max_length=200)


class UploadOut(BaseModel):
    status: Literal["created", "resumed", "already_present", "open", "complete"]
    upload_id: str | None
    sha256: str
    size: int
    offset: int
    max_chunk_bytes: int


# ---------------------------------------------------------------- tasks


class TaskOut(BaseModel):
    id: str
    kind: Literal["clue", "task"]
    township_code: str
    title: str
    description: str
    location: str
    deadline: str | None
    source: str
    evidence_sha256: list[str]
    status: Literal["open", "accepted", "done"]
    case_id: str | None
    acked_by: str | None
    acked_at: str | None
    created_at: str
    version: int
    updated_seq: int


class TaskPage(BaseModel):
    items: list[TaskOut]
    next_cursor: str
    has_more: bool


class TaskAck(BaseModel):
    status: Literal["accepted", "done"]
    case_id: str | None = Field(default=None, min_length=1, max_length=36)


class TaskIn(BaseModel):
    township_code: str = Field(min_length=1, max_length=40)
    kind: Literal["clue", "task"] = "clue"
    title: str = Field(min_length=1, max_length=400)
    description: str = ""
    location: str = ""
    deadline: dt.date | None = None
    source: str = ""
    evidence_sha256: list[str] = Field(default_factory=list)


# ---------------------------------------------------------------- publications


class PublicationIn(BaseModel):
    case_id: str = Field(min_length=1, max_length=36)
    decision_number: str = Field(min_length=1, max_length=200)
    content: str = Field(min_length=1)
    published_on: dt.date


class NumberReserveIn(BaseModel):
    """A request for a block of serials; the ranges are checked by the service (``invalid_request``)."""

    series: str = Field(description="编号序列：案号为 case，文书为文书编号类别（如 罚决字）")
    year: int = Field(description="编号年份（四位数）")
    count: int = Field(description="申领的号数（1–200）")


class NumberBlockOut(BaseModel):
    series: str
    year: int
    first: int
    last: int
    township_code: str


class WithdrawIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class PublicationOut(BaseModel):
    id: str
    township_code: str
    case_id: str
    decision_number: str
    content: str | None
    published_on: str
    status: Literal["published", "withdrawn"]
    withdrawn_reason: str | None
    withdrawn_at: str | None
    created_at: str
    updated_seq: int


class PublicationPage(BaseModel):
    items: list[PublicationOut]
    next_cursor: str
    has_more: bool


# ---------------------------------------------------------------- administration


class TownshipIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)


class TownshipOut(BaseModel):
    code: str
    name: str


class OfficerIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    township_code: str = Field(min_length=1, max_length=40)
    password: str = Field(min_length=8, max_length=200)
    active: bool = True


class ReferenceIn(BaseModel):
    township_code: str | None = Field(default=None, max_length=40)
    payload: dict[str, Any]


class ReviewIn(BaseModel):
    review_status: ReviewStatus
    locked: bool
