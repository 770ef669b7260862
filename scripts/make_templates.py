"""Generate the 执法文书 templates (resources/templates/<code>.docx) with python-docx.

Run: .venv/bin/python scripts/make_templates.py [output directory]

Every template follows the official typography (GB/T 9704 style): A4; margins top 37 mm,
bottom 35 mm, left 28 mm, right 26 mm; the title in 方正小标宋简体 (fallback 宋体) 2号 (22 pt)
centred; the body in 仿宋_GB2312 (fallback 仿宋) 3号 (16 pt); the w:eastAsia font set on every
paragraph and character style (Word/WPS otherwise fall back to a wrong font for Chinese);
the agency name on top, the 文书编号 right-aligned under the title, the 落款 (agency, seal
position and date) at the bottom right, page numbers in the footer and the QR code
(docxtpl InlineImage ``qr``) in the header. A 笔录 signed on every page (catalog
``signed_per_page``) has “被询问人签名：” and a blank in its footer before the page number;
documents/signatures.py puts the signature there. Decisions print the cited articles (the
version in force on the day of the conduct) under 法律依据 (``legal_basis``). Placeholders are
docxtpl/Jinja: ``{{ name }}``, ``{%p for %}`` paragraph loops and ``{%tr for %}`` table-row
loops over the context of workstation.documents.context.build_context.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.oxml import serialize_part_xml
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

from workstation.documents.catalog import CATALOG, DocumentSpec
from workstation.documents.signatures import footer_label

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "templates"

BODY_FONT = "仿宋_GB2312"
BODY_FALLBACK = "仿宋"
TITLE_FONT = "方正小标宋简体"
TITLE_FALLBACK = "宋体"
LATIN_FONT = "Times New Roman"
BODY_SIZE = Pt(16)  # 3号
TITLE_SIZE = Pt(22)  # 2号
AGENCY_STYLE = "文书机关名称"
TITLE_STYLE = "文书标题"
NUMBER_STYLE = "文书编号"
SIGN_STYLE = "文书落款"
PLAIN_STYLE = "文书正文无缩进"

Block = Any
#: Fixed document dates, so regenerating the templates changes nothing but zip timestamps.
_FIXED_TIME = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)

PARTY: Block = ("for", "line in party_lines", ["{{ line }}"])
OFFICERS: Block = ("for", "o in officers", ["执法人员：{{ o.name }}　执法证号：{{ o.certificate_no }}"])
SIGN: Block = ("sign",)
REMEDY = "{{ remedy_text }}"
#: 法律依据: each cited article with its text, in the version in force on the day of the conduct.
LEGAL_BASIS: Block = (
    "if",
    "legal_basis",
    [
        "法律依据：",
        ("for", "b in legal_basis", ["{{ b.citation }}：", ("for", "line in b.lines", ["{{ line }}"])]),
    ],
)
#: The blank left in a 笔录's footer for the signature on every page.
FOOTER_BLANK = "　" * 6
ITEMS_TABLE: Block = (
    "table",
    ["序号", "名称", "规格", "数量", "备注"],
    "r in items",
    ["{{ r.no }}", "{{ r.name }}", "{{ r.spec }}", "{{ r.qty }}", "{{ r.note }}"],
)

BODIES: dict[str, list[Block]] = {
    "filing_approval": [
        "案号：{{ case_number }}",
        "案由：{{ case_title }}",
        "案件来源：{{ case_source }}",
        PARTY,
        "违法行为发生日期：{{ act_date }}",
        "简要案情：{{ brief_facts }}",
        "承办执法人员：",
        OFFICERS,
        "承办人意见：建议立案调查。",
        "负责人审批意见：同意立案。",
        "审批日期：{{ filed_date }}",
    ],
    "inspection_record": [
        "案由：{{ case_title }}",
        "检查日期：{{ inspected_date }}　检查地点：{{ place }}",
        "被检查人：{{ party_name }}",
        PARTY,
        OFFICERS,
        "执法人员已向被检查人出示执法证件，告知其享有陈述、申辩的权利以及申请回避的权利。",
        "参加检查的部门：{{ departments }}",
        (
            "table",
            ["部门", "检查事项", "检查结果"],
            "c in checklist",
            ["{{ c.department }}", "{{ c.item }}", "{{ c.result }}"],
        ),
        "检查情况：{{ findings }}",
        "被检查人（签名）：　　　　　　见证人（签名）：",
        "执法人员（签名）：　　　　　　　　年　月　日",
    ],
    "inquiry_record": [
        "案由：{{ case_title }}",
        "询问时间：{{ inquiry_start }} 至 {{ inquiry_end }}",
        "询问地点：{{ inquiry_place }}",
        "被询问人：{{ interviewee }}",
        "询问人：{{ questioner }}　记录人：{{ recorder }}",
        "我们是{{ agency_name }}的执法人员，已向你出示执法证件。依法向你询问有关情况，"
        "你应当如实回答；你有陈述、申辩和申请回避的权利。你是否申请回避？",
        ("for", "e in qa", ["问：{{ e.q }}", "答：{{ e.a }}"]),
        "以上笔录看过与我说的相符。",
        "被询问人（签名、捺印）：　　　　　　　　年　月　日",
        "询问人（签名）：　　　　记录人（签名）：",
    ],
    "save_notice": [
        PARTY,
        "因你（单位）涉嫌{{ case_title }}，经本机关负责人于{{ save_approved_date }}批准，依据"
        "《中华人民共和国行政处罚法》第五十六条的规定，本机关于{{ saved_date }}对下列证据予以先行登记保存：",
        (
            "table",
            ["序号", "名称", "规格", "数量", "备注"],
            "r in saved_items",
            ["{{ r.no }}", "{{ r.name }}", "{{ r.spec }}", "{{ r.qty }}", "{{ r.note }}"],
        ),
        "在先行登记保存期间，当事人或者有关人员不得损毁、销毁或者转移证据。"
        "本机关将在七个工作日内对先行登记保存的证据作出处理决定。",
        SIGN,
    ],
    "rectify_notice": [
        PARTY,
        "经查，你（单位）存在以下违法行为：{{ violation }}",
        "上述行为违反了{{ violation_basis }}的规定。",
        "现责令你（单位）于{{ rectify_by_date }}前改正上述违法行为。逾期不改正的，本机关将依法处理。",
        "如不服本通知，可以自收到本通知书之日起{{ review_period_text }}内向{{ review_body }}申请行政复议，"
        "或者自收到本通知书之日起{{ litigation_period_text }}内依法向人民法院提起行政诉讼。",
        SIGN,
    ],
    "investigation_report": [
        "案号：{{ case_number }}",
        "案由：{{ case_title }}",
        PARTY,
        "一、违法事实：{{ facts }}",
        "二、证据：{{ evidence_text }}",
        "三、处理意见：{{ outcome_label }}",
        "四、拟处罚内容：{{ penalty_text }}",
        "五、裁量基准适用：{{ discretion_text }}",
        LEGAL_BASIS,
        "承办执法人员：",
        OFFICERS,
        "调查终结日期：{{ concluded_date }}",
    ],
    "legal_review_opinion": [
        "案号：{{ case_number }}",
        "案由：{{ case_title }}",
        "当事人：{{ party_name }}",
        "审核事项：执法主体、管辖、违法事实、证据、适用依据、程序、裁量基准适用。",
        "审核意见：{{ review_opinion }}",
        "法制审核人员：{{ reviewer }}",
        "审核日期：{{ review_date }}",
    ],
    "collective_discussion": [
        "案号：{{ case_number }}",
        "案由：{{ case_title }}",
        "讨论时间：{{ discussion_date }}",
        "讨论地点：{{ discussion_place }}",
        "主持人：{{ discussion_chair }}",
        "参加人员：{{ discussion_attendees }}",
        "讨论意见：",
        ("for", "e in discussion_opinions", ["{{ e.name }}：{{ e.opinion }}"]),
        "集体讨论决定：{{ discussion_result }}",
        "参加人员（签名）：",
    ],
    "prior_notice": [
        PARTY,
        "经查，你（单位）{{ facts }}",
        "本机关认为，你（单位）的上述行为违法，依据{{ penalty_basis }}的规定，"
        "拟对你（单位）作出如下行政处罚：{{ penalty_text }}。",
        LEGAL_BASIS,
        "{{ discretion_text }}",
        "根据《中华人民共和国行政处罚法》第四十四条、第四十五条的规定，你（单位）有权进行陈述和申辩。"
        "可以自收到本告知书之日起三个工作日内向本机关提出陈述、申辩，逾期视为放弃。",
        (
            "if",
            "hearing_right_notified",
            [
                "根据《中华人民共和国行政处罚法》第六十三条、第六十四条的规定，你（单位）有权要求举行听证。"
                "要求听证的，应当自收到本告知书之日起五个工作日内向本机关提出，逾期视为放弃。",
            ],
        ),
        "联系人及电话：{{ contact }}",
        SIGN,
    ],
    "hearing_notice": [
        PARTY,
        "根据你（单位）的申请，本机关定于{{ hearing_date }}在{{ hearing_place }}"
        "对{{ case_title }}一案举行听证，听证主持人为{{ hearing_host }}。",
        "你（单位）认为主持人与本案有直接利害关系的，有权申请回避。你（单位）可以亲自参加听证，"
        "也可以委托一至二人代理，委托代理人参加听证的应当提交授权委托书。",
        "无正当理由拒不出席听证或者未经许可中途退出听证的，视为放弃听证权利，本机关终止听证。",
        SIGN,
    ],
    "hearing_record": [
        "案号：{{ case_number }}",
        "案由：{{ case_title }}",
        "听证时间：{{ hearing_held_date }}　听证地点：{{ hearing_place }}",
        "听证主持人：{{ hearing_host }}",
        PARTY,
        "案件调查人员：",
        OFFICERS,
        "主持人告知当事人申请回避的权利，当事人表示不申请回避。",
        "听证情况（调查人员提出违法事实、证据和处罚建议，当事人申辩和质证）：{{ hearing_report }}",
        "以上笔录看过与我说的相符。",
        "当事人（签名、捺印）：　　　　　主持人（签名）：　　　　　记录人（签名）：",
    ],
    "penalty_decision": [
        PARTY,
        "违法事实和证据：{{ facts }}",
        "本机关认为，你（单位）的上述行为违法，依据{{ penalty_basis }}的规定，"
        "决定对你（单位）作出如下行政处罚：{{ penalty_text }}。",
        LEGAL_BASIS,
        "裁量基准适用：{{ discretion_text }}",
        "履行方式和期限：{{ performance }}",
        "{{ payment_text }}",
        "{{ surcharge_text }}",
        REMEDY,
        "当事人地址：{{ party_address }}",
        SIGN,
    ],
    "no_penalty_decision": [
        PARTY,
        "当事人地址：{{ party_address }}",
        "经查：{{ facts }}",
        "本机关认为：{{ outcome_label }}。依据{{ outcome_basis }}的规定，决定对你（单位）不予行政处罚。",
        LEGAL_BASIS,
        "本机关已对你（单位）进行了教育，望今后严格遵守法律、法规。",
        REMEDY,
        SIGN,
    ],
    "on_spot_decision": [
        PARTY,
        "违法行为：你（单位）于{{ act_date }}在{{ place }}{{ violation }}",
        "以上事实有执法人员现场检查情况为证，执法人员已出示执法证件。",
        "依据{{ penalty_basis }}的规定，当场作出如下行政处罚：{{ penalty_text }}。",
        LEGAL_BASIS,
        "{{ payment_text }}",
        "{{ surcharge_text }}",
        "对当场处罚决定不服的，应当先申请行政复议：根据《中华人民共和国行政复议法》第二十三条的规定，"
        "可以自收到本决定书之日起{{ review_period_text }}内向{{ review_body }}申请行政复议；"
        "对行政复议决定不服的，可以依法向人民法院提起行政诉讼。",
        OFFICERS,
        ("if", "refused_to_sign", ["当事人拒绝签收，执法人员已在本决定书上注明。{{ refusal_note }}"]),
        "当事人（签名、捺印）：　　　　　　　　年　月　日",
        "本决定书应当报所属行政机关备案。",
        SIGN,
    ],
    "service_receipt": [
        "案由：{{ case_title }}",
        "送达文书名称及文号：{{ served_document }}",
        "受送达人：{{ party_name }}",
        "送达地点：{{ party_address }}",
        "送达方式：{{ service_method_label }}",
        "送达日期：{{ served_date }}",
        "送达人：",
        OFFICERS,
        "见证人：{{ service_witness }}",
        "受送达人（签名、捺印）：　　　　　　　　年　月　日",
    ],
    "reminder": [
        PARTY,
        "本机关于{{ decided_date }}作出{{ decision_number }}《行政处罚决定书》，"
        "对你（单位）作出如下行政处罚：{{ penalty_text }}。"
        "你（单位）至今未履行缴纳罚款{{ fine_yuan }}的义务。",
        "根据《中华人民共和国行政强制法》第三十五条、第四十五条的规定，现催告你（单位）自收到本催告书之日起"
        "十日内履行上述义务。逾期不缴纳罚款的，每日按罚款数额的百分之三加处罚款，加处罚款的数额不超出罚款的数额。",
        "你（单位）有权进行陈述和申辩。逾期仍不履行的，本机关将依法申请人民法院强制执行。",
        SIGN,
    ],
    "seizure_decision": [
        PARTY,
        "因{{ seizure_reason }}，依据{{ seizure_basis }}的规定，本机关决定于{{ seized_date }}对你（单位）的"
        "下列场所、设施或者财物予以{{ measure_label }}：",
        ITEMS_TABLE,
        "{{ measure_label }}地点：{{ seizure_place }}",
        "{{ measure_label }}期限为三十日，自{{ seized_date }}起计算；"
        "情况复杂的，经本机关负责人批准，可以延长，但延长期限不超过三十日。",
        "对{{ measure_label }}的场所、设施或者财物，任何人不得损毁或者擅自转移、处置。",
        REMEDY,
        SIGN,
    ],
    "seizure_list": [
        PARTY,
        "强制措施：{{ measure_label }}　实施日期：{{ seized_date }}",
        ITEMS_TABLE,
        "本清单一式{{ list_copies }}份，由当事人和本机关分别保存。",
        OFFICERS,
        "当事人（签名、捺印）：　　　　　　　　年　月　日",
    ],
    "seizure_extension": [
        PARTY,
        "本机关于{{ seized_date }}对你（单位）的有关场所、设施或者财物予以{{ measure_label }}。"
        "因{{ extension_reason }}，经本机关负责人于{{ extension_approved_date }}批准，"
        "依据《中华人民共和国行政强制法》第二十五条的规定，"
        "决定将{{ measure_label }}期限延长{{ extension_days_text }}。",
        REMEDY,
        SIGN,
    ],
    "seizure_release": [
        PARTY,
        "本机关于{{ seized_date }}对你（单位）的下列场所、设施或者财物予以{{ measure_label }}。"
        "因{{ release_reason }}，依据《中华人民共和国行政强制法》第二十八条的规定，决定予以解除：",
        ITEMS_TABLE,
        "请于收到本决定书后到本机关办理物品退还手续。",
        SIGN,
    ],
    "closing_approval": [
        "案号：{{ case_number }}",
        "案由：{{ case_title }}",
        PARTY,
        "处理结果：{{ outcome_label }}　{{ penalty_text }}",
        "执行情况：{{ closing_summary }}",
        "承办执法人员：",
        OFFICERS,
        "负责人审批意见：同意结案。",
        "结案日期：{{ closed_date }}",
    ],
    "dossier_index": [
        "案由：{{ case_title }}",
        "档案号：{{ archive_no }}",
        (
            "table",
            ["序号", "文件名称", "文号", "日期", "页号"],
            "r in dossier_items",
            ["{{ r.no }}", "{{ r.title }}", "{{ r.number }}", "{{ r.date }}", "{{ r.pages }}"],
        ),
    ],
    "dossier_note": [
        "档案号：{{ archive_no }}",
        "本卷情况说明：{{ dossier_remark }}",
        "立卷人：{{ archivist }}",
        "检查人：{{ archive_checker }}",
        "立卷日期：{{ archived_date }}",
    ],
}


# ------------------------------------------------------------------ styles


def _set_fonts(rpr_owner: Any, east_asia: str, *, latin: str = LATIN_FONT) -> None:
    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), latin)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)


def _styles(document: DocumentObject) -> None:
    styles = document.styles
    # Document defaults.
    defaults = styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr_default = defaults.find(qn("w:rPrDefault"))
        if rpr_default is not None:
            rpr = rpr_default.find(qn("w:rPr"))
            if rpr is not None:
                fonts = rpr.find(qn("w:rFonts"))
                if fonts is None:
                    fonts = OxmlElement("w:rFonts")
                    rpr.insert(0, fonts)
                for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
                    fonts.attrib.pop(qn(attr), None)
                fonts.set(qn("w:ascii"), LATIN_FONT)
                fonts.set(qn("w:hAnsi"), LATIN_FONT)
                fonts.set(qn("w:eastAsia"), BODY_FONT)

    normal = styles["Normal"]
    normal.font.size = BODY_SIZE
    fmt = normal.paragraph_format
    fmt.line_spacing = Pt(28)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.first_line_indent = Pt(32)

    def add(name: str, size: Any, align: Any, east_asia: str, *, bold: bool = False) -> None:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.font.size = size
        style.font.bold = bold
        style.paragraph_format.alignment = align
        style.paragraph_format.first_line_indent = Pt(0)
        _set_fonts(style.element, east_asia)

    add(AGENCY_STYLE, BODY_SIZE, WD_ALIGN_PARAGRAPH.CENTER, BODY_FONT)
    add(TITLE_STYLE, TITLE_SIZE, WD_ALIGN_PARAGRAPH.CENTER, TITLE_FONT)
    styles[TITLE_STYLE].paragraph_format.line_spacing = Pt(36)
    styles[TITLE_STYLE].paragraph_format.space_after = Pt(12)
    add(NUMBER_STYLE, BODY_SIZE, WD_ALIGN_PARAGRAPH.RIGHT, BODY_FONT)
    add(SIGN_STYLE, BODY_SIZE, WD_ALIGN_PARAGRAPH.RIGHT, BODY_FONT)
    add(PLAIN_STYLE, BODY_SIZE, WD_ALIGN_PARAGRAPH.LEFT, BODY_FONT)

    # eastAsia on every paragraph and character style (and table styles), so no run falls back.
    for style in styles:
        if style.type in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER, WD_STYLE_TYPE.TABLE):
            rpr = style.element.get_or_add_rPr()
            fonts = rpr.get_or_add_rFonts()
            if fonts.get(qn("w:eastAsia")) is None:
                east = TITLE_FONT if style.name in ("Title", TITLE_STYLE) else BODY_FONT
                _set_fonts(style.element, east)


def _font_fallbacks(document: DocumentObject) -> None:
    """Declare the official fonts with their fallbacks (w:altName) in the font table."""
    for rel in document.part.rels.values():
        if rel.reltype != RT.FONT_TABLE:
            continue
        part = rel.target_part
        root = parse_xml(part.blob)
        for name, alt, family in (
            (BODY_FONT, BODY_FALLBACK, "modern"),
            (TITLE_FONT, TITLE_FALLBACK, "roman"),
        ):
            font = OxmlElement("w:font")
            font.set(qn("w:name"), name)
            for tag, value in (("w:altName", alt), ("w:charset", "86"), ("w:family", family)):
                child = OxmlElement(tag)
                child.set(qn("w:val"), value)
                font.append(child)
            root.append(font)
        part._blob = serialize_part_xml(root)


# ------------------------------------------------------------------ page


def _page(document: DocumentObject) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = Mm(210)
    section.page_height = Mm(297)
    section.top_margin = Mm(37)
    section.bottom_margin = Mm(35)
    section.left_margin = Mm(28)
    section.right_margin = Mm(26)
    section.header_distance = Mm(15)
    section.footer_distance = Mm(20)


def _field(paragraph: Paragraph, instruction: str) -> None:
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run._r.append(begin)
    run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run._r.append(instr)
    run = paragraph.add_run()
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run._r.append(end)


def _header_footer(document: DocumentObject, signer: str | None = None) -> None:
    section = document.sections[0]
    header = section.header.paragraphs[0]
    header.text = "{{ qr }}"
    header.style = document.styles[PLAIN_STYLE]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer = section.footer.paragraphs[0]
    footer.style = document.styles[PLAIN_STYLE]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if signer is not None:
        footer.alignment = WD_ALIGN_PARAGRAPH.LEFT
        footer.add_run(footer_label(signer)).font.size = Pt(12)
        footer.add_run(FOOTER_BLANK).font.size = Pt(12)
        footer.add_run("　　")
    footer.add_run("第 ")
    _field(footer, "PAGE")
    footer.add_run(" 页　共 ")
    _field(footer, "NUMPAGES")
    footer.add_run(" 页")


# ------------------------------------------------------------------ body


def _blocks(document: DocumentObject, blocks: Sequence[Block]) -> None:
    for block in blocks:
        if isinstance(block, str):
            document.add_paragraph(block)
        elif block[0] == "for":
            document.add_paragraph(f"{{%p for {block[1]} %}}", style=PLAIN_STYLE)
            _blocks(document, block[2])
            document.add_paragraph("{%p endfor %}", style=PLAIN_STYLE)
        elif block[0] == "if":
            document.add_paragraph(f"{{%p if {block[1]} %}}", style=PLAIN_STYLE)
            _blocks(document, block[2])
            document.add_paragraph("{%p endif %}", style=PLAIN_STYLE)
        elif block[0] == "table":
            _table(document, block[1], block[2], block[3])
        elif block[0] == "sign":
            document.add_paragraph("", style=PLAIN_STYLE)
            document.add_paragraph("{{ agency_name }}（印章）", style=SIGN_STYLE)
            document.add_paragraph("{{ issued_date }}", style=SIGN_STYLE)
        else:
            raise ValueError(f"unknown block {block!r}")


def _table(document: DocumentObject, headers: Sequence[str], loop: str, cells: Sequence[str]) -> None:
    table = document.add_table(rows=4, cols=len(headers))
    table.style = document.styles["Table Grid"]
    rows = table.rows
    for cell, text in zip(rows[0].cells, headers, strict=True):
        cell.paragraphs[0].text = text
    rows[1].cells[0].paragraphs[0].text = f"{{%tr for {loop} %}}"
    for cell, text in zip(rows[2].cells, cells, strict=True):
        cell.paragraphs[0].text = text
    rows[3].cells[0].paragraphs[0].text = "{%tr endfor %}"
    for row in rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.style = document.styles[PLAIN_STYLE]


def build(spec: DocumentSpec) -> DocumentObject:
    document = Document()
    _styles(document)
    _font_fallbacks(document)
    _page(document)
    _header_footer(document, spec.signed_per_page)
    document.core_properties.title = spec.title
    document.core_properties.author = ""
    document.core_properties.last_modified_by = ""
    document.core_properties.created = _FIXED_TIME
    document.core_properties.modified = _FIXED_TIME
    document.core_properties.revision = 1
    body = document.paragraphs[0] if document.paragraphs else None
    if body is not None:
        body._p.getparent().remove(body._p)
    document.add_paragraph("{{ agency_name }}", style=AGENCY_STYLE)
    document.add_paragraph(spec.title, style=TITLE_STYLE)
    if spec.number_kind is not None:
        document.add_paragraph("{{ doc_number }}", style=NUMBER_STYLE)
    _blocks(document, BODIES[spec.code])
    return document


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    out = Path(args[0]) if args else OUT
    out.mkdir(parents=True, exist_ok=True)
    missing = set(CATALOG) - set(BODIES)
    if missing:
        raise SystemExit(f"no body for {sorted(missing)}")
    for spec in CATALOG.values():
        path = out / spec.template
        build(spec).save(str(path))
        print(f"{path.relative_to(out.parent) if path.is_relative_to(out.parent) else path}  {spec.title}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
