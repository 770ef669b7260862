"""Attachments: chunked, resumable, SHA-256 checked, content-addressed, size-limited."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.central.helpers import sha256
from tests.central.server import CentralServer

pytestmark = pytest.mark.e2e

CHUNK = 64 * 1024
OCTET = {"Content-Type": "application/octet-stream"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CentralServer]:
    with CentralServer(
        tmp_path_factory.mktemp("attachments"), max_chunk_bytes=CHUNK, max_file_bytes=1024 * 1024
    ) as running:
        yield running


def _start(http: httpx.Client, data: bytes, name: str = "现场照片.jpg") -> httpx.Response:
    return http.post(
        "/v1/attachments",
        json={"sha256": sha256(data), "size": len(data), "filename": name, "media_type": "image/jpeg"},
    )


def _code(response: httpx.Response) -> str:
    code: str = response.json()["error"]["code"]
    return code


def test_chunked_upload_with_resume_then_download(server: CentralServer) -> None:
    data = os.urandom(CHUNK * 2 + 1000)
    with server.client() as http:
        started = _start(http, data)
        assert started.status_code == 201
        upload = started.json()
        assert upload["status"] == "created" and upload["offset"] == 0 and upload["max_chunk_bytes"] == CHUNK
        url = f"/v1/attachments/uploads/{upload['upload_id']}"
        first = http.put(url, params={"offset": 0}, content=data[:CHUNK], headers=OCTET)
        assert first.json()["offset"] == CHUNK

        # The connection drops; the client asks where to continue.
        resumed = _start(http, data)
        assert resumed.status_code == 200
        assert resumed.json()["status"] == "resumed" and resumed.json()["upload_id"] == upload["upload_id"]
        assert resumed.json()["offset"] == CHUNK
        head = http.head(url)
        assert head.headers["Upload-Offset"] == str(CHUNK) and head.headers["Upload-Length"] == str(len(data))
        assert http.get(url).json()["status"] == "open"

        wrong = http.put(url, params={"offset": 0}, content=data[:CHUNK], headers=OCTET)
        assert wrong.status_code == 409 and _code(wrong) == "offset_mismatch"
        assert wrong.json()["error"]["details"] == {"offset": CHUNK}
        early = http.post(f"{url}/complete")
        assert early.status_code == 409 and _code(early) == "upload_incomplete"

        http.put(
            url, params={"offset": CHUNK}, content=data[CHUNK : 2 * CHUNK], headers=OCTET
        ).raise_for_status()
        http.put(
            url, params={"offset": 2 * CHUNK}, content=data[2 * CHUNK :], headers=OCTET
        ).raise_for_status()
        done = http.post(f"{url}/complete")
        assert done.status_code == 200 and done.json()["status"] == "complete"
        assert http.post(f"{url}/complete").json()["status"] == "complete"  # idempotent

        download = http.get(f"/v1/attachments/{sha256(data)}")
        assert download.status_code == 200
        assert download.content == data
        assert download.headers["Content-Type"] == "image/jpeg"
        assert download.headers["ETag"] == f'"{sha256(data)}"'
        stored = server.storage_dir / "files" / sha256(data)[:2] / sha256(data)
        assert stored.read_bytes() == data

        present = _start(http, data, name="另一个名字.jpg")
        assert present.status_code == 200
        assert present.json() == {
            "status": "already_present",
            "upload_id": None,
            "sha256": sha256(data),
            "size": len(data),
            "offset": len(data),
            "max_chunk_bytes": CHUNK,
        }


def test_hash_mismatch_restarts_the_upload(server: CentralServer) -> None:
    data = os.urandom(5000)
    with server.client() as http:
        upload = _start(http, data).json()
        url = f"/v1/attachments/uploads/{upload['upload_id']}"
        http.put(url, params={"offset": 0}, content=os.urandom(5000), headers=OCTET).raise_for_status()
        mismatch = http.post(f"{url}/complete")
        assert mismatch.status_code == 422 and _code(mismatch) == "hash_mismatch"
        assert mismatch.json()["error"]["details"]["expected"] == sha256(data)
        assert http.get(url).json()["offset"] == 0
        http.put(url, params={"offset": 0}, content=data, headers=OCTET).raise_for_status()
        assert http.post(f"{url}/complete").json()["status"] == "complete"


def test_limits_and_content_type(server: CentralServer) -> None:
    data = os.urandom(CHUNK + 10)
    with server.client() as http:
        upload = _start(http, data).json()
        url = f"/v1/attachments/uploads/{upload['upload_id']}"
        big_chunk = http.put(url, params={"offset": 0}, content=data, headers=OCTET)
        assert big_chunk.status_code == 413 and _code(big_chunk) == "too_large"
        assert big_chunk.json()["error"]["details"] == {"limit": CHUNK}
        wrong_type = http.put(
            url, params={"offset": 0}, content=data[:100], headers={"Content-Type": "image/jpeg"}
        )
        assert wrong_type.status_code == 415 and _code(wrong_type) == "unsupported_media_type"
        http.put(url, params={"offset": 0}, content=data[:CHUNK], headers=OCTET).raise_for_status()
        beyond = http.put(url, params={"offset": CHUNK}, content=b"x" * 20, headers=OCTET)
        assert beyond.status_code == 413
        huge = http.post(
            "/v1/attachments",
            json={
                "sha256": "a" * 64,
                "size": 2 * 1024 * 1024,
                "filename": "录像.mp4",
                "media_type": "video/mp4",
            },
        )
        assert huge.status_code == 413 and _code(huge) == "too_large"
        bad_hash = http.post(
            "/v1/attachments", json={"sha256": "XYZ", "size": 1, "filename": "a", "media_type": "text/plain"}
        )
        assert bad_hash.status_code == 422
        assert http.get(f"/v1/attachments/{'0' * 64}").status_code == 404
        assert http.get("/v1/attachments/uploads/no-such-upload").status_code == 404


def test_files_stay_in_their_township_except_what_tasks_share(server: CentralServer) -> None:
    other = server.seed("330106003")
    data = os.urandom(3000)
    with server.client() as mine, server.client(other.officers[0].username) as theirs:
        upload = _start(mine, data).json()
        url = f"/v1/attachments/uploads/{upload['upload_id']}"
        mine.put(url, params={"offset": 0}, content=data, headers=OCTET).raise_for_status()
        assert theirs.get(url).status_code == 403
        mine.post(f"{url}/complete").raise_for_status()
        assert theirs.get(f"/v1/attachments/{sha256(data)}").status_code == 404
        # The seeded clue's evidence file is downloadable by its township.
        evidence = theirs.get(f"/v1/attachments/{other.evidence_sha256}")
        assert evidence.status_code == 200 and "非现场监测" in evidence.content.decode("utf-8")
        assert mine.get(f"/v1/attachments/{other.evidence_sha256}").status_code == 404


def test_partial_files_live_under_uploads(server: CentralServer) -> None:
    data = os.urandom(100)
    with server.client() as http:
        upload = _start(http, data).json()
        part = Path(server.storage_dir) / "uploads" / f"{upload['upload_id']}.part"
        http.put(
            f"/v1/attachments/uploads/{upload['upload_id']}",
            params={"offset": 0},
            content=data[:40],
            headers=OCTET,
        ).raise_for_status()
        assert part.read_bytes() == data[:40]
