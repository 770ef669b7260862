"""Attachments: files stored once by content hash under the data directory's ``attachments/``.

The file is named by its sha256 (hex); it is written to a temporary file in the same folder,
flushed to disk and renamed into place, so a crash never leaves a partial file under a hash
name. The ``attachments`` row (unique ``sha256``) records size, media type, the original name
and the path relative to the data directory. Storing the same bytes again returns the
existing attachment.
"""

from __future__ import annotations

import contextlib
import hashlib
import mimetypes
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from workstation.domain.errors import NotFound
from workstation.domain.signature_ports import StoredAttachment
from workstation.persistence.models import AttachmentRow
from workstation.persistence.repositories import session_scope

FOLDER = "attachments"


class SqlAttachmentStore:
    """The ``attachments`` table and its files under ``root / "attachments"``."""

    def __init__(self, engine: Engine, root: Path) -> None:
        self._engine = engine
        self._root = root
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @property
    def folder(self) -> Path:
        return self._root / FOLDER

    @contextmanager
    def _session(self, commit: bool = False) -> Iterator[Session]:
        with session_scope(self._sessions, self._engine, commit=commit) as session:
            yield session

    def _stored(self, row: AttachmentRow) -> StoredAttachment:
        return StoredAttachment(
            id=row.id,
            sha256=row.sha256,
            size=row.size,
            media_type=row.media_type,
            original_name=row.original_name,
            path=self._root / row.stored_path,
        )

    def _write(self, sha256: str, data: bytes) -> str:
        relative = f"{FOLDER}/{sha256}"
        target = self._root / relative
        if target.is_file() and target.stat().st_size == len(data):
            return relative
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{sha256}.{uuid.uuid4().hex}.tmp")
        try:
            with tmp.open("wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        return relative

    def find(self, sha256: str) -> StoredAttachment | None:
        with self._session() as s:
            row = s.execute(select(AttachmentRow).where(AttachmentRow.sha256 == sha256)).scalar_one_or_none()
            return None if row is None else self._stored(row)

    def put(self, data: bytes, media_type: str, original_name: str) -> StoredAttachment:
        """Store ``data`` once by its sha256; the existing attachment when already stored."""
        sha256 = hashlib.sha256(data).hexdigest()
        relative = self._write(sha256, data)
        existing = self.find(sha256)
        if existing is not None:
            return existing
        try:
            with self._session(commit=True) as s:
                row = AttachmentRow(
                    id=str(uuid.uuid4()),
                    sha256=sha256,
                    size=len(data),
                    media_type=media_type,
                    original_name=original_name[:300],
                    stored_path=relative,
                )
                s.add(row)
                s.flush()
                return self._stored(row)
        except IntegrityError:  # stored by someone else meanwhile
            found = self.find(sha256)
            if found is None:
                raise
            return found

    def put_file(self, path: Path, media_type: str | None = None) -> StoredAttachment:
        """Store the file at ``path``; NotFound (Chinese) when it is not there."""
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise NotFound(
                f"无法读取文件：{path}（{exc.strerror or exc}）", "请确认文件存在且可以打开。"
            ) from exc
        kind = media_type or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return self.put(data, kind, path.name)

    def get(self, attachment_id: str) -> StoredAttachment:
        with self._session() as s:
            row = s.get(AttachmentRow, attachment_id)
            if row is None:
                raise NotFound(f"没有找到附件：{attachment_id}")
            return self._stored(row)
