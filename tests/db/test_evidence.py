"""证据 on a real database: files stored once by hash, evidence in collection order with one
全过程记录 event per addition, refusals in Chinese that write nothing (a finished case takes no
evidence), corrections (更正/作废) that keep the original, and the evidence bound into the
电子卷宗 after the documents."""

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
from workstation.domain.errors import FieldError, InvalidInput, NotFound
from workstation.domain.evidence_ports import CaseFinished
from workstation.persistence.case_events import SqlCaseEventStore
from workstation.persistence.cases import SqlCaseStore
from workstation.persistence.documents import SqlDocumentStore
from workstation.persistence.numbering import allocate
from workstation.services.documents import DocumentService
from workstation.services.workflows import bundled_workflows

LEAD = "49bf81a3-a552-5e7c-872e-72e52c276398"  # 林建华（示例）
SECOND = "631de54a-a54f-50a8-a3c7-36905f971c27"  # 陈晓敏（示例）
SIMPLE = "店外占道经营影响市容（简易程序）（示例）"  # simple, decided: 当场处罚决定书 complete
ARCHIVED = "小吃店超标排放油烟经听证后处罚（完整卷宗）（示例）"  # ordinary, archived
CLOSED = "扣押涉嫌过期预包装食品（示例）"  # coercive, closed


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


def _case(core: Core, title: str) -> str:
    with core.database.engine.connect() as conn:
        return str(conn.execute(text("SELECT id FROM cases WHERE title = :t"), {"t": title}).scalar_one())


def _simple(core: Core) -> str:
    return _case(core, SIMPLE)


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
    with pytest.raises(FieldError, match="取证人") as collector:
        seeded.evidence.add(case_id, "physical", "照片", png, LEAD, collectors=[LEAD, "nobody"])
    assert collector.value.field == "collectors"
    with pytest.raises(FieldError, match="取证时间") as late:
        seeded.evidence.add(case_id, "physical", "照片", png, LEAD, collected_at=dt.datetime(2999, 1, 1, 9))
    assert late.value.field == "collected_at"
    with pytest.raises(FieldError, match="至少选择一名取证人") as nobody:
        seeded.evidence.add(case_id, "physical", "照片", png, LEAD, collectors=[])
    assert nobody.value.field == "collectors"
    with pytest.raises(FieldError) as long_source:
        seeded.evidence.add(case_id, "witness", "证言", None, LEAD, source="王" * 201)
    assert long_source.value.field == "source"
    assert _state(seeded, case_id) == before


def test_source_time_and_collectors_are_kept(seeded: Core, tmp_path: Path) -> None:
    case_id = _simple(seeded)
    at = dt.datetime(2026, 3, 2, 14, 35, 59)
    item = seeded.evidence.add(
        case_id,
        "书证",
        "营业执照复印件",
        make_pdf(tmp_path / "执照.pdf", 1),
        LEAD,
        "当事人提供，与原件核对无误",
        source="当事人张某",
        collected_at=at,
        collectors=[SECOND, LEAD],
    ).value
    assert item.collected_at == dt.datetime(2026, 3, 2, 14, 35) and item.collected_on == at.date()
    assert item.source == "当事人张某" and item.collectors == ("陈晓敏（示例）", "林建华（示例）")
    assert item.size == (tmp_path / "执照.pdf").stat().st_size and item.status_label == "有效"
    (listed,) = [i for i in seeded.evidence.list(case_id).value if i.id == item.id]
    assert listed == item
    event = SqlCaseStore(seeded.database.engine, SqlCaseEventStore(seeded.database.engine), allocate)
    last = event.events(case_id)[-1]
    assert last.actor_id == LEAD and last.payload["collectors"] == [SECOND, LEAD]
    assert last.payload["source"] == "当事人张某" and last.payload["collected_at"] == "2026-03-02T14:35"


@pytest.mark.parametrize("title", [ARCHIVED, CLOSED])
def test_a_finished_case_takes_no_evidence(seeded: Core, tmp_path: Path, title: str) -> None:
    case_id = _case(seeded, title)
    before = _state(seeded, case_id)
    with pytest.raises(CaseFinished) as refused:
        seeded.evidence.add(case_id, "physical", "补拍照片", make_png(tmp_path / "late.png"), LEAD)
    message = refused.value.user_text()
    assert message.startswith("案件已结案") and "不能再添加证据" in message
    assert "《中华人民共和国行政处罚法》第四十七条" in message and "如需补充" in message
    assert refused.value.as_dict()["code"] == "case_finished"
    assert _state(seeded, case_id) == before


def test_a_correction_keeps_the_original_and_is_recorded(seeded: Core, tmp_path: Path) -> None:
    case_id = _simple(seeded)
    photo = seeded.evidence.add(case_id, "physical", "现场照片", make_png(tmp_path / "p.png"), LEAD).value
    note = seeded.evidence.add(case_id, "witness", "证人证言", None, LEAD).value
    before = _state(seeded, case_id)

    with pytest.raises(FieldError) as no_reason:
        seeded.evidence.correct(case_id, photo.id, "  ", LEAD)
    assert no_reason.value.field == "reason"
    with pytest.raises(NotFound, match="本案没有这份证据"):
        seeded.evidence.correct(case_id, "no-such-evidence", "拍错了", LEAD)
    with pytest.raises(NotFound, match="执法人员"):
        seeded.evidence.correct(case_id, photo.id, "拍错了", "nobody")
    assert _state(seeded, case_id) == before

    corrected = seeded.evidence.correct(case_id, photo.id, "拍摄对象有误，已重新拍摄", SECOND).value
    voided = seeded.evidence.correct(case_id, note.id, "证人撤回，证言不予采用", LEAD, void=True).value
    assert corrected.correction is not None and corrected.status_label == "已更正"
    assert corrected.correction.reason == "拍摄对象有误，已重新拍摄"
    assert corrected.correction.actor_name == "陈晓敏（示例）"
    assert voided.status_label == "已作废" and corrected.path == photo.path  # the file stays
    listed = {i.id: i for i in seeded.evidence.list(case_id).value}
    assert listed[photo.id].status_label == "已更正" and listed[note.id].status_label == "已作废"
    assert listed[photo.id].title == "现场照片"  # the original, as it was
    evidence, attachments, files, actions = _state(seeded, case_id)
    assert (evidence, attachments, files) == before[:3]
    assert actions == [*before[3], "correct_evidence", "correct_evidence"]
    assert seeded.cases.verify_log(case_id).value.ok

    timeline = seeded.case_record.timeline(case_id).value
    assert timeline[-2].action == "更正证据" and timeline[-2].actor == "陈晓敏（示例）"
    assert timeline[-2].changes == ("证据：现场照片（物证）", "已更正，理由：拍摄对象有误，已重新拍摄")
    assert timeline[-1].action == "作废证据"

    with pytest.raises(InvalidInput, match="已更正"):
        seeded.evidence.correct(case_id, photo.id, "再改一次", LEAD)
    assert len(_events(seeded, case_id)) == len(actions)


def test_a_finished_case_takes_no_corrections(seeded: Core) -> None:
    case_id = _case(seeded, ARCHIVED)
    with seeded.database.engine.begin() as conn:  # evidence from before the case was finished
        conn.execute(
            text(
                "INSERT INTO evidence (id, case_id, kind, title, description, collected_at, created_at)"
                " VALUES ('e-old', :c, 'physical', '现场照片', '',"
                " '2026-10-01 09:00:00', '2026-10-01 09:00:00')"
            ),
            {"c": case_id},
        )
    with pytest.raises(CaseFinished, match="不能再更正证据"):
        seeded.evidence.correct(case_id, "e-old", "拍错了", LEAD)
    (item,) = seeded.evidence.list(case_id).value
    assert item.correction is None and item.collectors == ()


def test_a_viewing_copy_has_the_original_name_and_is_read_only(seeded: Core, tmp_path: Path) -> None:
    case_id = _simple(seeded)
    png = make_png(tmp_path / "现场照片.png")
    item = seeded.evidence.add(case_id, "physical", "现场照片", png, LEAD).value
    copy = seeded.evidence.viewing_copy(item, tmp_path / "view").value
    assert copy.name == "现场照片.png" and copy.read_bytes() == png.read_bytes()
    assert not copy.stat().st_mode & 0o222
    assert seeded.evidence.viewing_copy(item, tmp_path / "view").value == copy
    note = seeded.evidence.add(case_id, "witness", "证言", None, LEAD).value
    with pytest.raises(InvalidInput, match="没有文件"):
        seeded.evidence.viewing_copy(note, tmp_path / "view")


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
    # A voided item stays in the file, marked with its reason.
    wrong = seeded.evidence.add(case_id, "physical", "错拍照片", make_png(tmp_path / "w.png"), LEAD).value
    seeded.evidence.correct(case_id, wrong.id, "拍摄对象有误", LEAD, void=True)

    out = tmp_path / "卷宗.pdf"
    report = service.dossier(case_id, out).value
    titles = [title for title, _, _ in report.ranges]
    assert titles == [
        doc.title,
        "证据：现场照片（物证）",
        "证据：询问笔录（当事人的陈述）",
        "证据：错拍照片（物证，已作废：拍摄对象有误）",
    ]
    (_, photo_first, photo_last), (_, record_first, record_last) = report.ranges[1], report.ranges[2]
    assert photo_first == photo_last and record_last - record_first == 1
    reader = PdfReader(out)
    assert report.pages == len(reader.pages)
    items = [item for item in reader.outline if isinstance(item, Destination)]
    outline = [(item.title, reader.get_destination_page_number(item)) for item in items]
    assert ("证据：现场照片（物证）", photo_first - 1) in outline
    assert ("证据：询问笔录（当事人的陈述）", record_first - 1) in outline
