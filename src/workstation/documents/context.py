"""The rendering context of a 执法文书: every value a template prints, formatted for print.

Pure: built from the case, its agency, parties and officers and the document's number and
date, without database access. ``case.data`` holds the workflow's fields (docs/CASES.md);
``extra`` adds or overrides raw values the workflow does not store (the 询问 Q&A, the
document being served, the 卷内文件 …) and is formatted the same way.

Values derived from the case's issued documents (``issued``, in issue order, voided ones left
out) when the case gives none — explicit case values always win: the 送达回证's
``served_document`` is the latest issued 决定书 (title and number); the 催告书's
``decision_number`` and ``decided_date`` come from the issued 行政处罚决定书; the 卷内目录's
``dossier_items`` list the issued documents (title, number, date, and the page range when every
earlier document's page count is known). The 备考表's ``archivist``, ``archive_checker`` and
``dossier_remark`` are the 归档 action's fields.

The legal basis (``legal_basis``): the cited articles in the version in force on the day of the
conduct, resolved by the service through the statute library (LegalBasisResolver) and printed
under 法律依据; empty when the document prints none.

Conventions: dates print as 2025年10月13日; amounts as 5,000元 and 伍仟元整; penalty types,
outcomes, service methods and measures by their Chinese labels; lists of records (officers,
items, Q&A, opinions, dossier files) as lists of dicts of strings for ``{% for %}`` loops.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from workstation.domain.cases import Case, CaseKind, Outcome, PenaltyType
from workstation.domain.document_ports import ResolvedArticle
from workstation.domain.entities import Agency, Officer, Party, PartyKind
from workstation.domain.formatting import chinese_date, yuan, yuan_capital
from workstation.domain.numerals import int_to_cn

#: 复议 and 诉讼 periods the law gives when the case states none (复议法第二十条, 行诉法第四十六条).
REVIEW_PERIOD_DAYS = 60
LITIGATION_PERIOD_MONTHS = 6
#: 处罚法第六十七条第三款: the fine is paid within fifteen days of service.
PAYMENT_DAYS = 15

SERVICE_METHODS = {
    "direct": "直接送达",
    "left": "留置送达",
    "post": "邮寄送达",
    "electronic": "电子送达",
    "announcement": "公告送达",
}
MEASURES = {"seal": "查封", "seize": "扣押"}
EVIDENCE_LABELS = {
    "documentary": "书证",
    "physical": "物证",
    "audiovisual": "视听资料",
    "electronic": "电子数据",
    "witness": "证人证言",
    "party_statement": "当事人的陈述",
    "expert_opinion": "鉴定意见",
    "record": "勘验笔录、现场笔录",
}

#: Decision documents a 送达回证 serves by default (the latest issued one).
DECISION_CODES = frozenset(
    {
        "penalty_decision",
        "no_penalty_decision",
        "on_spot_decision",
        "seizure_decision",
        "seizure_extension",
        "seizure_release",
    }
)
#: The archive forms themselves, not listed in the 卷内目录.
_DOSSIER_FORMS = frozenset({"dossier_index", "dossier_note"})


@dataclass(frozen=True, slots=True)
class IssuedDocument:
    """An issued (not voided) document of the case, as derived values need it."""

    code: str
    title: str
    number: str | None
    issued_on: dt.date | None
    #: Pages of its PDF, when one was made and is still there.
    pages: int | None = None

    @property
    def reference(self) -> str:
        """行政处罚决定书（榕溪镇罚决字〔2026〕第3号）, or the title alone without a number."""
        return f"{self.title}（{self.number}）" if self.number else self.title


# Raw case.data fields printed as they are (text).
_TEXT_FIELDS = (
    "brief_facts",
    "place",
    "findings",
    "inquiry_start",
    "inquiry_end",
    "inquiry_place",
    "interviewee",
    "questioner",
    "recorder",
    "violation",
    "violation_basis",
    "facts",
    "review_opinion",
    "reviewer",
    "discussion_place",
    "discussion_chair",
    "discussion_result",
    "hearing_place",
    "hearing_host",
    "hearing_report",
    "penalty_basis",
    "performance",
    "review_body",
    "litigation_court",
    "seizure_reason",
    "seizure_basis",
    "seizure_place",
    "extension_reason",
    "release_reason",
    "closing_summary",
    "archive_no",
    "dossier_remark",
    "archivist",
    "archive_checker",
    "served_document",
    "decision_number",
    "decline_reason",
    "statement_points",
    "contact",
    "payment_channel",
    "service_witness",
    "refusal_note",
)

# Date fields: context key → case.data key.
_DATE_FIELDS = {
    "act_date": "act_date",
    "filed_date": "filed_on",
    "inspected_date": "inspected_on",
    "saved_date": "saved_on",
    "save_approved_date": "save_approved_on",
    "rectify_by_date": "rectify_by",
    "concluded_date": "investigation_closed_on",
    "review_date": "review_passed_on",
    "discussion_date": "collective_discussion_on",
    "notified_date": "notified_on",
    "hearing_date": "hearing_on",
    "hearing_held_date": "hearing_held_on",
    "decided_date": "decided_on",
    "served_date": "served_on",
    "seized_date": "seized_on",
    "extension_approved_date": "extension_approved_on",
    "released_date": "released_on",
    "closed_date": "closed_on",
    "archived_date": "archived_on",
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value).strip()


def _date(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        return chinese_date(value.date())
    if isinstance(value, dt.date):
        return chinese_date(value)
    try:
        return chinese_date(dt.date.fromisoformat(str(value).strip()[:10]))
    except ValueError:
        return _text(value)


def _amount(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def _int(value: Any, default: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if number > 0 else default


def _label(enum_type: Any, value: Any) -> str:
    try:
        return str(enum_type(value).label)
    except ValueError:
        return _text(value)


def party_lines(party: Party) -> list[str]:
    """The party block of a document header, by the party's kind (blank lines left out)."""
    if party.kind is PartyKind.PERSON:
        rows = [
            ("当事人", party.name),
            ("公民身份号码", party.id_number),
            ("住址", party.address),
        ]
    else:
        head = "法定代表人" if party.kind is PartyKind.ORGANISATION else "负责人"
        rows = [
            ("当事人", party.name),
            ("统一社会信用代码", party.credit_code),
            (head, party.legal_representative),
            ("地址", party.address),
        ]
    return [f"{label}：{value}" for label, value in rows if value]


def _officers(officers: Sequence[Officer], data: Mapping[str, Any]) -> list[dict[str, str]]:
    if officers:
        return [{"name": o.name, "certificate_no": o.certificate_no} for o in officers]
    out = []
    for entry in data.get("officers") or ():
        if isinstance(entry, Mapping):
            out.append(
                {"name": _text(entry.get("name")), "certificate_no": _text(entry.get("certificate_no"))}
            )
        else:
            out.append({"name": _text(entry), "certificate_no": ""})
    return out


def _items(raw: Any) -> list[dict[str, str]]:
    """Items of a 清单 (strings or {"name", "qty", "spec", "note"}) as numbered rows."""
    rows = []
    for index, item in enumerate(raw or (), start=1):
        if isinstance(item, Mapping):
            rows.append(
                {
                    "no": str(index),
                    "name": _text(item.get("name")),
                    "spec": _text(item.get("spec")),
                    "qty": _text(item.get("qty") or item.get("quantity")),
                    "note": _text(item.get("note")),
                }
            )
        else:
            rows.append({"no": str(index), "name": _text(item), "spec": "", "qty": "", "note": ""})
    return rows


def _qa(raw: Any) -> list[dict[str, str]]:
    rows = []
    for entry in raw or ():
        if isinstance(entry, Mapping):
            rows.append(
                {
                    "q": _text(entry.get("q", entry.get("question"))),
                    "a": _text(entry.get("a", entry.get("answer"))),
                }
            )
    return rows


def _opinions(raw: Any) -> list[dict[str, str]]:
    rows = []
    for entry in raw or ():
        if isinstance(entry, Mapping):
            rows.append({"name": _text(entry.get("name")), "opinion": _text(entry.get("opinion"))})
        else:
            rows.append({"name": "", "opinion": _text(entry)})
    return rows


def _dossier(raw: Any) -> list[dict[str, str]]:
    rows = []
    for index, entry in enumerate(raw or (), start=1):
        if not isinstance(entry, Mapping):
            entry = {"title": entry}
        rows.append(
            {
                "no": str(index),
                "title": _text(entry.get("title")),
                "number": _text(entry.get("number")),
                "date": _date(entry.get("date")),
                "pages": _text(entry.get("pages")),
            }
        )
    return rows


def _issued_items(issued: Sequence[IssuedDocument]) -> list[dict[str, str]]:
    """The 卷内目录 rows of the issued documents: page ranges while every count is known."""
    rows: list[dict[str, str]] = []
    page = 1
    known = True
    for doc in issued:
        if doc.code in _DOSSIER_FORMS:
            continue
        pages = ""
        if known and doc.pages:
            last = page + doc.pages - 1
            pages = f"{page}-{last}" if last > page else str(page)
            page = last + 1
        else:
            known = False
        rows.append(
            {
                "no": str(len(rows) + 1),
                "title": doc.title,
                "number": doc.number or "",
                "date": chinese_date(doc.issued_on) if doc.issued_on else "",
                "pages": pages,
            }
        )
    return rows


def _latest(issued: Sequence[IssuedDocument], codes: frozenset[str]) -> IssuedDocument | None:
    found = [d for d in issued if d.code in codes]
    return found[-1] if found else None


def legal_basis_rows(articles: Sequence[ResolvedArticle]) -> list[dict[str, Any]]:
    """The 法律依据 entries: citation, law, version, article, text and its lines."""
    return [
        {
            "citation": a.citation,
            "law_title": a.law_title,
            "version": a.version_label,
            "article": a.article_label,
            "text": a.text,
            "lines": [line.strip() for line in a.text.splitlines() if line.strip()],
        }
        for a in articles
    ]


def legal_basis_text(articles: Sequence[ResolvedArticle]) -> str:
    """All cited articles as one text: “《…》第N条：text” per article, one per line."""
    return "\n".join(f"{a.citation}：{' '.join(a.text.split())}" for a in articles)


def _join(values: Any) -> str:
    if isinstance(values, str):
        return values.strip()
    return "、".join(_text(v) for v in values or () if _text(v))


def _range_text(span: Any) -> str:
    if not isinstance(span, Mapping):
        return ""
    low, high = _amount(span.get("min")), _amount(span.get("max"))
    if low is None or high is None:
        return ""
    return f"{yuan(low)}至{yuan(high)}"


def discretion_text(record: Any) -> str:
    """How the 裁量基准 was applied, for the report and the 决定书 (empty without a record)."""
    if not isinstance(record, Mapping):
        return ""
    if record.get("status") == "no_benchmark":
        return "本案执法事项没有对应的裁量基准，未适用裁量基准。"
    parts = []
    benchmark = record.get("benchmark")
    name = ""
    if isinstance(benchmark, Mapping):
        name = _text(benchmark.get("name"))
        number = _text(benchmark.get("document_number"))
        if number:
            name += f"（{number}）"
    item = _text(record.get("item_name"))
    head = "适用" + (name or "行政处罚裁量基准")
    if item:
        head += f"“{item}”事项"
    parts.append(head)
    statutory = record.get("statutory_range")
    if isinstance(statutory, Mapping) and _text(statutory.get("text")):
        parts.append(f"法定处罚幅度为{_text(statutory.get('text'))}")
    circumstances = [
        _text(c.get("label")) for c in record.get("circumstances") or () if isinstance(c, Mapping)
    ]
    if circumstances:
        parts.append("当事人具有" + "、".join(c for c in circumstances if c) + "情节")
    tier = record.get("tier")
    if isinstance(tier, Mapping) and _text(tier.get("label")):
        text = f"适用{_text(tier.get('label'))}档"
        span = _range_text(record.get("tier_range"))
        if span:
            text += f"（{span}）"
        parts.append(text)
    fine = _amount(record.get("proposed_fine"))
    if fine is not None and fine > 0:
        parts.append(f"拟罚款{yuan(fine)}")
    reason = _text(record.get("deviation_reason"))
    if reason:
        parts.append(f"偏离裁量基准的理由：{reason}")
    return "，".join(parts) + "。"


def build_context(
    case: Case,
    agency: Agency,
    parties: Sequence[Party],
    officers: Sequence[Officer],
    number: str | None,
    issued_on: dt.date,
    extra: Mapping[str, Any] | None = None,
    *,
    issued: Sequence[IssuedDocument] = (),
    legal_basis: Sequence[ResolvedArticle] = (),
) -> dict[str, Any]:
    """Every value the templates print for ``case``, formatted; see the module docstring.

    ``issued``: the case's issued documents in issue order (derived values); ``legal_basis``:
    the resolved articles the document prints under 法律依据."""
    data: dict[str, Any] = {**case.data, **(extra or {})}
    ctx: dict[str, Any] = {}

    # Header.
    ctx["agency_name"] = agency.name
    ctx["doc_number"] = number or (_text(data.get("decision_no")) if case.kind is CaseKind.SIMPLE else "")
    ctx["case_number"] = case.case_number or ""
    ctx["case_title"] = case.title
    ctx["case_kind_label"] = case.kind.label
    ctx["case_source"] = case.source.label
    ctx["opened_date"] = chinese_date(case.opened_on)
    ctx["issued_date"] = chinese_date(issued_on)
    first = parties[0] if parties else None
    ctx["party_name"] = _text(data.get("party_name")) or "、".join(p.name for p in parties)
    ctx["party_address"] = _text(data.get("party_address")) or (first.address if first else "")
    ctx["party_lines"] = [line for p in parties for line in party_lines(p)]
    ctx["officers"] = _officers(officers, data)
    ctx["officers_text"] = "、".join(
        f"{o['name']}（执法证号：{o['certificate_no']}）" if o["certificate_no"] else o["name"]
        for o in ctx["officers"]
    )

    for name in _TEXT_FIELDS:
        ctx[name] = _text(data.get(name))
    for name, key in _DATE_FIELDS.items():
        ctx[name] = _date(data.get(key))

    # Lists.
    ctx["qa"] = _qa(data.get("qa"))
    ctx["items"] = _items(data.get("items"))
    ctx["saved_items"] = _items(data.get("saved_items"))
    ctx["discussion_opinions"] = _opinions(data.get("discussion_opinions"))
    ctx["discussion_attendees"] = _join(data.get("discussion_attendees"))
    ctx["dossier_items"] = _dossier(data.get("dossier_items")) or _issued_items(issued)
    ctx["checklist"] = [
        {
            "department": _text(c.get("department")),
            "item": _text(c.get("item")),
            "result": _text(c.get("result")),
        }
        for c in data.get("checklist") or ()
        if isinstance(c, Mapping)
    ]
    ctx["departments"] = _join(data.get("departments") or case.departments)
    ctx["evidence_text"] = _join(
        EVIDENCE_LABELS.get(str(k), _text(k)) for k in data.get("evidence_kinds") or ()
    )
    ctx["list_copies"] = _text(data.get("list_copies") or "")

    # Outcome and penalty.
    outcome = data.get("outcome")
    ctx["outcome_label"] = _label(Outcome, outcome) if outcome else ""
    try:
        ctx["outcome_basis"] = Outcome(outcome).basis if outcome else ""
    except ValueError:
        ctx["outcome_basis"] = ""
    types = [str(t) for t in data.get("penalty_types") or ()]
    ctx["penalty_types_text"] = "、".join(_label(PenaltyType, t) for t in types)
    fine = _amount(data.get("fine"))
    has_fine = fine is not None and fine > 0
    ctx["fine_yuan"] = yuan(fine) if fine is not None and has_fine else ""
    ctx["fine_capital"] = yuan_capital(fine) if fine is not None and has_fine else ""
    parts = [_label(PenaltyType, t) for t in types if t != PenaltyType.FINE.value]
    if has_fine:
        parts.append(f"罚款人民币{ctx['fine_capital']}（{ctx['fine_yuan']}）")
    ctx["penalty_text"] = "；".join(parts)
    ctx["discretion_text"] = discretion_text(data.get("discretion"))

    # Performance and remedies.
    if has_fine:
        channel = ctx["payment_channel"] or "指定的银行或者通过电子支付系统"
        ctx["payment_text"] = (
            f"当事人应当自收到本决定书之日起{int_to_cn(PAYMENT_DAYS)}日内，到{channel}缴纳罚款。"
        )
        ctx["surcharge_text"] = (
            "到期不缴纳罚款的，本机关可以每日按罚款数额的百分之三加处罚款，"
            "加处罚款的数额不超出罚款的数额，并可以依法申请人民法院强制执行。"
        )
    else:
        ctx["payment_text"] = ""
        ctx["surcharge_text"] = ""
    days = _int(data.get("review_period_days"), REVIEW_PERIOD_DAYS)
    months = _int(data.get("litigation_period_months"), LITIGATION_PERIOD_MONTHS)
    ctx["review_period_text"] = f"{int_to_cn(days)}日"
    ctx["litigation_period_text"] = f"{int_to_cn(months)}个月"
    court = ctx["litigation_court"] or "有管辖权的人民法院"
    ctx["remedy_text"] = (
        f"如不服本决定，可以自收到本决定书之日起{ctx['review_period_text']}内向"
        f"{ctx['review_body'] or '行政复议机关'}申请行政复议，"
        f"或者自收到本决定书之日起{ctx['litigation_period_text']}内依法向{court}提起行政诉讼。"
    )

    # Service, coercion.
    method = data.get("service_method")
    ctx["service_method_label"] = SERVICE_METHODS.get(str(method), _text(method)) if method else ""
    measure = data.get("measure")
    ctx["measure_label"] = MEASURES.get(str(measure), _text(measure)) if measure else ""
    ext = data.get("extension_days")
    ctx["extension_days_text"] = f"{int_to_cn(_int(ext, 0))}日" if _int(ext, 0) else ""

    # Flags the templates test with {% if %}.
    ctx["hearing_right_notified"] = bool(data.get("hearing_right_notified"))
    ctx["refused_to_sign"] = bool(data.get("refused_to_sign"))
    ctx["certificate_shown"] = bool(data.get("certificate_shown"))

    # Derived from the issued documents when the case gives none.
    decision = _latest(issued, DECISION_CODES)
    if not ctx["served_document"] and decision is not None:
        ctx["served_document"] = decision.reference
    penalty = _latest(issued, frozenset({"penalty_decision"}))
    if penalty is not None:
        ctx["decision_number"] = ctx["decision_number"] or (penalty.number or "")
        if not ctx["decided_date"] and penalty.issued_on is not None:
            ctx["decided_date"] = chinese_date(penalty.issued_on)

    # 法律依据.
    ctx["legal_basis"] = legal_basis_rows(legal_basis)
    ctx["legal_basis_text"] = legal_basis_text(legal_basis)

    # Anything else ``extra`` brings is passed through unchanged.
    for name, value in (extra or {}).items():
        ctx.setdefault(name, value)
    return ctx
