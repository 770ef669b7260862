"""签名 on a real database: PNGs stored once by content hash, records listed per document,
refusals (拒签) need a witness or photo/video, each signature or refusal is one 全过程记录 event
written with its row (a failure writes neither), and the 签名 block appended to a rendered
执法文书."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QColor, QImage, QImageWriter, QPainter, QPen
from sqlalchemy import text

from workstation.app import Core
from workstation.documents.signatures import SignatureMark, append_signatures
from workstation.domain.errors import InvalidInput, NotFound
from workstation.persistence.attachments import SqlAttachmentStore
from workstation.persistence.case_events import SqlCaseEventStore
from workstation.persistence.cases import SqlCaseStore
from workstation.persistence.documents import SqlDocumentStore
from workstation.persistence.numbering import allocate
from workstation.persistence.signatures import SqlSignatureStore
from workstation.services.documents import DocumentService
from workstation.services.signatures import SignatureService
from workstation.services.workflows import bundled_workflows

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "resources" / "templates"
SIMPLE = "店外占道经营影响市容（简易程序）（示例）"
LEAD = "49bf81a3-a552-5e7c-872e-72e52c276398"  # 林建华（示例）
CODE = "on_spot_decision"


def _png() -> bytes:
    """A small signature-like PNG (made without a QApplication: QImage + QPainter only)."""
    image = QImage(200, 80, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setPen(QPen(QColor(0, 0, 0), 4))
    painter.drawLine(10, 60, 190, 20)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    QImageWriter(buffer, QByteArray(b"png")).write(image)
    buffer.close()
    return bytes(data.data())


@pytest.fixture
def seeded(core: Core) -> Core:
    core.office.seed_demo(with_cases=True)
    return core


def _case_id(core: Core) -> str:
    with core.database.engine.connect() as conn:
        return str(conn.execute(text("SELECT id FROM cases WHERE title = :t"), {"t": SIMPLE}).scalar_one())


def _cases(core: Core) -> SqlCaseStore:
    engine = core.database.engine
    return SqlCaseStore(engine, SqlCaseEventStore(engine), allocate)


def _service(core: Core) -> tuple[SignatureService, SqlAttachmentStore]:
    engine = core.database.engine
    attachments = SqlAttachmentStore(engine, core.paths.root)
    return SignatureService(attachments, SqlSignatureStore(engine), now=core.clock.now), attachments


def _signature(**changes: object) -> dict[str, object]:
    value: dict[str, object] = {
        "role": "party",
        "name": "赵小二",
        "png": _png(),
        "refused": False,
        "witness": "",
        "evidence_path": "",
    }
    value.update(changes)
    return value


def test_same_png_is_stored_once_by_hash(seeded: Core) -> None:
    service, attachments = _service(seeded)
    case_id = _case_id(seeded)
    first = service.add(case_id, CODE, _signature()).value
    second = service.add(case_id, CODE, _signature(role="officer", name="张明")).value
    assert first.attachment_id is not None
    assert second.attachment_id == first.attachment_id
    stored = attachments.get(first.attachment_id)
    digest = hashlib.sha256(_png()).hexdigest()
    assert stored.sha256 == digest
    assert stored.path == seeded.paths.root / "attachments" / digest
    assert stored.path.read_bytes() == _png()
    assert not list(stored.path.parent.glob("*.tmp"))
    with sqlite3.connect(seeded.database.path) as conn:
        assert conn.execute("SELECT count(*) FROM attachments WHERE sha256 = ?", (digest,)).fetchone() == (1,)


def test_records_are_listed_per_document(seeded: Core) -> None:
    service, _ = _service(seeded)
    case_id = _case_id(seeded)
    service.add(case_id, CODE, _signature())
    service.add(case_id, CODE, _signature(role="officer", name="张明"))
    listed = service.for_document(case_id, CODE).value
    assert [(r.role_label, r.name) for r in listed] == [("当事人", "赵小二"), ("执法人员", "张明")]
    assert all(r.case_id == case_id and not r.refused for r in listed)
    assert service.for_document(case_id, "closing_approval").value == []


def test_refusal_without_witness_or_evidence_is_refused_in_chinese(seeded: Core) -> None:
    service, _ = _service(seeded)
    case_id = _case_id(seeded)
    with pytest.raises(InvalidInput, match="见证人") as caught:
        service.add(case_id, CODE, _signature(refused=True, png=None))
    assert "第八十九条" in caught.value.message
    with pytest.raises(InvalidInput, match="还没有签名"):
        service.add(case_id, CODE, _signature(png=None))
    assert service.for_document(case_id, CODE).value == []


def test_refusal_with_witness_and_evidence_is_stored(seeded: Core, tmp_path: Path) -> None:
    service, attachments = _service(seeded)
    case_id = _case_id(seeded)
    photo = tmp_path / "拒签.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 a photo of the refusal")
    record = service.add(
        case_id, CODE, _signature(refused=True, png=None, witness="钱见证", evidence_path=str(photo))
    ).value
    assert record.refused and record.witness == "钱见证" and record.attachment_id is None
    assert record.evidence_attachment_id is not None
    evidence = attachments.get(record.evidence_attachment_id)
    assert evidence.media_type == "image/jpeg" and evidence.original_name == "拒签.jpg"
    (mark,) = service.marks(case_id, CODE).value
    assert mark.refused and mark.evidence_sha256 == hashlib.sha256(photo.read_bytes()).hexdigest()


def test_append_signatures_to_a_rendered_document(seeded: Core, tmp_path: Path) -> None:
    engine = seeded.database.engine
    documents = DocumentService(
        _cases(seeded), SqlDocumentStore(engine), bundled_workflows(), seeded.clock.today, templates=TEMPLATES
    )
    out = documents.render(_case_id(seeded), CODE, tmp_path / "decision.docx").value.path
    service, _ = _service(seeded)
    case_id = _case_id(seeded)
    service.add(case_id, CODE, _signature())
    service.add(case_id, CODE, _signature(role="party", name="", refused=True, png=None, witness="钱见证"))
    marks = service.marks(case_id, CODE).value
    before = len(docx.Document(str(out)).inline_shapes)

    append_signatures(out, marks)

    document = docx.Document(str(out))
    texts = [p.text for p in document.paragraphs]
    start = texts.index("签名")
    block = texts[start:]
    assert block[1].startswith("当事人：赵小二")
    assert block[2] == "当事人拒绝签字，见证人：钱见证"
    assert len(document.inline_shapes) == before + 1
    fonts = document.paragraphs[start].runs[0].element.xpath("./w:rPr/w:rFonts")
    assert [f.get(qn("w:eastAsia")) for f in fonts] == ["仿宋_GB2312"]
    assert not list(out.parent.glob(".*.tmp"))


def test_refusal_text_with_evidence_names_the_hash() -> None:
    from workstation.documents.signatures import refusal_text

    mark = SignatureMark(role="当事人", name="", refused=True, evidence_sha256="abcdef0123456789")
    assert refusal_text(mark) == "拒签，已拍照留存（文件哈希前8位：abcdef01）"


def _counts(core: Core, case_id: str) -> tuple[int, int]:
    with sqlite3.connect(core.database.path) as conn:
        (signatures,) = conn.execute(
            "SELECT count(*) FROM signatures WHERE case_id = ?", (case_id,)
        ).fetchone()
        (events,) = conn.execute("SELECT count(*) FROM case_events WHERE case_id = ?", (case_id,)).fetchone()
    return int(signatures), int(events)


def test_a_signature_is_one_event_in_the_record(seeded: Core) -> None:
    service, _ = _service(seeded)
    case_id = _case_id(seeded)
    before = _cases(seeded).events(case_id)
    record = service.acting_as(lambda: LEAD).add(case_id, CODE, _signature()).value

    events = _cases(seeded).events(case_id)
    assert len(events) == len(before) + 1
    event = events[-1]
    assert event.action == "sign_document" and event.actor_id == LEAD and event.actor_role == "officer"
    digest = hashlib.sha256(_png()).hexdigest()
    assert event.payload["signature_id"] == record.id
    assert event.payload["image_sha256"] == digest and event.payload["evidence_sha256"] is None
    assert event.payload["role"] == "party" and event.payload["name"] == "赵小二"
    assert event.payload["document_title"] == "当场行政处罚决定书"
    assert all(not isinstance(v, bytes) for v in event.payload.values())  # the hash, never the image
    assert seeded.cases.verify_log(case_id).value.ok

    last = seeded.case_record.timeline(case_id).value[-1]
    assert last.action == "签名" and last.actor == "林建华（示例）" and last.role == "执法人员"
    assert last.changes[0] == "当事人签名：当场行政处罚决定书"
    assert "签名人：赵小二" in last.changes
    assert f"签名图像 SHA-256：{digest[:16]}…" in last.changes


def test_a_refusal_is_recorded_with_its_witness_and_photo_hash(seeded: Core, tmp_path: Path) -> None:
    service, _ = _service(seeded)
    case_id = _case_id(seeded)
    photo = tmp_path / "拒签.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 a photo of the refusal")
    service.add(case_id, CODE, _signature(refused=True, png=None, witness="王某", evidence_path=str(photo)))

    event = _cases(seeded).events(case_id)[-1]
    assert event.action == "sign_document" and event.actor_id is None and event.actor_role == "party"
    assert event.payload["refused"] is True and event.payload["witness"] == "王某"
    assert event.payload["evidence_sha256"] == hashlib.sha256(photo.read_bytes()).hexdigest()
    assert event.payload["image_sha256"] is None
    last = seeded.case_record.timeline(case_id).value[-1]
    assert last.action == "拒签" and last.role == "当事人"
    assert last.changes[0] == "当事人拒签（见证人：王某；拍照、录像存证）：当场行政处罚决定书"
    assert seeded.cases.verify_log(case_id).value.ok


def test_the_record_names_the_document_number_once_issued(seeded: Core) -> None:
    engine = seeded.database.engine
    documents = DocumentService(
        _cases(seeded), SqlDocumentStore(engine), bundled_workflows(), seeded.clock.today, templates=TEMPLATES
    )
    case_id = _case_id(seeded)
    rendered = documents.render(case_id, CODE, seeded.paths.root / "decision.docx").value
    assert rendered.number
    service, _ = _service(seeded)
    service.add(case_id, CODE, _signature(refused=True, png=None, witness="王某"))
    last = seeded.case_record.timeline(case_id).value[-1]
    assert last.changes[0] == f"当事人拒签（见证人：王某）：当场行政处罚决定书 {rendered.number}"


def test_a_failure_writes_neither_signature_nor_event(
    seeded: Core, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service, _ = _service(seeded)
    case_id = _case_id(seeded)
    before = _counts(seeded, case_id)
    with pytest.raises(InvalidInput):
        service.add(case_id, CODE, _signature(role="boss"))
    with pytest.raises(NotFound, match="执法人员"):
        service.add(case_id, CODE, _signature(), actor_id="no-such-officer")
    with pytest.raises(NotFound, match="拍照、录像"):
        service.add(case_id, CODE, _signature(refused=True, png=None, evidence_path=str(tmp_path / "x.jpg")))
    assert _counts(seeded, case_id) == before

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the record could not be written")

    monkeypatch.setattr(SqlCaseEventStore, "record", broken)
    with pytest.raises(RuntimeError):
        service.add(case_id, CODE, _signature())
    monkeypatch.undo()
    assert _counts(seeded, case_id) == before  # the signature row was rolled back with the event
    assert service.for_document(case_id, CODE).value == []
    assert seeded.cases.verify_log(case_id).value.ok
