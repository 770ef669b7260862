"""执法文书 on a real database: gapless 文书编号 under concurrent issuers, voids never reused,
a refused or failed rendering takes no number and leaves no file, render → record → verify,
and an edited file is caught."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
import time
import zipfile
from pathlib import Path

import docx
import pytest
from sqlalchemy import Engine, text

from workstation.app import Core
from workstation.documents import qr
from workstation.documents.catalog import CATALOG
from workstation.domain.document_ports import DocumentDraft, Produced
from workstation.domain.errors import DatabaseLocked, InvalidInput, KnownError
from workstation.persistence.case_events import SqlCaseEventStore
from workstation.persistence.cases import SqlCaseStore
from workstation.persistence.documents import SqlDocumentStore
from workstation.persistence.engine import make_engine
from workstation.persistence.numbering import allocate, last_issued, voids
from workstation.services.documents import ALTERED, MATCH, UNKNOWN, VOIDED, DocumentService
from workstation.services.workflows import bundled_workflows

NOTIFIED = "餐饮店未安装油烟净化设施（示例）"  # ordinary, 事先告知: 告知书 lacks facts and basis
SIMPLE = "店外占道经营影响市容（简易程序）（示例）"  # simple, decided: 当场处罚决定书 complete
CLOSED = "占用消防车通道妨碍通行（首违不罚）（示例）"  # closed: 结案审批表 (no number) complete
PATIENT_MS = 60_000


# ---------------------------------------------------------------- rig


def _template(path: Path, *lines: str) -> None:
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    document.save(str(path))


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    """Small templates with the catalog's file names: header fields and the QR code."""
    folder = tmp_path / "templates"
    folder.mkdir()
    for spec in CATALOG.values():
        _template(
            folder / spec.template,
            "{{ agency_name }}",
            spec.title,
            "{{ doc_number }}",
            "案由：{{ case_title }}  当事人：{{ party_name }}",
            "{{ issued_date }}",
            "{{ qr }}",
        )
    return folder


@pytest.fixture
def seeded(core: Core) -> Core:
    core.office.seed_demo(with_cases=True)
    return core


def _service(core: Core, templates: Path, store: SqlDocumentStore | None = None) -> DocumentService:
    engine = core.database.engine
    return DocumentService(
        SqlCaseStore(engine, SqlCaseEventStore(engine), allocate),
        store or SqlDocumentStore(engine),
        bundled_workflows(),
        core.clock.today,
        templates=templates,
    )


def _case(engine: Engine, title: str) -> tuple[str, str]:
    with engine.connect() as conn:
        row = conn.execute(text("SELECT id, agency_id FROM cases WHERE title = :t"), {"t": title}).one()
    return str(row[0]), str(row[1])


def _simple(core: Core) -> str:
    return _case(core.database.engine, SIMPLE)[0]


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# ---------------------------------------------------------------- numbering


def test_concurrent_issuers_get_consecutive_serials(seeded: Core) -> None:
    """Two threads, each with its own engine, issue at once; each holds the write lock while
    it "renders", so the other waits (or meets SQLITE_BUSY and retries)."""
    case_id, agency_id = _case(seeded.database.engine, SIMPLE)
    engines = [make_engine(seeded.database.path, busy_timeout_ms=PATIENT_MS) for _ in range(2)]
    stores = [SqlDocumentStore(e) for e in engines]
    barrier = threading.Barrier(2)
    serials: list[list[int]] = [[], []]
    failures: list[BaseException] = []
    per_thread = 5

    def work(index: int) -> None:
        try:
            barrier.wait(10)
            for _ in range(per_thread):

                def produce(serial: int | None) -> Produced:
                    assert serial is not None
                    time.sleep(0.01)  # render while holding the number
                    return Produced(f"T〔2026〕第{serial}号", "0" * 64, "/nowhere.docx", "p")

                draft = DocumentDraft(
                    case_id, agency_id, "on_spot_decision", "当场", "测试字", dt.date(2026, 3, 1)
                )
                record = stores[index].issue(draft, produce)
                assert record.serial is not None
                serials[index].append(record.serial)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        for e in engines:
            e.dispose()
    assert not failures, failures
    issued = sorted(serials[0] + serials[1])
    assert issued == list(range(1, 2 * per_thread + 1))  # consecutive, no duplicates
    with seeded.database.engine.connect() as conn:
        numbers = (
            conn.execute(text("SELECT number FROM documents WHERE number_kind = '测试字'")).scalars().all()
        )
        assert last_issued(conn, agency_id, "测试字", 2026) == 2 * per_thread
    assert len(set(numbers)) == len(numbers) == 2 * per_thread


def test_a_busy_database_is_retried(seeded: Core) -> None:
    """An issuer that meets SQLITE_BUSY past its busy timeout starts its transaction again."""
    case_id, agency_id = _case(seeded.database.engine, SIMPLE)
    impatient = make_engine(seeded.database.path, busy_timeout_ms=20)
    holder = sqlite3.connect(seeded.database.path, timeout=5)
    naps: list[float] = []

    def nap(seconds: float) -> None:  # between attempts: the other writer finishes meanwhile
        naps.append(seconds)
        holder.rollback()

    store = SqlDocumentStore(impatient, sleep=nap)
    draft = DocumentDraft(case_id, agency_id, "on_spot_decision", "当场", "测试字", dt.date(2026, 3, 1))
    made = Produced("T1", "0" * 64, "/nowhere.docx", "p")
    try:
        holder.execute("BEGIN IMMEDIATE")
        record = store.issue(draft, lambda serial: made)
    finally:
        holder.close()
        impatient.dispose()
    assert naps, "the first attempt should have met the lock"
    assert record.serial == 1


def test_a_lock_that_never_clears_gives_database_locked(seeded: Core) -> None:
    case_id, agency_id = _case(seeded.database.engine, SIMPLE)
    impatient = make_engine(seeded.database.path, busy_timeout_ms=10)
    store = SqlDocumentStore(impatient, attempts=2, sleep=lambda s: None)
    draft = DocumentDraft(case_id, agency_id, "on_spot_decision", "当场", "测试字", dt.date(2026, 3, 1))
    holder = sqlite3.connect(seeded.database.path, timeout=5)
    try:
        holder.execute("BEGIN IMMEDIATE")
        with pytest.raises(DatabaseLocked):
            store.issue(draft, lambda serial: Produced("T1", "0" * 64, "/x.docx", "p"))
    finally:
        holder.rollback()
        holder.close()
        impatient.dispose()


def test_a_voided_number_is_recorded_and_never_reused(seeded: Core, templates: Path, tmp_path: Path) -> None:
    service = _service(seeded, templates)
    store = SqlDocumentStore(seeded.database.engine)
    first = service.render(_simple(seeded), "on_spot_decision", tmp_path / "a.docx").value
    voided = store.void(first.id, "文书制作有误，已重新制作", "林建华")
    assert voided.status == VOIDED
    second = service.render(_simple(seeded), "on_spot_decision", tmp_path / "b.docx").value
    assert first.number and second.number and first.number != second.number
    assert first.number.endswith("第1号") and second.number.endswith("第2号")
    _, agency_id = _case(seeded.database.engine, SIMPLE)
    with seeded.database.engine.connect() as conn:
        recorded = voids(conn, agency_id, "当罚字", first.issued_on.year)
    assert [(v.serial, v.reason, v.voided_by) for v in recorded] == [
        (1, "文书制作有误，已重新制作", "林建华")
    ]
    with pytest.raises(InvalidInput, match="已作废"):
        store.void(first.id, "again", "林建华")
    # the voided document's file still verifies as unaltered, but is reported voided
    result = service.verify(tmp_path / "a.docx").value
    assert result.status == VOIDED and "作废" in result.summary
    # listing shows both, in issue order, with their states
    infos = [i for i in service.list(_simple(seeded)).value if i.issued]
    assert [(i.number, i.status) for i in infos] == [(first.number, "voided"), (second.number, "issued")]
    assert store.mark_served(second.id).status == "served"


# ---------------------------------------------------------------- refusals leave nothing


def test_missing_fields_refuse_the_document_and_take_no_number(
    seeded: Core, templates: Path, tmp_path: Path
) -> None:
    service = _service(seeded, templates)
    case_id, agency_id = _case(seeded.database.engine, NOTIFIED)
    missing = service.missing(case_id, "prior_notice").value
    assert {f.name for f in missing} >= {"facts", "penalty_basis"}
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    with pytest.raises(InvalidInput) as exc:
        service.render(case_id, "行政处罚事先告知书", out_dir / "notice.docx")
    message = exc.value.message
    for f in missing:
        assert f.label in message and f.where in message
    assert "不能出具" in message
    assert _files(out_dir) == []
    with seeded.database.engine.connect() as conn:
        assert last_issued(conn, agency_id, "告字", seeded.clock.today().year) == 0
        assert conn.execute(text("SELECT count(*) FROM documents")).scalar_one() == 0


def test_a_rendering_that_fails_takes_no_number_and_leaves_no_file(
    seeded: Core, templates: Path, tmp_path: Path
) -> None:
    _template(templates / CATALOG["on_spot_decision"].template, "{{ doc_number }", "{% if %}")
    service = _service(seeded, templates)
    case_id, agency_id = _case(seeded.database.engine, SIMPLE)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    with pytest.raises(KnownError):
        service.render(case_id, "on_spot_decision", out_dir / "d.docx")
    assert _files(out_dir) == []
    with seeded.database.engine.connect() as conn:
        assert last_issued(conn, agency_id, "当罚字", seeded.clock.today().year) == 0
        assert conn.execute(text("SELECT count(*) FROM documents")).scalar_one() == 0


def test_an_existing_file_is_not_overwritten(seeded: Core, templates: Path, tmp_path: Path) -> None:
    service = _service(seeded, templates)
    (tmp_path / "d.docx").write_bytes(b"mine")
    with pytest.raises(InvalidInput, match="不会覆盖"):
        service.render(_simple(seeded), "on_spot_decision", tmp_path / "d.docx")
    assert (tmp_path / "d.docx").read_bytes() == b"mine"


# ---------------------------------------------------------------- render, record, verify


def test_render_records_and_verifies(seeded: Core, templates: Path, tmp_path: Path) -> None:
    from workstation.documents.render import content_hash

    service = _service(seeded, templates)
    case_id = _simple(seeded)
    out = tmp_path / "decision.docx"
    doc = service.render(case_id, "on_spot_decision", out).value
    assert out.is_file() and doc.path == out
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no scratch left
    assert doc.number is not None and doc.number.startswith("榕溪镇当罚字〔")
    assert content_hash(out) == doc.content_hash
    # the QR payload names the case, the number and the hash, and is in the file's properties
    case_number = seeded.cases.show(case_id, seeded.clock.today(), None).value.case.case_number
    assert qr.parse_payload(doc.payload) == (case_number, doc.number, doc.content_hash)
    assert qr.docx_payload(out) == doc.payload
    text_of_file = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert doc.number in text_of_file and "{{" not in text_of_file
    # the QR image is in the document but not in the hash
    with zipfile.ZipFile(out) as z:
        assert any(n.startswith("word/media/") for n in z.namelist())

    stored = SqlDocumentStore(seeded.database.engine).get(doc.number)
    assert (stored.content_hash, stored.path, stored.payload, stored.status) == (
        doc.content_hash,
        str(out),
        doc.payload,
        "issued",
    )
    result = service.verify(out).value
    assert result.status == MATCH and result.ok
    assert doc.number in result.summary and "一致" in result.summary


def test_a_document_changed_by_one_character_is_altered(
    seeded: Core, templates: Path, tmp_path: Path
) -> None:
    service = _service(seeded, templates)
    out = tmp_path / "decision.docx"
    doc = service.render(_simple(seeded), "on_spot_decision", out).value
    edited = docx.Document(str(out))
    paragraph = next(p for p in edited.paragraphs if "当事人" in p.text)
    run = next(r for r in paragraph.runs if "当事人" in r.text)
    run.text = run.text.replace("当事人", "当事入", 1)
    edited.save(str(out))
    result = service.verify(out).value
    assert result.status == ALTERED and not result.ok
    assert result.number == doc.number and result.recorded_hash == doc.content_hash
    assert result.file_hash != doc.content_hash
    assert "修改" in result.summary


def test_whitespace_changes_do_not_alter_a_document(seeded: Core, templates: Path, tmp_path: Path) -> None:
    service = _service(seeded, templates)
    out = tmp_path / "decision.docx"
    service.render(_simple(seeded), "on_spot_decision", out)
    edited = docx.Document(str(out))
    edited.paragraphs[0].runs[0].text = "  " + edited.paragraphs[0].runs[0].text + "\n"
    edited.save(str(out))
    assert service.verify(out).value.status == MATCH


def test_a_file_without_a_payload_is_unknown(seeded: Core, templates: Path, tmp_path: Path) -> None:
    service = _service(seeded, templates)
    plain = tmp_path / "plain.docx"
    _template(plain, "某某文书")
    result = service.verify(plain).value
    assert result.status == UNKNOWN and "无法核验" in result.summary


def test_an_unnumbered_document_is_named_by_its_record_id(
    seeded: Core, templates: Path, tmp_path: Path
) -> None:
    service = _service(seeded, templates)
    case_id, _ = _case(seeded.database.engine, CLOSED)
    doc = service.render(case_id, "closing_approval", tmp_path / "closing.docx").value
    assert doc.number is None
    parsed = qr.parse_payload(doc.payload)
    assert parsed is not None and parsed[1] == doc.id
    assert service.verify(tmp_path / "closing.docx").value.status == MATCH


def test_list_shows_issued_and_applicable_documents(seeded: Core, templates: Path, tmp_path: Path) -> None:
    service = _service(seeded, templates)
    case_id, _ = _case(seeded.database.engine, NOTIFIED)
    infos = service.list(case_id).value
    available = {i.code: i for i in infos if not i.issued}
    assert "prior_notice" in available and "penalty_decision" in available
    assert {f.name for f in available["prior_notice"].missing} >= {"facts", "penalty_basis"}
    simple = service.list(_simple(seeded)).value
    assert [(i.code, i.missing) for i in simple if not i.issued] == [("on_spot_decision", ())]
    service.render(_simple(seeded), "on_spot_decision", tmp_path / "d.docx")
    after = service.list(_simple(seeded)).value
    assert [(i.code, i.status) for i in after] == [("on_spot_decision", "issued")]


def test_a_document_of_another_case_kind_is_refused(seeded: Core, templates: Path, tmp_path: Path) -> None:
    service = _service(seeded, templates)
    with pytest.raises(InvalidInput, match="不适用"):
        service.render(_simple(seeded), "penalty_decision", tmp_path / "d.docx")
