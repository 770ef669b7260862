"""证据 on a real database: files stored once by hash, evidence in collection order with one
全过程记录 event per addition, refusals in Chinese that write nothing, and the evidence bound
into the 电子卷宗 after the documents."""

from __future__ import annotations

import datetime as dt
import io
import struct
import zlib
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import Destination
from sqlalchemy import text

from workstation.app import Core
from workstation.documents.catalog import CATALOG
from workstation.documents.pdf import find_soffice
from workstation.domain.errors import InvalidInput, NotFound
from workstation.persistence.case_events import SqlCaseEventStore
from workstation.persistence.cases import SqlCaseStore
from workstation.persistence.documents import SqlDocumentStore
from workstation.persistence.numbering import allocate
from workstation.services.documents import DocumentService
from workstation.services.workflows import bundled_workflows

LEAD = "49bf81a3-a552-5e7c-872e-72e52c276398"  # 林建华（示例）
SIMPLE = "店外占道经营影响市容（简易程序）（示例）"  # simple, decided: 当场处罚决定书 complete


def make_png(path: Path, width: int = 64, height: int = 48) -> Path:
    rows = b"".join(b"\x00" + bytes((x * 7 + y) % 256 for x in range(width * 3)) for y in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    return path


def make_pdf(path: Path, pages: int = 2) -> Path:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    path.write_bytes(buffer.getvalue())
    return path


@pytest.fixture
def seeded(core: Core) -> Core:
    core.office.seed_demo(with_cases=True)
    return core


def _simple(core: Core) -> str:
    with core.database.engine.connect() as conn:
        return str(conn.execute(text("SELECT id FROM cases WHERE title = :t"), {"t": SIMPLE}).scalar_one())


def _events(core: Core, case_id: str) -> list[str]:
    store = SqlCaseStore(core.database.engine, SqlCaseEventStore(core.database.engine), allocate)
    return [e.action for e in store.events(case_id)]


def test_add_stores_files_once_and_lists_in_order(seeded: Core, tmp_path: Path) -> None:
    case_id = _simple(seeded)
    before = _events(seeded, case_id)
    png = make_png(tmp_path / "现场照片.png")
    pdf = make_pdf(tmp_path / "询问笔录.pdf")
    day = seeded.clock.today()
    first = seeded.evidence.add(case_id, "physical", "现场照片", png, LEAD, collected_on=day).value
    second = seeded.evidence.add(case_id, "当事人的陈述", "询问笔录", pdf, LEAD, "当事人张某陈述").value
    again = seeded.evidence.add(case_id, "audiovisual", "现场照片（复制）", png, LEAD, collected_on=day).value
    note = seeded.evidence.add(case_id, "witness", "证人王某证言（纸质）", None, LEAD, collected_on=day).value

    assert first.kind == "physical" and first.kind_label == "物证" and first.media_type == "image/png"
    assert second.kind == "party_statement" and second.media_type == "application/pdf"
    assert first.sha256 == again.sha256 and first.path == again.path  # stored once by hash
    assert first.path is not None and first.path.read_bytes() == png.read_bytes()
    assert note.sha256 == "" and note.path is None and note.dossier_kind is None
    with seeded.database.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM attachments")).scalar_one() == 2
    stored = sorted(p.name for p in (seeded.paths.root / "attachments").iterdir())
    assert stored == sorted({first.sha256, second.sha256})

    listed = seeded.evidence.list(case_id).value
    assert [i.id for i in listed] == [first.id, again.id, note.id, second.id]  # dated today, then added
    assert [i.title for i in listed][:1] == ["现场照片"]
    assert listed[-1].description == "当事人张某陈述" and listed[-1].original_name == "询问笔录.pdf"

    actions = _events(seeded, case_id)
    assert actions == [*before, "add_evidence", "add_evidence", "add_evidence", "add_evidence"]
    report = seeded.cases.verify_log(case_id).value
    assert report.ok, report.messages
    store = SqlCaseStore(seeded.database.engine, SqlCaseEventStore(seeded.database.engine), allocate)
    last = store.events(case_id)[-1]
    fields = {c.field: c.new for c in last.changes}
    assert fields == {
        "evidence.title": "证人王某证言（纸质）",
        "evidence.kind": "witness",
        "evidence.sha256": None,
    }
    assert last.actor_id == LEAD


def _state(core: Core, case_id: str) -> tuple[int, int, int, list[str]]:
    with core.database.engine.connect() as conn:
        evidence = int(conn.execute(text("SELECT count(*) FROM evidence")).scalar_one())
        attachments = int(conn.execute(text("SELECT count(*) FROM attachments")).scalar_one())
    folder = core.paths.root / "attachments"
    files = len(list(folder.iterdir())) if folder.is_dir() else 0
    return evidence, attachments, files, _events(core, case_id)


def test_refusals_are_chinese_and_write_nothing(seeded: Core, tmp_path: Path) -> None:
    case_id = _simple(seeded)
    png = make_png(tmp_path / "photo.png")
    before = _state(seeded, case_id)
    with pytest.raises(InvalidInput) as bad_kind:
        seeded.evidence.add(case_id, "hearsay", "传闻", png, LEAD)
    message = bad_kind.value.user_text()
    assert "《中华人民共和国行政处罚法》第四十六条" in message
    assert all(label in message for label in ("书证", "物证", "视听资料", "电子数据", "证人证言", "鉴定意见"))
    with pytest.raises(NotFound, match="没有找到证据文件"):
        seeded.evidence.add(case_id, "physical", "照片", tmp_path / "missing.png", LEAD)
    with pytest.raises(InvalidInput, match="证据名称"):
        seeded.evidence.add(case_id, "physical", "  ", png, LEAD)
    with pytest.raises(InvalidInput, match="取证日期"):
        seeded.evidence.add(case_id, "physical", "照片", png, LEAD, collected_on=dt.date(2999, 1, 1))
    with pytest.raises(NotFound, match="执法人员"):
        seeded.evidence.add(case_id, "physical", "照片", png, "no-such-officer")
    with pytest.raises(NotFound, match="案件"):
        seeded.evidence.add("no-such-case", "physical", "照片", png, LEAD)
    assert _state(seeded, case_id) == before


def _templates(folder: Path) -> Path:
    folder.mkdir()
    for spec in CATALOG.values():
        document = docx.Document()
        for line in ("{{ agency_name }}", spec.title, "{{ doc_number }}", "{{ issued_date }}", "{{ qr }}"):
            document.add_paragraph(line)
        document.save(str(folder / spec.template))
    return folder


@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_dossier_binds_the_evidence_after_the_documents(seeded: Core, tmp_path: Path) -> None:
    case_id = _simple(seeded)
    engine = seeded.database.engine
    service = DocumentService(
        SqlCaseStore(engine, SqlCaseEventStore(engine), allocate),
        SqlDocumentStore(engine),
        bundled_workflows(),
        seeded.clock.today,
        templates=_templates(tmp_path / "templates"),
        evidence=lambda cid: seeded.evidence.list(cid).value,
    )
    doc = service.render(case_id, "on_spot_decision", tmp_path / "d.docx").value
    seeded.evidence.add(case_id, "physical", "现场照片", make_png(tmp_path / "p.png"), LEAD)
    seeded.evidence.add(case_id, "party_statement", "询问笔录", make_pdf(tmp_path / "r.pdf", 2), LEAD)
    (tmp_path / "clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42")  # stored, not bound
    seeded.evidence.add(case_id, "audiovisual", "执法记录仪视频", tmp_path / "clip.mp4", LEAD)

    out = tmp_path / "卷宗.pdf"
    report = service.dossier(case_id, out).value
    titles = [title for title, _, _ in report.ranges]
    assert titles == [doc.title, "证据：现场照片（物证）", "证据：询问笔录（当事人的陈述）"]
    (_, photo_first, photo_last), (_, record_first, record_last) = report.ranges[1], report.ranges[2]
    assert photo_first == photo_last and record_last - record_first == 1
    reader = PdfReader(out)
    assert report.pages == len(reader.pages)
    items = [item for item in reader.outline if isinstance(item, Destination)]
    outline = [(item.title, reader.get_destination_page_number(item)) for item in items]
    assert ("证据：现场照片（物证）", photo_first - 1) in outline
    assert ("证据：询问笔录（当事人的陈述）", record_first - 1) in outline
