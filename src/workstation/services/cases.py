"""Case use cases: open a case, take a workflow action, show a case, verify its 全过程记录.

Every change and the event recording it are written in one transaction of the
:class:`~workstation.domain.case_ports.CaseStore`; the 案号 is issued in that same transaction
when the case is filed (立案), or when it is created for the simple procedure, so a refused or
failed action leaves nothing behind and numbers stay gapless.

Deadlines an action starts are kept in ``case.data["deadlines"]`` by name. A pausable deadline
(the 90-day decision period) is recomputed by the engine when a clock action pauses, resumes or
extends it, with a basis that names the pause or extension; while a pause runs the record
carries ``paused_since`` and the due date shown is recomputed for the day it is shown.

A penalty proposal (an action that asks for ``circumstances``: the ordinary ``conclude``, the
simple ``decide_on_spot``) goes through the 裁量基准 calculator when the case has an
``item_code`` and the :class:`~workstation.domain.case_ports.BenchmarkLookup` knows the item:
the service records the result in ``case.data["discretion"]`` (written with the action's event,
so it is part of the 全过程记录) before the guards run, so guard W17 reads it. Without a
benchmark for the case's item it records ``{"status": "no_benchmark"}``.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from workstation.domain.case_ports import (
    BenchmarkLookup,
    BenchmarkSourceLookup,
    CaseListColumns,
    CaseStore,
    CaseTransaction,
)
from workstation.domain.cases import Case, CaseKind, CaseSource
from workstation.domain.discretion import Assessment, Benchmark, ItemEntry, assess
from workstation.domain.entities import Officer, PartyKind
from workstation.domain.errors import FieldError, InvalidInput
from workstation.domain.guards import AGE_OF_MAJORITY, AGE_OF_RESPONSIBILITY, DISCRETION_TIERS, as_money
from workstation.domain.numbering import (
    CASE_KIND,
    CaseNumberFormat,
    numbering_year,
    sequence_kind,
    training_number,
)
from workstation.domain.record import ConcurrentEdit, FieldChange, VerifyReport
from workstation.domain.workflow import ActionOption, CaseState, StartedDeadline, WorkflowEngine
from workstation.services.changes import Changes, Result, Topic

#: The action that files a case (立案) and so issues its 案号.
FILE_ACTION = "file"
#: Days before a deadline from which the case list shows a yellow warning.
WARN_DAYS = 3


def agency_short_name(name: str) -> str:
    """The agency's short name for the 案号: its name without 人民政府 and （示例）."""
    short = name.replace("人民政府", "").replace("（示例）", "").replace("(示例)", "").strip()
    return short or name


# ------------------------------------------------------------------ inputs and views


def _date(value: object, what: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(f"“{what}”应为日期（YYYY-MM-DD）：{value}") from None


def _ids(value: object, what: str) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) and v for v in value):
        raise InvalidInput(f"“{what}”应为编号列表。")
    return tuple(value)


@dataclass(frozen=True, slots=True)
class NewCaseSpec:
    """What opening a case needs; ``officer_ids`` lists the lead officer (承办人) first."""

    kind: CaseKind
    title: str
    source: CaseSource
    opened_on: dt.date
    actor_id: str
    party_ids: tuple[str, ...] = ()
    officer_ids: tuple[str, ...] = ()
    agency_id: str | None = None
    item_code: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
    is_training: bool = False

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> NewCaseSpec:
        """From the JSON of ``workstation case new`` (docs/CLI.md); InvalidInput in Chinese."""
        try:
            kind = CaseKind(str(raw.get("kind", "")))
        except ValueError:
            raise InvalidInput(
                f"未知的案件类型：{raw.get('kind')}", f"可用：{'、'.join(k.value for k in CaseKind)}。"
            ) from None
        try:
            source = CaseSource(str(raw.get("source", CaseSource.PATROL.value)))
        except ValueError:
            raise InvalidInput(
                f"未知的案件来源：{raw.get('source')}", f"可用：{'、'.join(s.value for s in CaseSource)}。"
            ) from None
        title = str(raw.get("title") or "").strip()
        if not title:
            raise InvalidInput("请填写案由（title）。")
        officers = _ids(raw.get("officer_ids", []), "officer_ids")
        actor = raw.get("actor_id") or (officers[0] if officers else None)
        if not isinstance(actor, str) or not actor:
            raise InvalidInput("请指明经办人（actor_id）或承办人（officer_ids）。")
        data = raw.get("data", {})
        if not isinstance(data, dict):
            raise InvalidInput("“data”应为对象。")
        return cls(
            kind=kind,
            title=title,
            source=source,
            opened_on=_date(raw.get("opened_on"), "opened_on"),
            actor_id=actor,
            party_ids=_ids(raw.get("party_ids", []), "party_ids"),
            officer_ids=officers,
            agency_id=raw.get("agency_id") or None,
            item_code=raw.get("item_code") or None,
            data=dict(data),
            is_training=bool(raw.get("is_training", False)),
        )


@dataclass(frozen=True, slots=True)
class DeadlineView:
    """A deadline as shown; ``paused_since`` while its clock is paused (``due`` then is the date
    if the clock resumed the day after the day shown)."""

    name: str
    label: str
    start: dt.date
    due: dt.date
    basis: str
    paused_since: dt.date | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "start": self.start.isoformat(),
            "due": self.due.isoformat(),
            "basis": self.basis,
            "paused_since": self.paused_since.isoformat() if self.paused_since else None,
        }


@dataclass(frozen=True, slots=True)
class CaseView:
    """A case as shown: its stage, the actions open to it (or why not) and its deadlines."""

    case: Case
    kind_label: str
    stage_label: str
    actions: tuple[ActionOption, ...]
    deadlines: tuple[DeadlineView, ...]
    event_count: int

    def as_dict(self) -> dict[str, Any]:
        c = self.case
        return {
            "id": c.id,
            "case_number": c.case_number,
            "agency_id": c.agency_id,
            "kind": c.kind.value,
            "kind_label": self.kind_label,
            "title": c.title,
            "source": c.source.value,
            "stage": c.stage,
            "stage_label": self.stage_label,
            "opened_on": c.opened_on.isoformat(),
            "closed_on": c.closed_on.isoformat() if c.closed_on else None,
            "party_ids": list(c.party_ids),
            "officer_ids": list(c.officer_ids),
            "row_version": c.row_version,
            "data": {k: v for k, v in c.data.items() if k != "deadlines"},
            "actions": [
                {
                    "code": a.code,
                    "label": a.label,
                    "to_stage": a.to_stage,
                    "enabled": a.enabled,
                    "problems": [
                        {"rule": p.rule, "message": p.message, "citation": p.citation} for p in a.problems
                    ],
                    "warnings": [
                        {"rule": p.rule, "message": p.message, "citation": p.citation} for p in a.warnings
                    ],
                    "fields": [
                        {"name": f.name, "type": f.type, "label": f.label, "optional": f.optional}
                        for f in a.required_fields
                    ],
                }
                for a in self.actions
            ],
            "deadlines": [d.as_dict() for d in self.deadlines],
            "event_count": self.event_count,
        }


def _deadline_record(started: StartedDeadline) -> dict[str, Any]:
    record = {
        "label": started.label,
        "start": started.clock.start.isoformat(),
        "due": started.due.due.isoformat(),
        "basis": started.due.basis,
    }
    if started.paused_since is not None:
        record["paused_since"] = started.paused_since.isoformat()
    return record


def _deadline_view(name: str, d: Mapping[str, Any]) -> DeadlineView:
    paused = d.get("paused_since")
    return DeadlineView(
        name,
        str(d["label"]),
        _date(d["start"], name),
        _date(d["due"], name),
        str(d["basis"]),
        _date(paused, name) if paused else None,
    )


def _deadlines(data: Mapping[str, Any]) -> tuple[DeadlineView, ...]:
    stored = data.get("deadlines") or {}
    views = [_deadline_view(name, d) for name, d in stored.items()]
    return tuple(sorted(views, key=lambda d: (d.due, d.name)))


def _columns(case: Case, today: dt.date) -> CaseListColumns:
    if case.closed_on is not None:
        return CaseListColumns()
    # A paused clock cannot run out: it does not count toward the case list's warnings.
    dues = [d.due for d in _deadlines(case.data) if d.due >= case.opened_on and d.paused_since is None]
    if not dues:
        return CaseListColumns()
    nearest = min(dues)
    level = 2 if nearest < today else 1 if (nearest - today).days <= WARN_DAYS else 0
    return CaseListColumns(nearest, level)


def agency_kind(name: str) -> str | None:
    """ "subdistrict" for a 街道办事处, "township" for a 乡镇人民政府, else None (from the name)."""
    if "街道" in name:
        return "subdistrict"
    if re.search(r"[乡镇]", name):
        return "township"
    return None


def age_on(id_number: str | None, day: dt.date) -> int | None:
    """Full years of age on ``day`` from an 18-digit 公民身份号码 (None when not readable)."""
    if not id_number or len(id_number) != 18 or not id_number[:14].isdigit():
        return None
    try:
        born = dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None
    if born > day:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


# ------------------------------------------------------------------ discretion (裁量基准)

#: The action field that makes an action a penalty proposal run through the calculator.
CIRCUMSTANCES_FIELD = "circumstances"
#: Flags of a proposal that are circumstances of 《行政处罚法》第三十三条 under the same codes.
_FLAG_CIRCUMSTANCES = ("first_violation", "minor", "minor_harm", "no_harm", "corrected")
#: What the service records when the case's item has no benchmark (or none is configured).
NO_BENCHMARK: Mapping[str, str] = {"status": "no_benchmark"}


def _money_text(amount: Decimal) -> str:
    """Yuan as a JSON string without needless decimals: 18500.00 → "18500", 12.5 → "12.50"."""
    q = amount.quantize(Decimal("0.01"))
    return str(int(q)) if q == q.to_integral_value() else str(q)


def _money_input(value: object, name: str, label: str) -> Decimal | None:
    try:
        return as_money(value)
    except InvalidInput as exc:
        raise FieldError(name, f"“{label}”：{exc.message}", exc.advice) from None


def _circumstance_codes(values: Mapping[str, Any], party_kind: PartyKind) -> list[str]:
    """The circumstances of a proposal: those entered (``circumstances``), the 第三十三条 flags,
    the 第三十二条 codes (``mitigating``) and the party's age at the time of the act (第三十条),
    in that order, each once."""
    entered = values.get(CIRCUMSTANCES_FIELD) or []
    if not isinstance(entered, list | tuple) or not all(isinstance(c, str) for c in entered):
        raise FieldError(CIRCUMSTANCES_FIELD, "“裁量情节”应为情节代码的列表。")
    mitigating = values.get("mitigating") or []
    codes: list[str] = [c.strip() for c in entered if c.strip()]
    codes += [flag for flag in _FLAG_CIRCUMSTANCES if values.get(flag) is True]
    codes += [str(c) for c in mitigating] if isinstance(mitigating, list | tuple) else []
    age = values.get("party_age")
    if party_kind is PartyKind.PERSON and isinstance(age, int) and not isinstance(age, bool) and age > 0:
        if age < AGE_OF_RESPONSIBILITY:
            codes.append("under_14")
        elif age < AGE_OF_MAJORITY:
            codes.append("age_14_18")
    return list(dict.fromkeys(codes))


def _benchmark_source(lookup: object, item_code: str) -> Benchmark | None:
    """The benchmark an entry comes from, when the lookup can say (:class:`BenchmarkSourceLookup`)."""
    if isinstance(lookup, BenchmarkSourceLookup):
        return lookup.benchmark_for(item_code)
    return None


def _range_record(low_high: tuple[Decimal, Decimal] | None) -> dict[str, str] | None:
    if low_high is None:
        return None
    return {"min": _money_text(low_high[0]), "max": _money_text(low_high[1])}


def discretion_record(
    entry: ItemEntry,
    assessment: Assessment,
    circumstances: Iterable[str],
    *,
    base: Decimal | None,
    fine: Decimal | None,
    reason: str,
    benchmark: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """What the case keeps of a calculator run (``case.data["discretion"]``), plain JSON: the
    item and benchmark, the tier and its yuan range, the circumstances with labels, the proposed
    fine, the W17 findings (kind, severity, message, citation), the reason and the explanation
    lines with their citations."""
    rng = assessment.statutory_range
    tier = assessment.tier
    return {
        "status": "assessed",
        "item_code": entry.item_code,
        "item_name": entry.name,
        "benchmark": dict(benchmark) if benchmark else None,
        "party_kind": assessment.party_kind.value,
        "statutory_range": (
            None
            if rng is None
            else {
                "text": rng.describe,
                "citation": rng.citation,
                **(_range_record(assessment.statutory_yuan) or {}),
            }
        ),
        "tier": None if tier is None else {"code": tier.level.value, "label": tier.level.label},
        "tier_range": _range_record(assessment.tier_yuan),
        "circumstances": [{"code": c, "label": entry.circumstance_label(c)} for c in circumstances],
        "base_amount": None if base is None else _money_text(base),
        "base_missing": None if assessment.base_missing is None else assessment.base_missing.label,
        "proposed_fine": None if fine is None else _money_text(fine),
        "severity": assessment.severity.name.lower(),
        "severity_label": assessment.severity.label,
        "deviations": [
            {
                "kind": d.kind.value,
                "severity": d.severity.name.lower(),
                "message": d.message,
                "citation": d.citation,
                "reason_required": d.reason_required,
            }
            for d in assessment.deviations
        ],
        "deviation_reason": reason or None,
        "explanations": [{"text": e.text, "citation": e.citation} for e in assessment.explanations],
    }


# ------------------------------------------------------------------ the service


class CaseService:
    def __init__(
        self,
        store: CaseStore,
        engine: WorkflowEngine,
        now: Callable[[], dt.datetime],
        number_format: CaseNumberFormat | None = None,
        benchmarks: BenchmarkLookup | None = None,
    ) -> None:
        self._store = store
        self._engine = engine
        self._now = now
        self._format = number_format or CaseNumberFormat()
        self._benchmarks = benchmarks

    # ---------------------------------------------------------------- helpers

    def _number(self, tx: CaseTransaction, case: Case, filed_on: dt.date) -> str:
        year = numbering_year(filed_on)
        serial = tx.allocate_number(case.agency_id, sequence_kind(CASE_KIND, case.is_training), year)
        number = self._format.format(agency_short_name(tx.agency(case.agency_id).name), year, serial)
        return training_number(number, case.is_training)

    def _state(self, tx: CaseTransaction, case: Case, extra: Mapping[str, Any] | None = None) -> CaseState:
        """The case for the engine, with ``agency_kind`` (乡镇 or 街道, for the 复议机关 of P20) and
        the fields the service itself writes with the action (``extra``)."""
        data = {**case.data, **(extra or {})}
        if "agency_kind" not in data:
            kind = agency_kind(tx.agency(case.agency_id).name)
            if kind is not None:
                data["agency_kind"] = kind
        return CaseState(case.kind, case.stage, data)

    def _shown_deadlines(self, case: Case, today: dt.date) -> tuple[DeadlineView, ...]:
        """The stored deadlines, a paused one recomputed for ``today`` (it moves while paused)."""
        views = []
        for view in _deadlines(case.data):
            if view.paused_since is not None and case.closed_on is None:
                current = self._engine.current_deadline(case.kind, case.data, view.name, today)
                if current is not None:
                    view = _deadline_view(view.name, _deadline_record(current))
            views.append(view)
        return tuple(sorted(views, key=lambda d: (d.due, d.name)))

    def _view(
        self,
        tx: CaseTransaction,
        case: Case,
        today: dt.date,
        actor: Officer | None,
        event_count: int | None = None,
    ) -> CaseView:
        """The case as shown; ``event_count`` is given inside a write (whose new event other
        connections cannot see until it commits)."""
        definition = self._engine.definition(case.kind)
        if actor is None and case.officer_ids:
            actor = tx.officer(case.officer_ids[0])
        actions: tuple[ActionOption, ...] = ()
        if actor is not None:
            actions = tuple(self._engine.allowed_actions(self._state(tx, case), actor, today))
        return CaseView(
            case,
            definition.label,
            definition.stage_label(case.stage),
            actions,
            self._shown_deadlines(case, today),
            len(self._store.events(case.id)) if event_count is None else event_count,
        )

    def _fill(
        self, tx: CaseTransaction, case: Case, code: str, inputs: Mapping[str, Any], actor: Officer
    ) -> dict[str, Any]:
        """The inputs, with what the case itself knows when the action asks for it: the case's
        officers, the party's kind, name, address and age at the time of the act (from the 公民身份
        号码), the acting reviewer's name (法制审核人员, for the 回避 check of P05) and the statutory
        复议/诉讼 periods the 决定书 states (60 days, 6 months) unless others are entered."""
        filled = dict(inputs)
        action = self._engine.definition(case.kind).action(code)
        wanted = {f.name for f in action.required_fields} if action else set()
        party = tx.party(case.party_ids[0]) if case.party_ids else None
        if party is not None:
            if "party_name" in wanted and not filled.get("party_name"):
                filled["party_name"] = party.name
            if "party_address" in wanted and not filled.get("party_address") and party.address:
                filled["party_address"] = party.address
        if "party_age" in wanted and not filled.get("party_age"):
            # 0 is a form's empty number box: the age comes from the 公民身份号码 when there is one.
            filled.pop("party_age", None)
            act_date = case.data.get("act_date")
            if party is not None and party.kind is PartyKind.PERSON and act_date:
                age = age_on(party.id_number, _date(act_date, "act_date"))
                if age is not None:
                    filled["party_age"] = age
        if "reviewer" in wanted and not filled.get("reviewer"):
            filled["reviewer"] = actor.name
        # The 决定书 states the statutory remedy periods unless the officer enters others (P20).
        config = self._engine.config
        for name, statutory in (
            ("review_period_days", config.review_period_days),
            ("litigation_period_months", config.litigation_period_months),
        ):
            if name in wanted and not filled.get(name):
                filled[name] = statutory
        if "officers" in wanted and "officers" not in filled:
            filled["officers"] = [
                {
                    "id": o.id,
                    "name": o.name,
                    "certificate_valid_from": o.certificate_valid_from.isoformat(),
                    "certificate_valid_until": o.certificate_valid_until.isoformat(),
                }
                for o in (tx.officer(i) for i in case.officer_ids)
            ]
        if "party_kind" in wanted and "party_kind" not in filled and case.party_ids:
            filled["party_kind"] = tx.party(case.party_ids[0]).kind.value
        return filled

    def _discretion(
        self, tx: CaseTransaction, case: Case, code: str, filled: Mapping[str, Any]
    ) -> dict[str, Any]:
        """The fields the service writes for a penalty proposal: ``discretion`` (the calculator's
        result, or ``{"status": "no_benchmark"}``) and ``discretion_tier`` from the calculator when
        the officer chose none. Empty for other actions and for a case without an ``item_code``."""
        action = self._engine.definition(case.kind).action(code)
        if action is None or not case.item_code:
            return {}
        if CIRCUMSTANCES_FIELD not in {f.name for f in action.required_fields}:
            return {}
        if case.stage not in action.from_stages:
            return {}  # the engine refuses the action for its stage
        entry = self._benchmarks.entry(case.item_code) if self._benchmarks is not None else None
        if entry is None:
            return {"discretion": dict(NO_BENCHMARK)}
        values = {**case.data, **filled}
        kind_value = values.get("party_kind")
        if not kind_value and case.party_ids:
            kind_value = tx.party(case.party_ids[0]).kind.value
        try:
            party_kind = PartyKind(str(kind_value))
        except ValueError:
            raise FieldError("party_kind", "请先填写当事人类别，才能适用裁量基准。") from None
        circumstances = _circumstance_codes(values, party_kind)
        base = _money_input(filled.get("base_amount"), "base_amount", "计算基数")
        fine = _money_input(filled.get("fine"), "fine", "罚款金额")
        proposed = fine if fine else None  # 0 (a form's empty number box) or absent: no fine
        assessment = assess(
            entry,
            party_kind,
            circumstances,
            base=base,
            proposed_fine=proposed,
            config=self._engine.config,
            major=values.get("major") is True,
            complex_case=values.get("complex") is True,
            public_interest=values.get("public_interest") is True,
        )
        source = _benchmark_source(self._benchmarks, case.item_code)
        benchmark = None
        if source is not None:
            benchmark = {
                "id": source.id,
                "name": source.name,
                "version": source.version,
                "document_number": source.document_number,
            }
        reason = str(filled.get("deviation_reason") or "").strip()
        extra: dict[str, Any] = {
            "discretion": discretion_record(
                entry,
                assessment,
                circumstances,
                base=base,
                fine=proposed,
                reason=reason,
                benchmark=benchmark,
            )
        }
        level = assessment.tier_level
        if level is not None and level.value in DISCRETION_TIERS and not filled.get("discretion_tier"):
            extra["discretion_tier"] = level.value
        return extra

    # ---------------------------------------------------------------- use cases

    def new_case(self, spec: NewCaseSpec) -> Result[CaseView]:
        """Open a case in the workflow's first stage (with its 案号 for the simple procedure)."""
        definition = self._engine.definition(spec.kind)
        with self._store.transaction() as tx:
            actor = tx.officer(spec.actor_id)
            officers = spec.officer_ids or (actor.id,)
            for officer_id in officers:
                tx.officer(officer_id)
            for party_id in spec.party_ids:
                tx.party(party_id)
            agency_id = spec.agency_id or actor.agency_id
            tx.agency(agency_id)
            case = Case(
                id=str(uuid.uuid4()),
                agency_id=agency_id,
                kind=spec.kind,
                title=spec.title,
                source=spec.source,
                stage=definition.initial_stage,
                opened_on=spec.opened_on,
                item_code=spec.item_code,
                party_ids=spec.party_ids,
                officer_ids=officers,
                data=dict(spec.data),
                is_training=spec.is_training,
            )
            if spec.kind is CaseKind.SIMPLE:
                case = replace(case, case_number=self._number(tx, case, spec.opened_on))
            tx.insert(case, _columns(case, spec.opened_on))
            changes = [FieldChange("stage", None, case.stage)]
            if case.case_number:
                changes.append(FieldChange("case_number", None, case.case_number))
            changes += [FieldChange(k, None, v) for k, v in sorted(case.data.items())]
            event = tx.record_event(
                case_id=case.id,
                actor_id=actor.id,
                actor_role=actor.roles[0].value if actor.roles else "officer",
                action="create",
                occurred_at=self._now(),
                changes=changes,
                payload={
                    "kind": case.kind.value,
                    "title": case.title,
                    "source": case.source.value,
                    "opened_on": case.opened_on.isoformat(),
                    "party_ids": list(case.party_ids),
                    "officer_ids": list(case.officer_ids),
                    "item_code": case.item_code,
                },
            )
            view = self._view(tx, tx.load(case.id), spec.opened_on, actor, event.seq)
        return Result(view, Changes.of(Topic.CASES))

    def act(
        self,
        case_id: str,
        action: str,
        inputs: Mapping[str, Any],
        actor_id: str,
        today: dt.date,
        expected_version: int | None = None,
    ) -> Result[CaseView]:
        """Take a workflow action; ActionRefused (with rules and articles) writes nothing.

        ``expected_version`` is the ``row_version`` the caller saw; ConcurrentEdit when the case
        changed since.
        """
        with self._store.transaction() as tx:
            case = tx.load(case_id)
            if expected_version is not None and expected_version != case.row_version:
                raise ConcurrentEdit(case.id)
            actor = tx.officer(actor_id)
            filled = self._fill(tx, case, action, inputs, actor)
            # Written by the service with the action, and seen by its guards (W17 reads discretion).
            extra = self._discretion(tx, case, action, filled)
            result = self._engine.act(self._state(tx, case, extra), action, filled, actor, today)
            data = {**case.data, **extra, **result.data_changes}
            changes = list(result.changes)
            changes += [
                FieldChange(name, case.data.get(name), value)
                for name, value in extra.items()
                if name not in result.data_changes and case.data.get(name) != value
            ]
            if result.deadlines:
                before = dict(case.data.get("deadlines") or {})
                after = {**before, **{d.name: _deadline_record(d) for d in result.deadlines}}
                data["deadlines"] = after
                changes.append(FieldChange("deadlines", case.data.get("deadlines"), after))
            number = case.case_number
            if action == FILE_ACTION and number is None:
                filed_on = _date(data.get("filed_on") or today.isoformat(), "filed_on")
                number = self._number(tx, case, filed_on)
                changes.append(FieldChange("case_number", None, number))
            closed = data.get("closed_on")
            changed = replace(
                case,
                stage=result.stage,
                case_number=number,
                data=data,
                closed_on=_date(closed, "closed_on") if closed else case.closed_on,
            )
            stored = tx.update(changed, case.row_version, _columns(changed, today))
            event = tx.record_event(
                case_id=case.id,
                actor_id=actor.id,
                actor_role=actor.roles[0].value if actor.roles else "officer",
                action=result.action,
                occurred_at=self._now(),
                changes=changes,
                payload={
                    "today": today.isoformat(),
                    "warnings": [p.text for p in result.warnings],
                },
            )
            view = self._view(tx, stored, today, actor, event.seq)
        return Result(view, Changes.of(Topic.CASES))

    def show(self, case_id: str, today: dt.date, actor_id: str | None = None) -> Result[CaseView]:
        """The case with its open actions for ``actor_id`` (default: the lead officer)."""
        with self._store.transaction() as tx:
            case = tx.load(case_id)
            actor = tx.officer(actor_id) if actor_id else None
            return Result(self._view(tx, case, today, actor))

    def verify_log(self, case_id: str) -> Result[VerifyReport]:
        """Check the case's 全过程记录 (hash chain) for tampering."""
        with self._store.transaction() as tx:
            case = tx.load(case_id)
        return Result(self._store.verify_log(case.id))
