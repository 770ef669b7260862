"""The catalogue of 执法文书: what each document is called, its template, its 文书编号 kind,
the case kinds it belongs to and the fields it needs filled in.

A :class:`DocField` names a key of the rendering context (documents/context.py builds it)
and says, in Chinese, where in the case the value is entered, so a missing field can be
reported as “调查终结 → 拟罚款金额” rather than as a variable name. The fields listed are the
*required* ones: :func:`workstation.documents.render.missing_fields` reports them when
empty. The workflow JSON names documents by their Chinese title (:func:`spec_by_title`).

A decision's ``basis_fields`` are the citations whose articles it prints under 法律依据; a
citation the statute library cannot resolve is reported among the missing fields as a
:class:`DocField` named :data:`LEGAL_BASIS` (label: what is wrong; where: where to fix it).
The 笔录 with ``signed_per_page`` carry the signer's signature on every page.
"""

from __future__ import annotations

from dataclasses import dataclass

from workstation.domain.errors import NotFound

ORDINARY = "ordinary"
SIMPLE = "simple"
COERCIVE = "coercive"
INSPECTION = "inspection"
ALL_KINDS = frozenset({ORDINARY, SIMPLE, COERCIVE, INSPECTION})


@dataclass(frozen=True, slots=True)
class DocField:
    """A required value of a document: context key, printed label and where it is entered."""

    name: str
    label: str
    where: str


@dataclass(frozen=True, slots=True)
class DocumentSpec:
    """One kind of 执法文书."""

    code: str
    title: str
    template: str  # file name under resources/templates/
    number_kind: str | None  # 文书编号 kind (罚决字 …); None for unnumbered forms
    fields: tuple[DocField, ...]
    kinds: frozenset[str]
    #: The citation fields whose articles the document prints under 法律依据: each is resolved in
    #: the statute library for the day of the conduct, and a citation that does not resolve
    #: blocks the document (services/documents.py). Optional ones may be empty.
    basis_fields: tuple[DocField, ...] = ()
    #: A 笔录 signed on every page: the label of the signer in each page's footer (被询问人 …);
    #: the party's signature (documents/signatures.py ``PER_PAGE_ROLE``) or its 拒签 note is
    #: printed there.
    signed_per_page: str | None = None


def _f(name: str, label: str, where: str) -> DocField:
    return DocField(name, label, where)


#: The key of the legal basis problems in a missing-field report.
LEGAL_BASIS = "legal_basis"


# Header fields most documents share.
AGENCY = _f("agency_name", "执法主体", "系统设置 → 执法主体名称")
NUMBER = _f("doc_number", "文书编号", "文书编号（签发时自动编号）")
CASE_NUMBER = _f("case_number", "案号", "立案 → 案号")
CASE_TITLE = _f("case_title", "案由", "案件 → 案由")
PARTY = _f("party_lines", "当事人", "案件 → 当事人")
PARTY_NAME = _f("party_name", "当事人", "案件 → 当事人")
PARTY_ADDRESS = _f("party_address", "当事人地址", "案件 → 当事人地址")
OFFICERS = _f("officers", "执法人员及执法证号", "立案 → 承办执法人员")
ISSUED = _f("issued_date", "文书日期", "文书签发日期")
FACTS = _f("facts", "违法事实和证据", "作出行政处罚决定 → 违法事实和证据")
PENALTY_BASIS = _f("penalty_basis", "处罚依据", "作出行政处罚决定 → 处罚依据")
REVIEW_BODY = _f(
    "review_body", "行政复议机关", "作出（不予）行政处罚决定，或负责人批准查封/扣押 → 行政复议机关"
)
PENALTY_TEXT = _f("penalty_text", "处罚内容", "调查终结 → 拟处罚种类、拟罚款金额")
ITEMS = _f("items", "查封（扣押）物品清单", "实施查封/扣押 → 查封（扣押）清单")
MEASURE = _f("measure_label", "强制措施", "负责人批准 → 强制措施（查封/扣押）")
ARCHIVE_NO = _f("archive_no", "档案号", "归档 → 档案号")
VIOLATION_BASIS = _f("violation_basis", "违法依据", "立案 → 违法依据（违反的法律条款）")
OUTCOME_BASIS = _f("outcome_basis", "不予处罚的依据", "调查终结 → 处理意见")
ON_SPOT_BASIS = _f("penalty_basis", "处罚依据", "当场处罚 → 处罚依据")
# Fields of a few related documents.
HEARING_PLACE = _f("hearing_place", "听证地点", "听证通知 → 听证地点")
HEARING_HOST = _f("hearing_host", "听证主持人", "听证通知 → 听证主持人")
SEIZED_DATE = _f("seized_date", "实施日期", "实施查封/扣押 → 日期")


def _spec(
    code: str,
    title: str,
    number_kind: str | None,
    kinds: frozenset[str],
    *fields: DocField,
    basis: tuple[DocField, ...] = (),
    per_page: str | None = None,
) -> DocumentSpec:
    return DocumentSpec(code, title, f"{code}.docx", number_kind, tuple(fields), kinds, basis, per_page)


_ORD = frozenset({ORDINARY})
_COE = frozenset({COERCIVE})
_ORD_COE = frozenset({ORDINARY, COERCIVE})

_SPECS: tuple[DocumentSpec, ...] = (
    _spec(
        "filing_approval",
        "立案审批表",
        "立字",
        _ORD,
        AGENCY,
        NUMBER,
        CASE_NUMBER,
        CASE_TITLE,
        PARTY,
        _f("case_source", "案件来源", "线索登记 → 案件来源"),
        _f("act_date", "违法行为发生日期", "立案 → 违法行为发生日期"),
        _f("brief_facts", "简要案情", "立案 → 简要案情"),
        OFFICERS,
        _f("filed_date", "负责人审批日期", "立案 → 立案日期"),
    ),
    _spec(
        "inspection_record",
        "现场检查笔录",
        None,
        frozenset({INSPECTION, ORDINARY, COERCIVE}),
        AGENCY,
        CASE_TITLE,
        PARTY,
        _f("inspected_date", "检查日期", "现场检查 → 检查日期"),
        _f("place", "检查地点", "现场检查（普通程序：调查取证；查封扣押：实施） → 地点"),
        OFFICERS,
        _f("findings", "检查情况", "现场检查（普通程序：调查取证；查封扣押：实施） → 检查情况"),
        per_page="被检查人",
    ),
    _spec(
        "inquiry_record",
        "询问（调查）笔录",
        None,
        frozenset({ORDINARY, INSPECTION, COERCIVE}),
        AGENCY,
        CASE_TITLE,
        _f("inquiry_start", "询问开始时间", "调查取证 → 询问开始时间"),
        _f("inquiry_end", "询问结束时间", "调查取证 → 询问结束时间"),
        _f("inquiry_place", "询问地点", "调查取证 → 询问地点"),
        _f("interviewee", "被询问人", "调查取证 → 被询问人"),
        _f("questioner", "询问人", "调查取证 → 询问人"),
        _f("recorder", "记录人", "调查取证 → 记录人"),
        _f("qa", "询问内容（问答）", "调查取证 → 询问内容"),
        per_page="被询问人",
    ),
    _spec(
        "save_notice",
        "先行登记保存证据通知书",
        "先保字",
        _ORD,
        AGENCY,
        NUMBER,
        CASE_TITLE,
        PARTY,
        _f("saved_items", "先行登记保存物品清单", "先行登记保存 → 物品清单"),
        _f("save_approved_date", "负责人批准日期", "先行登记保存 → 负责人批准日期"),
        _f("saved_date", "先行登记保存日期", "先行登记保存 → 日期"),
        ISSUED,
    ),
    _spec(
        "rectify_notice",
        "责令改正通知书",
        "责改字",
        frozenset({INSPECTION, ORDINARY}),
        AGENCY,
        NUMBER,
        PARTY,
        _f("violation", "违法行为", "责令改正（普通程序：立案） → 违法行为"),
        _f("violation_basis", "违法依据", "责令改正（普通程序：立案） → 违反的法律条款"),
        _f("rectify_by_date", "改正期限", "责令改正（普通程序：调查取证） → 改正期限"),
        REVIEW_BODY,
        ISSUED,
    ),
    _spec(
        "investigation_report",
        "案件调查终结报告",
        None,
        _ORD,
        AGENCY,
        CASE_NUMBER,
        CASE_TITLE,
        PARTY,
        FACTS,
        _f("evidence_text", "证据种类", "调查取证 → 已收集的证据种类"),
        _f("outcome_label", "处理意见", "调查终结 → 处理意见"),
        PENALTY_TEXT,
        _f("discretion_text", "裁量基准适用", "调查终结 → 裁量情节（裁量基准计算）"),
        OFFICERS,
        _f("concluded_date", "调查终结日期", "调查终结 → 日期"),
        basis=(VIOLATION_BASIS, PENALTY_BASIS),
    ),
    _spec(
        "legal_review_opinion",
        "法制审核意见书",
        "法审字",
        _ORD,
        AGENCY,
        NUMBER,
        CASE_NUMBER,
        CASE_TITLE,
        PARTY_NAME,
        _f("reviewer", "法制审核人员", "法制审核 → 法制审核人员"),
        _f("review_opinion", "审核意见", "法制审核 → 审核意见"),
        _f("review_date", "审核日期", "法制审核 → 日期"),
    ),
    _spec(
        "collective_discussion",
        "集体讨论记录",
        None,
        _ORD,
        AGENCY,
        CASE_NUMBER,
        CASE_TITLE,
        _f("discussion_date", "讨论时间", "集体讨论 → 日期"),
        _f("discussion_place", "讨论地点", "集体讨论 → 地点"),
        _f("discussion_chair", "主持人", "集体讨论 → 主持人"),
        _f("discussion_attendees", "参加人员", "集体讨论 → 参加人员"),
        _f("discussion_opinions", "讨论意见", "集体讨论 → 各人意见"),
        _f("discussion_result", "集体讨论决定", "集体讨论 → 集体讨论决定"),
    ),
    _spec(
        "prior_notice",
        "行政处罚事先告知书",
        "告字",
        _ORD,
        AGENCY,
        NUMBER,
        PARTY,
        FACTS,
        PENALTY_BASIS,
        PENALTY_TEXT,
        ISSUED,
        basis=(VIOLATION_BASIS, PENALTY_BASIS),
    ),
    _spec(
        "hearing_notice",
        "听证通知书",
        "听通字",
        _ORD,
        AGENCY,
        NUMBER,
        CASE_TITLE,
        PARTY,
        _f("hearing_date", "听证日期", "听证通知 → 听证日期"),
        HEARING_PLACE,
        HEARING_HOST,
        ISSUED,
    ),
    _spec(
        "hearing_record",
        "听证笔录",
        None,
        _ORD,
        AGENCY,
        CASE_NUMBER,
        CASE_TITLE,
        PARTY,
        _f("hearing_held_date", "听证日期", "举行听证 → 日期"),
        HEARING_PLACE,
        HEARING_HOST,
        OFFICERS,
        _f("hearing_report", "听证情况", "举行听证 → 听证报告要点"),
        per_page="当事人",
    ),
    _spec(
        "penalty_decision",
        "行政处罚决定书",
        "罚决字",
        _ORD,
        AGENCY,
        NUMBER,
        PARTY,
        PARTY_ADDRESS,
        FACTS,
        PENALTY_BASIS,
        PENALTY_TEXT,
        _f("performance", "履行方式和期限", "作出行政处罚决定 → 履行方式和期限"),
        REVIEW_BODY,
        ISSUED,
        basis=(VIOLATION_BASIS, PENALTY_BASIS),
    ),
    _spec(
        "no_penalty_decision",
        "不予行政处罚决定书",
        "不罚字",
        _ORD,
        AGENCY,
        NUMBER,
        PARTY,
        PARTY_ADDRESS,
        FACTS,
        _f("outcome_label", "不予处罚的理由", "调查终结 → 处理意见"),
        OUTCOME_BASIS,
        REVIEW_BODY,
        ISSUED,
        basis=(VIOLATION_BASIS, OUTCOME_BASIS),
    ),
    _spec(
        "on_spot_decision",
        "当场行政处罚决定书",
        "当罚字",
        frozenset({SIMPLE}),
        AGENCY,
        NUMBER,
        PARTY,
        _f("act_date", "违法行为发生日期", "当场处罚 → 违法行为发生日期"),
        _f("place", "违法行为地点", "当场处罚 → 违法行为地点"),
        _f("violation", "违法行为", "当场处罚 → 当事人的违法行为"),
        ON_SPOT_BASIS,
        PENALTY_TEXT,
        REVIEW_BODY,
        OFFICERS,
        ISSUED,
        basis=(ON_SPOT_BASIS,),
    ),
    _spec(
        "service_receipt",
        "送达回证",
        None,
        ALL_KINDS,
        AGENCY,
        CASE_TITLE,
        _f(
            "served_document",
            "送达文书名称及文号",
            "先出具要送达的决定书（自动取最近出具的决定书），或在送达 → 送达的文书中填写",
        ),
        PARTY_NAME,
        PARTY_ADDRESS,
        _f("service_method_label", "送达方式", "送达 → 送达方式"),
        _f("served_date", "送达日期", "送达 → 日期"),
        OFFICERS,
    ),
    _spec(
        "reminder",
        "催告书",
        "催字",
        _ORD,
        AGENCY,
        NUMBER,
        PARTY,
        _f("decision_number", "行政处罚决定书文号", "先出具行政处罚决定书（文号自动取自该决定书）"),
        _f("decided_date", "决定日期", "先作出行政处罚决定并出具行政处罚决定书（日期自动取自该决定书）"),
        PENALTY_TEXT,
        _f("fine_yuan", "罚款金额", "调查终结 → 拟罚款金额"),
        ISSUED,
    ),
    _spec(
        "seizure_decision",
        "查封（扣押）决定书",
        "封字",
        _COE,
        AGENCY,
        NUMBER,
        PARTY,
        MEASURE,
        _f("seizure_reason", "查封、扣押的理由", "负责人批准 → 查封、扣押的理由"),
        _f("seizure_basis", "查封、扣押的依据", "负责人批准 → 查封、扣押的法律、法规依据"),
        ITEMS,
        _f("seizure_place", "查封（扣押）地点", "负责人批准（紧急情况：当场实施） → 查封、扣押的场所"),
        SEIZED_DATE,
        REVIEW_BODY,
        ISSUED,
    ),
    _spec(
        "seizure_list",
        "查封（扣押）清单",
        None,
        _COE,
        AGENCY,
        PARTY,
        MEASURE,
        ITEMS,
        SEIZED_DATE,
        OFFICERS,
    ),
    _spec(
        "seizure_extension",
        "延长查封（扣押）期限决定书",
        "延封字",
        _COE,
        AGENCY,
        NUMBER,
        PARTY,
        MEASURE,
        SEIZED_DATE,
        _f("extension_days_text", "延长期限", "延长查封/扣押期限 → 延长天数"),
        _f("extension_reason", "延长理由", "延长查封/扣押期限 → 延长理由"),
        _f("extension_approved_date", "负责人批准日期", "延长查封/扣押期限 → 负责人批准日期"),
        ISSUED,
    ),
    _spec(
        "seizure_release",
        "解除查封（扣押）决定书",
        "解封字",
        _COE,
        AGENCY,
        NUMBER,
        PARTY,
        MEASURE,
        SEIZED_DATE,
        _f("release_reason", "解除理由", "解除查封/扣押 → 解除理由"),
        ITEMS,
        ISSUED,
    ),
    _spec(
        "closing_approval",
        "结案审批表",
        None,
        _ORD_COE,
        AGENCY,
        CASE_NUMBER,
        CASE_TITLE,
        PARTY,
        _f("outcome_label", "处理结果", "调查终结 → 处理意见"),
        _f("closing_summary", "执行情况", "结案 → 执行情况"),
        OFFICERS,
        _f("closed_date", "结案日期", "结案 → 日期"),
    ),
    _spec(
        "dossier_index",
        "卷内目录",
        None,
        ALL_KINDS,
        AGENCY,
        CASE_TITLE,
        ARCHIVE_NO,
        _f("dossier_items", "卷内文件", "先出具本案文书（卷内文件按已出具的文书自动生成）"),
    ),
    _spec(
        "dossier_note",
        "备考表",
        None,
        ALL_KINDS,
        AGENCY,
        ARCHIVE_NO,
        _f("dossier_remark", "卷内情况说明", "归档 → 备考说明（卷内文件缺损、修改等情况）"),
        _f("archivist", "立卷人", "归档 → 立卷人"),
        _f("archive_checker", "检查人", "归档 → 检查人"),
        _f("archived_date", "立卷日期", "归档 → 日期"),
    ),
)

#: Every document, by code.
CATALOG: dict[str, DocumentSpec] = {s.code: s for s in _SPECS}
_BY_TITLE: dict[str, DocumentSpec] = {s.title: s for s in _SPECS}


def spec(code: str) -> DocumentSpec:
    """The document ``code``; :class:`NotFound` when the catalogue has no such document."""
    found = CATALOG.get(code)
    if found is None:
        raise NotFound(
            f"没有这种执法文书：{code}",
            "可用的文书：" + "、".join(f"{s.code}（{s.title}）" for s in _SPECS),
        )
    return found


def spec_by_title(title: str) -> DocumentSpec | None:
    """The document the workflow names ``title`` (e.g. 行政处罚决定书, with or without 《》)."""
    return _BY_TITLE.get(title.strip().strip("《》"))
