"""Filling the 执法文书 templates: every template, escaping, sandbox, broken templates, hashes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import shutil
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm

from workstation.documents import catalog
from workstation.documents.catalog import CATALOG, spec, spec_by_title
from workstation.documents.context import IssuedDocument, build_context
from workstation.documents.render import (
    TemplateBroken,
    canonical_text,
    content_hash,
    missing_fields,
    render_docx,
    template_fields,
)
from workstation.domain.cases import Case, CaseKind, CaseSource
from workstation.domain.document_ports import ResolvedArticle
from workstation.domain.entities import Agency, Officer, Party, PartyKind
from workstation.domain.errors import KnownError, NotFound

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "resources" / "templates"
WORKFLOWS = ROOT / "resources" / "workflows"

AGENCY = Agency("a1", "330100001", "杭州市示例区榕城街道办事处", "330100")
OFFICERS = (
    Officer("o1", "a1", "张明", "33010012345", dt.date(2023, 1, 1), dt.date(2028, 12, 31)),
    Officer("o2", "a1", "李华", "33010067890", dt.date(2023, 1, 1), dt.date(2028, 12, 31)),
)
RESTAURANT = Party(
    "p1",
    PartyKind.ORGANISATION,
    "杭州味美餐饮有限公司",
    credit_code="91330100MA2XXXXX1K",
    legal_representative="王大力",
    address="杭州市示例区榕城路88号",
)
PERSON = Party("p2", PartyKind.PERSON, "赵小二", id_number="330106199001011234", address="示例区东街5号")


def _ordinary() -> Case:
    data: dict[str, Any] = {
        "party_kind": "organisation",
        "act_date": "2025-09-01",
        "filed_on": "2025-09-05",
        "brief_facts": "群众投诉该店油烟直排，经巡查属实。",
        "place": "杭州市示例区榕城路88号店内厨房",
        "inspected_on": "2025-09-04",
        "findings": "油烟净化设施未开启，油烟经排风管道直接排放。",
        "checklist": [{"department": "生态环境", "item": "油烟净化设施运行", "result": "未运行"}],
        "departments": ["生态环境", "市场监管"],
        "evidence_kinds": ["documentary", "audiovisual", "expert_opinion"],
        "inquiry_start": "2025年9月8日9时00分",
        "inquiry_end": "2025年9月8日9时45分",
        "inquiry_place": "榕城街道综合行政执法队询问室",
        "interviewee": "王大力",
        "questioner": "张明",
        "recorder": "李华",
        "qa": [
            {"q": "你店油烟净化设施平时是否开启？", "a": "为了省电，高峰期以外没有开启。"},
            {"q": "你对检测报告有无异议？", "a": "没有异议。"},
        ],
        "save_approved_on": "2025-09-08",
        "saved_on": "2025-09-08",
        "saved_items": [{"name": "油烟净化器运行记录本", "qty": "1本", "spec": "A4"}],
        "violation": "餐饮服务项目油烟未经净化设施处理直接排放",
        "violation_basis": "《中华人民共和国大气污染防治法》第八十一条第一款",
        "rectify_by": "2025-09-20",
        "outcome": "penalty",
        "penalty_types": ["fine"],
        "fine": 20000,
        "investigation_closed_on": "2025-09-22",
        "discretion": {
            "status": "assessed",
            "item_code": "ENV-081",
            "item_name": "餐饮服务项目油烟超标排放",
            "benchmark": {
                "id": "b1",
                "name": "示例省生态环境行政处罚裁量基准",
                "version": "2024",
                "document_number": "示环发〔2024〕1号",
            },
            "statutory_range": {
                "text": "五千元以上五万元以下",
                "citation": "第一百一十八条第一款",
                "min": "5000",
                "max": "50000",
            },
            "tier": {"code": "general", "label": "一般"},
            "tier_range": {"min": "18500", "max": "36500"},
            "circumstances": [{"code": "first_time", "label": "初次被查处"}],
            "proposed_fine": "20000",
            "deviation_reason": None,
        },
        "review_opinion": "事实清楚，证据确凿，适用依据正确，程序合法，同意。",
        "reviewer": "陈法",
        "review_passed_on": "2025-09-24",
        "collective_discussion_on": "2025-09-25",
        "discussion_place": "街道三楼会议室",
        "discussion_chair": "刘主任",
        "discussion_attendees": ["刘主任", "陈法", "张明"],
        "discussion_opinions": [{"name": "陈法", "opinion": "同意罚款二万元。"}],
        "discussion_result": "同意对当事人罚款人民币贰万元。",
        "notified_on": "2025-09-26",
        "hearing_right_notified": True,
        "contact": "张明 0571-12345678",
        "hearing_on": "2025-10-13",
        "hearing_place": "街道听证室",
        "hearing_host": "孙主持",
        "hearing_held_on": "2025-10-13",
        "hearing_report": "当事人对事实无异议，请求从轻处罚。",
        "facts": "当事人于2025年9月1日起在经营中未开启油烟净化设施，有检测报告、现场照片为证。",
        "penalty_basis": "《中华人民共和国大气污染防治法》第一百一十八条第一款",
        "performance": "自收到本决定书之日起十五日内缴纳罚款",
        "review_body": "杭州市示例区人民政府",
        "review_period_days": 60,
        "litigation_period_months": 6,
        "litigation_court": "杭州市示例区人民法院",
        "surcharge_told": True,
        "decided_on": "2025-10-20",
        "service_method": "direct",
        "served_on": "2025-10-21",
        "service_witness": "周见证",
        "closing_summary": "当事人已于2025年10月30日缴纳罚款。",
        "closed_on": "2025-11-03",
        "archive_no": "榕综执档〔2025〕12号",
        "archived_on": "2025-11-10",
        "dossier_remark": "本卷共12页，材料齐全。",
        "archivist": "李华",
        "archive_checker": "刘主任",
        "dossier_items": [
            {"title": "立案审批表", "number": "榕综执立字〔2025〕3号", "date": "2025-09-05", "pages": "1"},
            {
                "title": "行政处罚决定书",
                "number": "榕综执罚决字〔2025〕7号",
                "date": "2025-10-20",
                "pages": "2-3",
            },
        ],
        "served_document": "行政处罚决定书（榕综执罚决字〔2025〕7号）",
        "decision_number": "榕综执罚决字〔2025〕7号",
    }
    return Case(
        id="c1",
        agency_id="a1",
        kind=CaseKind.ORDINARY,
        title="餐饮服务项目油烟超标排放案",
        source=CaseSource.COMPLAINT,
        stage="closed",
        opened_on=dt.date(2025, 9, 2),
        case_number="榕综执罚立字〔2025〕第3号",
        item_code="ENV-081",
        party_ids=("p1",),
        officer_ids=("o1", "o2"),
        data=data,
    )


def _coercive() -> Case:
    data: dict[str, Any] = {
        "approver": "刘主任",
        "measure": "seal",
        "seizure_domain": "environment",
        "seizure_basis": "《中华人民共和国大气污染防治法》第三十条",
        "seizure_reason": "当事人油烟超标排放造成严重污染",
        "seizure_place": "杭州市示例区榕城路88号",
        "items": [
            {"name": "燃气灶具", "qty": "2台", "spec": "双眼", "note": "完好"},
            "排烟风机1台",
        ],
        "list_copies": 2,
        "seized_on": "2025-09-10",
        "extension_days": 30,
        "extension_reason": "检测期间较长，案情复杂",
        "extension_approved_on": "2025-10-08",
        "release_reason": "当事人已完成整改，查封的必要性已消失",
        "released_on": "2025-10-30",
        "review_body": "杭州市示例区人民政府",
    }
    return Case(
        id="c2",
        agency_id="a1",
        kind=CaseKind.COERCIVE,
        title="油烟污染查封案",
        source=CaseSource.PATROL,
        stage="released",
        opened_on=dt.date(2025, 9, 9),
        party_ids=("p1",),
        officer_ids=("o1", "o2"),
        data=data,
    )


def _simple() -> Case:
    data: dict[str, Any] = {
        "party_kind": "person",
        "certificate_shown": True,
        "act_date": "2025-10-12",
        "violation": "占用消防车通道停放车辆",
        "place": "榕城路小区3幢北侧消防车通道",
        "penalty_types": ["warning", "fine"],
        "fine": 200,
        "penalty_basis": "《中华人民共和国消防法》第六十条第二款",
        "decision_no": "浙榕当罚No.0012345",
        "review_body": "杭州市示例区人民政府",
        "review_period_days": 60,
        "review_first_told": True,
        "refused_to_sign": True,
        "refusal_note": "当事人拒绝签收，已拍照记录。",
        "decided_on": "2025-10-12",
    }
    return Case(
        id="c3",
        agency_id="a1",
        kind=CaseKind.SIMPLE,
        title="占用消防车通道案",
        source=CaseSource.PATROL,
        stage="decided",
        opened_on=dt.date(2025, 10, 12),
        case_number="榕综执简字〔2025〕第9号",
        party_ids=("p2",),
        officer_ids=("o1", "o2"),
        data=data,
    )


ISSUED = dt.date(2025, 10, 13)


def _context(code: str) -> dict[str, Any]:
    s = spec(code)
    if s.kinds == frozenset({"simple"}):
        return build_context(_simple(), AGENCY, [PERSON], OFFICERS, None, ISSUED)
    if s.code.startswith("seizure_"):
        return build_context(_coercive(), AGENCY, [RESTAURANT], OFFICERS, "榕综执封字〔2025〕2号", ISSUED)
    number = f"榕综执{s.number_kind}〔2025〕7号" if s.number_kind else None
    return build_context(_ordinary(), AGENCY, [RESTAURANT], OFFICERS, number, ISSUED)


def _strip(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _values(value: Any) -> list[str]:
    """The printable strings in a context value (bools are flags, not printed)."""
    if isinstance(value, bool):
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, Mapping):
        return [s for v in value.values() for s in _values(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _values(v)]
    return [str(value)]


def _all_text(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    section = document.sections[0]
    parts.extend(p.text for p in section.header.paragraphs)
    parts.extend(p.text for p in section.footer.paragraphs)
    return "\n".join(parts)


# ------------------------------------------------------------------ catalogue


def test_catalog_covers_the_required_documents() -> None:
    titles = {s.title for s in CATALOG.values()}
    for title in (
        "立案审批表", "现场检查笔录", "询问（调查）笔录", "先行登记保存证据通知书", "责令改正通知书",
        "案件调查终结报告", "法制审核意见书", "集体讨论记录", "行政处罚事先告知书", "听证通知书",
        "听证笔录", "行政处罚决定书", "不予行政处罚决定书", "当场行政处罚决定书", "送达回证", "催告书",
        "查封（扣押）决定书", "查封（扣押）清单", "延长查封（扣押）期限决定书", "解除查封（扣押）决定书",
        "结案审批表", "卷内目录", "备考表",
    ):  # fmt: skip
        assert title in titles
    for code, s in CATALOG.items():
        assert s.code == code
        assert (TEMPLATES / s.template).is_file()
        assert s.kinds <= catalog.ALL_KINDS and s.kinds
        assert all(f.where and f.label for f in s.fields)
    assert spec("penalty_decision").number_kind == "罚决字"
    assert spec("inquiry_record").number_kind is None
    assert spec("dossier_index").number_kind is None


def test_spec_lookup() -> None:
    with pytest.raises(NotFound, match="没有这种执法文书"):
        spec("nope")
    assert spec_by_title("《行政处罚决定书》") is spec("penalty_decision")
    assert spec_by_title("不存在的文书") is None


def test_workflow_documents_in_catalog_resolve_by_title() -> None:
    import json

    named: set[str] = set()
    for path in WORKFLOWS.glob("*.json"):
        for action in json.loads(path.read_text(encoding="utf-8"))["actions"]:
            named.update(action.get("documents") or ())
    resolved = {t for t in named if spec_by_title(t) is not None}
    assert {
        "立案审批表",
        "行政处罚决定书",
        "当场行政处罚决定书",
        "查封（扣押）决定书",
        "卷内目录",
    } <= resolved


# ------------------------------------------------------------------ every template


@pytest.mark.parametrize("code", sorted(CATALOG))
def test_every_template_fills_from_a_complete_case(code: str, tmp_path: Path) -> None:
    s = spec(code)
    template = TEMPLATES / s.template
    ctx = _context(code)
    assert missing_fields(s, ctx) == []
    used = template_fields(template)
    assert "qr" in used
    # review_body is printed inside remedy_text (复议机关 + 期限).
    printed = used | ({"review_body"} if "remedy_text" in used else set())
    assert {f.name for f in s.fields} <= printed
    out = tmp_path / f"{code}.docx"
    digest = render_docx(template, ctx, out)
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    text = _strip(_all_text(out))
    assert "{{" not in text and "{%" not in text and "}}" not in text
    assert s.title in text
    for name in used - {"qr"}:
        for value in _values(ctx[name]):
            assert _strip(value) in text, f"{code}: {name}={value!r} not in the document"
    assert digest == content_hash(out)
    assert canonical_text(out) == _text_as_python_docx_reads_it(out)
    assert list(tmp_path.iterdir()) == [out]


def _text_as_python_docx_reads_it(path: Path) -> str:
    """The canonical text through python-docx's full document model (what the fast reader of
    render.py must agree with): body, distinct section headers, then footers, no whitespace."""
    document = docx.Document(str(path))
    texts = [t.text or "" for t in document.element.body.iter(qn("w:t"))]
    seen: set[int] = set()
    groups: tuple[list[Any], list[Any]] = ([], [])
    for section in document.sections:
        for group, items in (
            (groups[0], (section.first_page_header, section.header, section.even_page_header)),
            (groups[1], (section.first_page_footer, section.footer, section.even_page_footer)),
        ):
            for hf in items:
                if not hf.is_linked_to_previous and id(hf.part) not in seen:
                    seen.add(id(hf.part))
                    group.append(hf.part.element)
    for element in groups[0] + groups[1]:
        texts.extend(t.text or "" for t in element.iter(qn("w:t")))
    return re.sub(r"\s+", "", "".join(texts))


def test_on_spot_decision_has_the_review_first_wording(tmp_path: Path) -> None:
    out = tmp_path / "d.docx"
    render_docx(TEMPLATES / "on_spot_decision.docx", _context("on_spot_decision"), out)
    text = _strip(_all_text(out))
    assert "对当场处罚决定不服的，应当先申请行政复议" in text
    assert "《中华人民共和国行政复议法》第二十三条" in text
    assert "浙榕当罚No.0012345" in text  # the pre-printed number
    assert "当事人拒绝签收" in text
    assert "贰佰元整" in text and "200元" in text


def test_decision_states_remedies_payment_surcharge_and_discretion(tmp_path: Path) -> None:
    out = tmp_path / "d.docx"
    render_docx(TEMPLATES / "penalty_decision.docx", _context("penalty_decision"), out)
    text = _strip(_all_text(out))
    for phrase in (
        "六十日内向杭州市示例区人民政府申请行政复议",
        "六个月内依法向杭州市示例区人民法院提起行政诉讼",
        "十五日内",
        "每日按罚款数额的百分之三加处罚款",
        "贰万元整",
        "20,000元",
        "一般档（18,500元至36,500元）",
        "初次被查处",
        "示环发〔2024〕1号",
        "榕综执罚决字〔2025〕7号",
        "2025年10月13日",
    ):
        assert phrase in text


def test_prior_notice_tells_the_hearing_right_only_when_set(tmp_path: Path) -> None:
    template = TEMPLATES / "prior_notice.docx"
    ctx = _context("prior_notice")
    render_docx(template, ctx, tmp_path / "a.docx")
    assert "有权要求举行听证" in _all_text(tmp_path / "a.docx")
    render_docx(template, {**ctx, "hearing_right_notified": False}, tmp_path / "b.docx")
    assert "有权要求举行听证" not in _all_text(tmp_path / "b.docx")


def test_party_block_by_kind() -> None:
    org = _context("penalty_decision")["party_lines"]
    assert org == [
        "当事人：杭州味美餐饮有限公司",
        "统一社会信用代码：91330100MA2XXXXX1K",
        "法定代表人：王大力",
        "地址：杭州市示例区榕城路88号",
    ]
    person = _context("on_spot_decision")["party_lines"]
    assert person[1] == "公民身份号码：330106199001011234"


# ------------------------------------------------------------------ typography


@pytest.mark.parametrize("code", sorted(CATALOG))
def test_typography(code: str) -> None:
    document = docx.Document(str(TEMPLATES / spec(code).template))
    section = document.sections[0]
    assert section.page_width is not None and section.page_height is not None
    assert abs(section.page_width - Mm(210)) < Mm(0.5)
    assert abs(section.page_height - Mm(297)) < Mm(0.5)
    for got, want in (
        (section.top_margin, 37),
        (section.bottom_margin, 35),
        (section.left_margin, 28),
        (section.right_margin, 26),
    ):
        assert got is not None and abs(got - Mm(want)) < Mm(0.1)
    for style in document.styles:
        if style.type in (1, 2):  # paragraph, character
            fonts = style.element.rPr.rFonts if style.element.rPr is not None else None
            assert fonts is not None and fonts.get(qn("w:eastAsia")), style.name
    title = document.styles["文书标题"]
    assert title.font.size.pt == 22
    assert title.element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    normal = document.styles["Normal"]
    assert normal.font.size.pt == 16
    assert normal.element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    footer_xml = section.footer._element.xml
    assert "PAGE" in footer_xml and "NUMPAGES" in footer_xml
    assert "{{ qr }}" in section.header.paragraphs[0].text


# ------------------------------------------------------------------ QR


def test_qr_image_goes_into_the_header(tmp_path: Path) -> None:
    segno = pytest.importorskip("segno")
    buffer = io.BytesIO()
    segno.make("https://example.invalid/v/abc").save(buffer, kind="png", scale=4)
    out = tmp_path / "d.docx"
    render_docx(
        TEMPLATES / "penalty_decision.docx", _context("penalty_decision"), out, qr_png=buffer.getvalue()
    )
    document = docx.Document(str(out))
    assert "graphicData" in document.sections[0].header._element.xml
    with zipfile.ZipFile(out) as z:
        assert any(n.startswith("word/media/") for n in z.namelist())


# ------------------------------------------------------------------ safety


def test_values_are_escaped_and_printed_literally(tmp_path: Path) -> None:
    ctx = _context("penalty_decision")
    ctx["facts"] = "a<b && c>d {{7*7}} {% if x %} 响\x07铃 \x00end\ttab"
    ctx["party_lines"] = ["当事人：<script>&amp;"]
    out = tmp_path / "d.docx"
    render_docx(TEMPLATES / "penalty_decision.docx", ctx, out)
    text = _all_text(out)
    assert "a<b && c>d {{7*7}} {% if x %} 响铃 end" in text
    assert "当事人：<script>&amp;" in text
    assert "49" not in text
    assert "\x07" not in text


def _template_with(tmp_path: Path, body_text: str) -> Path:
    document = docx.Document()
    document.add_paragraph(body_text)
    path = tmp_path / "custom.docx"
    document.save(str(path))
    return path


def test_sandbox_refuses_code(tmp_path: Path) -> None:
    template = _template_with(tmp_path, "{{ ''.__class__.__mro__[1].__subclasses__() }}")
    out = tmp_path / "out" / "x.docx"
    with pytest.raises(TemplateBroken, match=r"custom\.docx") as info:
        render_docx(template, {}, out)
    assert isinstance(info.value, KnownError)
    assert not out.exists()


def test_unknown_placeholder_is_refused(tmp_path: Path) -> None:
    template = _template_with(tmp_path, "当事人：{{ no_such_field }}")
    out = tmp_path / "x.docx"
    with pytest.raises(TemplateBroken, match=r"custom\.docx") as info:
        render_docx(template, {"party_name": "x"}, out)
    assert "no_such_field" in info.value.message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["custom.docx"]


def test_bad_jinja_syntax_is_refused(tmp_path: Path) -> None:
    template = _template_with(tmp_path, "{% if %}")
    with pytest.raises(TemplateBroken, match=r"custom\.docx"):
        render_docx(template, {}, tmp_path / "x.docx")
    with pytest.raises(TemplateBroken, match=r"custom\.docx"):
        template_fields(template)
    assert not (tmp_path / "x.docx").exists()


def test_malformed_xml_is_refused(tmp_path: Path) -> None:
    good = TEMPLATES / "penalty_decision.docx"
    broken = tmp_path / "broken.docx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                data = data[: len(data) // 2]
            dst.writestr(item, data)
    out = tmp_path / "x.docx"
    with pytest.raises(TemplateBroken, match=r"broken\.docx"):
        render_docx(broken, _context("penalty_decision"), out)
    not_a_docx = tmp_path / "plain.docx"
    not_a_docx.write_text("hello", encoding="utf-8")
    with pytest.raises(TemplateBroken, match=r"plain\.docx"):
        render_docx(not_a_docx, {}, out)
    with pytest.raises(TemplateBroken, match=r"missing\.docx"):
        render_docx(tmp_path / "missing.docx", {}, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.docx", "plain.docx"]


def test_failed_render_keeps_the_previous_output(tmp_path: Path) -> None:
    out = tmp_path / "d.docx"
    render_docx(TEMPLATES / "hearing_notice.docx", _context("hearing_notice"), out)
    before = out.read_bytes()
    ctx = _context("hearing_notice")
    del ctx["hearing_place"]
    with pytest.raises(TemplateBroken):
        render_docx(TEMPLATES / "hearing_notice.docx", ctx, out)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["d.docx"]


# ------------------------------------------------------------------ missing fields


def test_missing_fields_name_where_to_fill_them() -> None:
    s = spec("penalty_decision")
    ctx = _context("penalty_decision")
    ctx["facts"] = "   "
    ctx["penalty_text"] = ""
    ctx["doc_number"] = None
    del ctx["review_body"]
    missing = missing_fields(s, ctx)
    assert [f.name for f in missing] == ["doc_number", "facts", "penalty_text", "review_body"]
    where = {f.name: f.where for f in missing}
    assert where["penalty_text"] == "调查终结 → 拟处罚种类、拟罚款金额"
    assert where["facts"].startswith("作出行政处罚决定")
    ctx["officers"] = []
    assert missing_fields(spec("hearing_record"), {**ctx, "officers": []})[0].name in {
        f.name for f in spec("hearing_record").fields
    }


def test_missing_fields_of_an_empty_case() -> None:
    case = Case("c", "a1", CaseKind.ORDINARY, "案由", CaseSource.PATROL, "clue", dt.date(2025, 1, 1))
    ctx = build_context(case, AGENCY, [], [], None, ISSUED)
    names = {f.name for f in missing_fields(spec("penalty_decision"), ctx)}
    assert {"doc_number", "party_lines", "facts", "penalty_text", "performance", "review_body"} <= names
    assert "agency_name" not in names and "issued_date" not in names


# ------------------------------------------------------------------ content hash


def test_content_hash_is_stable_and_tracks_values(tmp_path: Path) -> None:
    template = TEMPLATES / "penalty_decision.docx"
    ctx = _context("penalty_decision")
    first = render_docx(template, ctx, tmp_path / "a.docx")
    second = render_docx(template, ctx, tmp_path / "b.docx")
    assert first == second == content_hash(tmp_path / "a.docx")
    changed = render_docx(template, {**ctx, "facts": ctx["facts"] + "另查明"}, tmp_path / "c.docx")
    assert changed != first
    # Whitespace does not count.
    spaced = render_docx(template, {**ctx, "facts": " ".join(ctx["facts"])}, tmp_path / "d.docx")
    assert spaced == first
    canon = canonical_text(tmp_path / "a.docx")
    assert not re.search(r"\s", canon)
    assert canon.index("杭州市示例区榕城街道办事处") < canon.index("行政处罚决定书")


def test_templates_regenerate_identically(tmp_path: Path) -> None:
    """The committed templates are what scripts/make_templates.py makes (text and fields)."""
    import importlib.util

    path = ROOT / "scripts" / "make_templates.py"
    module_spec = importlib.util.spec_from_file_location("make_templates", path)
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    out = tmp_path / "templates"
    assert module.main([str(out)]) == 0
    for s in CATALOG.values():
        assert canonical_text(out / s.template) == canonical_text(TEMPLATES / s.template), s.code
    shutil.rmtree(out)


# ------------------------------------------------------------------ 法律依据


def _articles() -> list[ResolvedArticle]:
    return [
        ResolvedArticle(
            citation="《中华人民共和国大气污染防治法》第一百一十八条第一款",
            law_title="中华人民共和国大气污染防治法",
            version_label="2018年10月26日版",
            effective_date=dt.date(2018, 10, 26),
            article_label="第一百一十八条第一款",
            text="违反本法规定，排放油烟的餐饮服务业经营者未安装油烟净化设施……\n处五千元以上五万元以下的罚款。",
        )
    ]


BASIS_DOCUMENTS = (
    "penalty_decision",
    "no_penalty_decision",
    "on_spot_decision",
    "prior_notice",
    "investigation_report",
)


def test_the_decisions_name_their_basis_fields() -> None:
    for code in BASIS_DOCUMENTS:
        names = {f.name for f in spec(code).basis_fields}
        assert names & {"penalty_basis", "outcome_basis"}, code
    assert {f.name for f in spec("penalty_decision").basis_fields} == {"penalty_basis", "violation_basis"}
    assert [c for c, s in CATALOG.items() if s.basis_fields and c not in BASIS_DOCUMENTS] == []


@pytest.mark.parametrize("code", BASIS_DOCUMENTS)
def test_the_decisions_print_each_article_under_legal_basis(code: str, tmp_path: Path) -> None:
    s = spec(code)
    assert "legal_basis" in template_fields(TEMPLATES / s.template)
    base = _context(code)
    assert base["legal_basis"] == [] and base["legal_basis_text"] == ""
    render_docx(TEMPLATES / s.template, base, tmp_path / "none.docx")
    assert "法律依据" not in _all_text(tmp_path / "none.docx")

    if s.kinds == frozenset({"simple"}):
        ctx = build_context(_simple(), AGENCY, [PERSON], OFFICERS, None, ISSUED, legal_basis=_articles())
    else:
        ctx = build_context(
            _ordinary(), AGENCY, [RESTAURANT], OFFICERS, "7号", ISSUED, legal_basis=_articles()
        )
    assert ctx["legal_basis"][0]["lines"] == [
        "违反本法规定，排放油烟的餐饮服务业经营者未安装油烟净化设施……",
        "处五千元以上五万元以下的罚款。",
    ]
    assert ctx["legal_basis_text"] == (
        "《中华人民共和国大气污染防治法》第一百一十八条第一款：违反本法规定，排放油烟的餐饮服务业经营者"
        "未安装油烟净化设施…… 处五千元以上五万元以下的罚款。"
    )
    out = tmp_path / "basis.docx"
    render_docx(TEMPLATES / s.template, ctx, out)
    paragraphs = [p.text for p in docx.Document(str(out)).paragraphs]
    start = paragraphs.index("法律依据：")
    assert paragraphs[start + 1 : start + 4] == [
        "《中华人民共和国大气污染防治法》第一百一十八条第一款：",
        "违反本法规定，排放油烟的餐饮服务业经营者未安装油烟净化设施……",
        "处五千元以上五万元以下的罚款。",
    ]


# ------------------------------------------------------------------ values from issued documents


def _issued() -> list[IssuedDocument]:
    return [
        IssuedDocument("filing_approval", "立案审批表", "榕综执立字〔2025〕3号", dt.date(2025, 9, 5), 1),
        IssuedDocument(
            "penalty_decision", "行政处罚决定书", "榕综执罚决字〔2025〕7号", dt.date(2025, 10, 20), 3
        ),
        IssuedDocument("inquiry_record", "询问（调查）笔录", None, dt.date(2025, 10, 21), None),
        IssuedDocument("closing_approval", "结案审批表", None, dt.date(2025, 11, 3), 1),
        IssuedDocument("dossier_note", "备考表", None, dt.date(2025, 11, 10), 1),
    ]


def _bare_ordinary() -> Case:
    case = _ordinary()
    data = {
        k: v
        for k, v in case.data.items()
        if k not in {"served_document", "decision_number", "decided_on", "dossier_items"}
    }
    return dataclasses.replace(case, data=data)


def test_values_derived_from_the_issued_documents() -> None:
    ctx = build_context(_bare_ordinary(), AGENCY, [RESTAURANT], OFFICERS, None, ISSUED, issued=_issued())
    assert ctx["served_document"] == "行政处罚决定书（榕综执罚决字〔2025〕7号）"
    assert ctx["decision_number"] == "榕综执罚决字〔2025〕7号"
    assert ctx["decided_date"] == "2025年10月20日"
    rows = [(r["no"], r["title"], r["number"], r["date"], r["pages"]) for r in ctx["dossier_items"]]
    assert rows == [
        ("1", "立案审批表", "榕综执立字〔2025〕3号", "2025年9月5日", "1"),
        ("2", "行政处罚决定书", "榕综执罚决字〔2025〕7号", "2025年10月20日", "2-4"),
        ("3", "询问（调查）笔录", "", "2025年10月21日", ""),  # no PDF: pages unknown from here
        ("4", "结案审批表", "", "2025年11月3日", ""),
    ]  # the 备考表 is not listed
    for code in ("service_receipt", "reminder", "dossier_index"):
        assert not {f.name for f in missing_fields(spec(code), ctx)} & {
            "served_document",
            "decision_number",
            "decided_date",
            "dossier_items",
        }
    # The latest decision is served; a 当场决定书 after the 决定书 is the one.
    later = [
        *_issued(),
        IssuedDocument("seizure_decision", "查封（扣押）决定书", "封字1号", dt.date(2025, 12, 1)),
    ]
    ctx = build_context(_bare_ordinary(), AGENCY, [RESTAURANT], OFFICERS, None, ISSUED, issued=later)
    assert ctx["served_document"] == "查封（扣押）决定书（封字1号）"
    # Nothing issued: nothing derived, and the missing report says where to go.
    empty = build_context(_bare_ordinary(), AGENCY, [RESTAURANT], OFFICERS, None, ISSUED)
    missing = {f.name: f.where for f in missing_fields(spec("reminder"), empty)}
    assert missing["decision_number"].startswith("先出具行政处罚决定书")
    assert missing_fields(spec("dossier_index"), empty)[0].where.startswith("先出具本案文书")


def test_explicit_case_values_win_over_derived_ones() -> None:
    ctx = build_context(_ordinary(), AGENCY, [RESTAURANT], OFFICERS, None, ISSUED, issued=_issued())
    assert ctx["served_document"] == "行政处罚决定书（榕综执罚决字〔2025〕7号）"  # the case's own
    assert ctx["decided_date"] == "2025年10月20日"
    assert [r["pages"] for r in ctx["dossier_items"]] == ["1", "2-3"]
    ctx = build_context(
        _bare_ordinary(),
        AGENCY,
        [RESTAURANT],
        OFFICERS,
        None,
        ISSUED,
        {"decision_number": "手写文号1号", "decided_on": "2025-10-19", "served_document": "听证通知书"},
        issued=_issued(),
    )
    assert (ctx["decision_number"], ctx["decided_date"], ctx["served_document"]) == (
        "手写文号1号",
        "2025年10月19日",
        "听证通知书",
    )


def test_the_dossier_note_takes_the_archive_fields() -> None:
    ctx = _context("dossier_note")
    assert (ctx["archivist"], ctx["archive_checker"], ctx["dossier_remark"]) == (
        "李华",
        "刘主任",
        "本卷共12页，材料齐全。",
    )
    wheres = {f.name: f.where for f in spec("dossier_note").fields}
    assert wheres["archivist"] == "归档 → 立卷人" and wheres["archive_checker"] == "归档 → 检查人"


# ------------------------------------------------------------------ 笔录 signed on every page


def _png(width: int = 120, height: int = 48) -> bytes:
    import struct
    import zlib

    rows = b"".join(b"\x00" + b"\x00\x00\x00" * width for _ in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def test_the_records_are_signed_per_page() -> None:
    per_page = {c: s.signed_per_page for c, s in CATALOG.items() if s.signed_per_page}
    assert per_page == {
        "inspection_record": "被检查人",
        "inquiry_record": "被询问人",
        "hearing_record": "当事人",
    }
    for code, label in per_page.items():
        footer = docx.Document(str(TEMPLATES / spec(code).template)).sections[0].footer
        assert footer.paragraphs[0].text.startswith(f"{label}签名：")


def test_the_signature_goes_into_every_footer(tmp_path: Path) -> None:
    from workstation.documents.signatures import SignatureMark, append_signatures

    out = tmp_path / "inquiry.docx"
    render_docx(TEMPLATES / "inquiry_record.docx", _context("inquiry_record"), out)
    marks = [
        SignatureMark("当事人", "王大力", _png()),
        SignatureMark("执法人员", "张明", _png(100, 40)),
    ]
    append_signatures(out, marks, per_page="被询问人")
    document = docx.Document(str(out))
    footer = document.sections[0].footer
    paragraph = footer.paragraphs[0]
    runs = paragraph.runs
    assert runs[0].text == "被询问人签名："
    drawings = footer._element.xpath(".//w:drawing")
    assert len(drawings) == 1  # the party's, not the officer's
    assert runs[1]._r.xpath(".//w:drawing")  # right after the label
    assert "第" in paragraph.text and "页" in paragraph.text  # the page number stays
    image_rels = [r for r in footer.part.rels.values() if r.reltype.endswith("/image")]
    assert len(image_rels) == 1 and image_rels[0].target_part.blob == _png()
    assert len(document.inline_shapes) == 2  # and the 签名 block at the end of the body
    assert "被询问人签名：" in canonical_text(out)

    # Refused: the note with the witness on every page instead.
    refused = tmp_path / "refused.docx"
    render_docx(TEMPLATES / "inquiry_record.docx", _context("inquiry_record"), refused)
    append_signatures(refused, [SignatureMark("当事人", "王大力", None, True, "钱见证")], per_page="被询问人")
    footer = docx.Document(str(refused)).sections[0].footer
    assert footer.paragraphs[0].text.startswith("被询问人签名：被询问人拒绝签字，见证人：钱见证")
    assert not footer._element.xpath(".//w:drawing")

    # Without per_page (or for other documents) the footer is untouched.
    plain = tmp_path / "plain.docx"
    render_docx(TEMPLATES / "inquiry_record.docx", _context("inquiry_record"), plain)
    before = docx.Document(str(plain)).sections[0].footer.paragraphs[0].text
    append_signatures(plain, marks)
    assert docx.Document(str(plain)).sections[0].footer.paragraphs[0].text == before
