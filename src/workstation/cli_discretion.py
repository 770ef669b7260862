"""``workstation items …`` and ``workstation discretion calc``: the 裁量基准 (docs/CLI.md).

``items import|export|list|show`` manage the benchmarks and the 事项 they list;
``discretion calc`` runs the calculator (docs/DISCRETION.md) on an item's effective entry.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workstation.domain.entities import PartyKind

if TYPE_CHECKING:
    from workstation.app import Core
    from workstation.cli import Output
    from workstation.domain.discretion import Assessment, Explanation, ItemEntry, StatutoryRange
    from workstation.services.discretion import ItemSummary

#: ``--party`` values: org is short for organisation.
PARTY_KINDS = {
    "person": PartyKind.PERSON,
    "org": PartyKind.ORGANISATION,
    "organisation": PartyKind.ORGANISATION,
    "other": PartyKind.OTHER,
}

_SIMPLE = "第五十一条"
_HEARING = "《中华人民共和国行政处罚法》第六十三条"


def add_parsers(
    sub: Any, common: argparse.ArgumentParser, parser_class: type, wanted: set[str] | None = None
) -> None:
    wanted = {"items", "discretion"} if wanted is None else wanted
    if "items" in wanted:
        _add_items_parsers(sub, common, parser_class)
    if "discretion" in wanted:
        _add_discretion_parsers(sub, common, parser_class)


def _add_items_parsers(sub: Any, common: argparse.ArgumentParser, parser_class: type) -> None:
    items = sub.add_parser("items", help="执法事项与裁量基准：导入、导出、列出、查看", parents=[common])
    items_sub = items.add_subparsers(
        dest="items_command", metavar="操作", required=True, parser_class=parser_class
    )
    imp = items_sub.add_parser(
        "import", help="导入裁量基准（.json 或 .xlsx；先校验、核对法条引用，再整体写入）", parents=[common]
    )
    imp.add_argument("path", type=Path, metavar="PATH", help="裁量基准文件")
    imp.add_argument(
        "--no-citation-check",
        action="store_true",
        help="不按法规库核对法条引用（法规库尚未导入时使用）",
    )
    exp = items_sub.add_parser(
        "export", help="导出全部裁量基准（按扩展名：.json 或 .xlsx）", parents=[common]
    )
    exp.add_argument("path", type=Path, metavar="PATH", help="导出文件")
    lst = items_sub.add_parser(
        "list", help="列出执法事项（按名称、编码、关键词或拼音首字母查找）", parents=[common]
    )
    lst.add_argument("text", nargs="?", default="", metavar="TEXT", help="查找内容，如 占道、ZB-001、zdjy")
    show = items_sub.add_parser("show", help="查看事项的裁量基准（生效的细化条目）", parents=[common])
    show.add_argument("code", metavar="CODE", help="事项编码")


def _money(text: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", "").strip())
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"应为金额（元）：{text}") from None
    if not value.is_finite() or value < 0:
        raise argparse.ArgumentTypeError(f"应为不小于 0 的金额（元）：{text}")
    return value


def _party(text: str) -> PartyKind:
    try:
        return PARTY_KINDS[text.strip().lower()]
    except KeyError:
        raise argparse.ArgumentTypeError(
            f"当事人类别应为 person、org（organisation）或 other：{text}"
        ) from None


def _add_discretion_parsers(sub: Any, common: argparse.ArgumentParser, parser_class: type) -> None:
    discretion = sub.add_parser("discretion", help="裁量计算：档次、幅度、程序与偏离预警", parents=[common])
    d_sub = discretion.add_subparsers(
        dest="discretion_command", metavar="操作", required=True, parser_class=parser_class
    )
    calc = d_sub.add_parser(
        "calc", help="按裁量基准计算适用档次与罚款幅度，核对拟罚款金额（W17）", parents=[common]
    )
    calc.add_argument("--item", required=True, metavar="CODE", help="事项编码")
    calc.add_argument(
        "--party", required=True, type=_party, metavar="KIND", help="当事人类别：person、org、other"
    )
    calc.add_argument(
        "--circumstance",
        action="append",
        default=[],
        metavar="C",
        help="情节代码，可重复（如 first_violation、corrected、small_scale）",
    )
    calc.add_argument(
        "--base-amount", type=_money, metavar="N", help="计算基数（货值金额、违法所得、工程造价等，元）"
    )
    calc.add_argument("--proposed", type=_money, metavar="N", help="拟罚款金额（元；0 表示不罚款）")
    calc.add_argument("--major", action="store_true", help="重大案件（须法制审核）")
    calc.add_argument("--complex", action="store_true", help="案情疑难复杂（须法制审核）")
    calc.add_argument("--public-interest", action="store_true", help="涉及重大公共利益（须法制审核）")


# ------------------------------------------------------------------ output helpers


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _summary_dict(s: ItemSummary) -> dict[str, Any]:
    return {
        "code": s.code,
        "name": s.name,
        "department": s.department,
        "benchmark_name": s.benchmark_name,
        "level_label": s.level_label,
        "sample": s.sample,
        "delegated": s.delegated,
    }


def _range_dict(r: StatutoryRange) -> dict[str, Any]:
    return {
        "party_kinds": sorted(k.value for k in r.party_kinds),
        "kind": r.kind.value,
        "min": _amount(r.minimum),
        "max": _amount(r.maximum),
        "base": None if r.base is None else r.base.value,
        "citation": r.citation,
        "describe": r.describe,
        "when": list(r.when),
        "penalty_types": [p.value for p in r.penalty_types],
        "tiers": [
            {
                "level": t.level.value,
                "label": t.level.label,
                "conditions": list(t.conditions),
                "min": _amount(t.minimum),
                "max": _amount(t.maximum),
            }
            for t in r.tiers
        ],
    }


def _entry_dict(item: ItemEntry) -> dict[str, Any]:
    fv = item.first_violation
    return {
        "code": item.item_code,
        "name": item.name,
        "department": item.department,
        "violation_basis": list(item.violation_basis),
        "penalty_basis": list(item.penalty_basis),
        "party_kinds": sorted(k.value for k in item.party_kinds),
        "penalty_types": [p.value for p in item.penalty_types],
        "measures": list(item.measures),
        "delegated": item.delegated_to_township,
        "delegation_document": item.delegation_document,
        "sample": item.sample,
        "ranges": [_range_dict(r) for r in item.ranges],
        "preconditions": [{"code": p.code, "label": p.label, "source": p.source} for p in item.preconditions],
        "factors": [
            {"code": f.code, "label": f.label, "effect": f.effect.value, "source": f.source}
            for f in item.factors
        ],
        "escalations": [
            {"condition": e.condition, "measure": e.measure, "source": e.source} for e in item.escalations
        ],
        "first_violation": None
        if fv is None
        else {"conditions": list(fv.conditions), "correction_days": fv.correction_days, "source": fv.source},
        "circumstances": {code: item.circumstance_label(code) for code in sorted(item.known_codes())},
        "evidence_checklist": list(item.evidence_checklist),
        "inspection_items": list(item.inspection_items),
    }


def _entry_text(item: ItemEntry, summary: ItemSummary | None) -> str:
    lines = [f"{item.item_code}  {item.name}{'（示例）' if item.sample else ''}", f"部门：{item.department}"]
    if summary is not None:
        lines.append(f"裁量基准：{summary.benchmark_name}（{summary.level_label}）")
    lines.append(f"违法依据：{'；'.join(item.violation_basis)}")
    lines.append(f"处罚依据：{'；'.join(item.penalty_basis)}")
    for r in item.ranges:
        lines.append(f"处罚幅度：{r.describe}（{r.citation}）")
        for t in r.tiers:
            span = (
                ""
                if t.minimum is None
                else f"：{r.unit_text(t.minimum)}至{r.unit_text(t.maximum or t.minimum)}"
            )
            cond = (
                f"（情节：{'、'.join(item.circumstance_label(c) for c in t.conditions)}）"
                if t.conditions
                else ""
            )
            lines.append(f"    {t.level.label}{span}{cond}")
    for p in item.preconditions:
        lines.append(f"前提条件：{p.label}（{p.code}；{p.source}）")
    for f in item.factors:
        lines.append(f"情节：{f.label}（{f.code}，{f.effect.label}；{f.source}）")
    for e in item.escalations:
        lines.append(f"加重措施：{e.measure}（{e.condition}；{e.source}）")
    return "\n".join(lines)


def _explanation(e: Explanation) -> dict[str, str]:
    return {"text": e.text, "citation": e.citation}


def _simple_reason(a: Assessment) -> tuple[str, str]:
    for e in a.explanations:
        if e.citation.endswith(_SIMPLE):
            return e.text, e.citation
    cite = f"《中华人民共和国行政处罚法》{_SIMPLE}"
    if a.mandatory_no_penalty:
        return "依法不予行政处罚，不适用当场处罚", cite
    if a.unmet_preconditions:
        return "尚不具备罚款条件，不适用当场罚款", cite
    if a.base_missing is not None:
        return f"须先填写{a.base_missing.label}才能判断", cite
    return "本事项对该当事人没有可当场作出的警告或者罚款", cite


def calc_dict(item: ItemEntry, a: Assessment, proposed: Decimal | None) -> dict[str, Any]:
    """The ``discretion calc --json`` object (docs/CLI.md)."""
    reason, reason_cite = _simple_reason(a)
    data: dict[str, Any] = {
        "item": {"code": item.item_code, "name": item.name},
        "party_kind": a.party_kind.value,
        "tier": None if a.tier is None else {"code": a.tier.level.value, "label": a.tier.level.label},
        "range_yuan": None if a.tier_yuan is None else [_amount(v) for v in a.tier_yuan],
        "statutory_yuan": None if a.statutory_yuan is None else [_amount(v) for v in a.statutory_yuan],
        "statutory_citation": None if a.statutory_range is None else a.statutory_range.citation,
        "fine_possible": a.fine_possible,
        "base_missing": None if a.base_missing is None else a.base_missing.value,
        "unmet_preconditions": [{"code": p.code, "label": p.label} for p in a.unmet_preconditions],
        "escalations": [{"condition": e.condition, "measure": e.measure} for e in a.escalations],
        "simple_procedure": {
            "possible": a.simple_procedure_possible,
            "reason": reason,
            "citation": reason_cite,
        },
        "hearing": {"required": a.hearing_triggered, "possible": a.hearing_possible, "citation": _HEARING},
        "first_violation": a.first_violation_eligible,
        "no_penalty": a.mandatory_no_penalty,
        "review_required": a.review_required,
        "explanations": [_explanation(e) for e in a.explanations],
    }
    if proposed is not None:
        worst = max(a.deviations, key=lambda d: d.severity, default=None)
        data["proposed"] = _amount(proposed)
        data["severity"] = a.severity.name.lower()
        data["deviation"] = (
            None
            if worst is None
            else {
                "kind": worst.kind.value,
                "severity": worst.severity.name.lower(),
                "severity_label": worst.severity.label,
                "message": worst.message,
                "citation": worst.citation,
                "reason_required": worst.reason_required,
            }
        )
        data["deviations"] = [
            {
                "kind": d.kind.value,
                "severity": d.severity.name.lower(),
                "message": d.message,
                "citation": d.citation,
                "reason_required": d.reason_required,
            }
            for d in a.deviations
        ]
    return data


def _calc_text(item: ItemEntry, a: Assessment, proposed: Decimal | None) -> str:
    lines = [f"{item.item_code}  {item.name}（{a.party_kind.label}）"]
    if a.tier is not None:
        span = f"：{_amount(a.tier_yuan[0])}至{_amount(a.tier_yuan[1])}元" if a.tier_yuan else ""
        lines.append(f"适用档次：{a.tier.level.label}{span}")
    lines.append(f"简易程序：{'可以适用' if a.simple_procedure_possible else '不适用'}")
    lines.append(
        f"听证：{'应当告知' if a.hearing_triggered else ('视罚款数额' if a.hearing_possible else '不涉及')}"
    )
    lines.append(f"法制审核：{'需要' if a.review_required else '不需要'}")
    lines.extend(f"· {e.line}" for e in a.explanations)
    if proposed is not None:
        lines.append(f"拟罚款 {_amount(proposed)} 元：{a.severity.label}")
        lines.extend(f"  {d.severity.label}：{d.message}（依据：{d.citation}）" for d in a.deviations)
    return "\n".join(lines)


# ------------------------------------------------------------------ commands


def cmd_import(core: Core, args: argparse.Namespace, out: Output) -> int:
    report = core.discretion.import_file(args.path, check_citations=not args.no_citation_check).value
    text = (
        f"已导入裁量基准 {report.benchmarks} 个、执法事项 {report.items} 项"
        f"（其中替换已有基准 {report.replaced} 个）。"
    )
    if args.no_citation_check:
        text += "\n提示：未按法规库核对法条引用。"
    data = {
        "benchmarks": report.benchmarks,
        "items": report.items,
        "replaced": report.replaced,
        "changed": report.changed,
        "citations_checked": not args.no_citation_check,
    }
    out.result(data, text)
    return 0


def cmd_export(core: Core, args: argparse.Namespace, out: Output) -> int:
    path = core.discretion.export_file(args.path).value
    out.result({"path": str(path)}, f"已导出裁量基准：{path}")
    return 0


def cmd_list(core: Core, args: argparse.Namespace, out: Output) -> int:
    found = core.discretion.items(args.text).value
    lines = [
        f"{s.code}  {s.name}  {s.department}  {s.level_label}{'  示例' if s.sample else ''}"
        f"{'  已赋权乡镇' if s.delegated else ''}"
        for s in found
    ]
    out.result({"items": [_summary_dict(s) for s in found]}, "\n".join(lines) or "没有找到执法事项。")
    return 0


def cmd_show(core: Core, args: argparse.Namespace, out: Output) -> int:
    item = core.discretion.entry(args.code).value
    summary = next((s for s in core.discretion.items(item.item_code).value if s.code == item.item_code), None)
    data = {
        "item": _entry_dict(item),
        "benchmark": None
        if summary is None
        else {"name": summary.benchmark_name, "level_label": summary.level_label},
    }
    out.result(data, _entry_text(item, summary))
    return 0


def cmd_calc(core: Core, args: argparse.Namespace, out: Output) -> int:
    service = core.discretion
    item = service.entry(args.item).value
    assessment = service.calculate(
        item.item_code,
        args.party,
        args.circumstance,
        base=args.base_amount,
        proposed=args.proposed,
        major=args.major,
        complex_case=args.complex,
        public_interest=args.public_interest,
    ).value
    out.result(calc_dict(item, assessment, args.proposed), _calc_text(item, assessment, args.proposed))
    return 0


COMMANDS: dict[tuple[str, ...], Callable[[Core, argparse.Namespace, Output], int]] = {
    ("items", "import"): cmd_import,
    ("items", "export"): cmd_export,
    ("items", "list"): cmd_list,
    ("items", "show"): cmd_show,
    ("discretion", "calc"): cmd_calc,
}
