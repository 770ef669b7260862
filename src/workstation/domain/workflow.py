"""Workflows as data: definitions (resources/workflows/*.json) interpreted by a small engine.

A definition names the stages of one :class:`~workstation.domain.cases.CaseKind` and the actions
that move a case between them. For each action it lists who may act (``roles``), the fields the
actor must fill in (``required_fields``), the documents that must already be issued
(``required_documents``), the legal guards to run (``guards``, names of
:data:`workstation.domain.guards.GUARDS`), the fields it sets itself (``sets``; ``"$today"`` is
the action date) and the deadlines it starts (``deadlines``). Thresholds that a province may
adjust are in :class:`~workstation.domain.guards.ProcedureConfig`, never in the JSON.

Definition schema (one JSON object per file)::

    {"kind": "ordinary", "label": "普通程序",
     "stages": [{"code": "clue", "label": "线索登记"}, ...],          # the first is the initial stage
     "actions": [{"code": "file", "label": "立案",
                  "from_stages": ["clue"], "to_stage": "filed",       # null = stay in the stage
                  "roles": ["officer"],
                  "required_fields": [{"name": "act_date", "type": "date", "label": "违法行为发生日期",
                                       "optional": false, "options": [...]}],
                  "required_documents": ["立案审批表"],
                  "documents": ["立案审批表"],                          # documents this action issues
                  "guards": ["P04", {"name": "P06", "blocking": false, ...params}],
                  "sets": {"filed_on": "$today"},
                  "deadlines": [{"name": "decision", "label": "办案期限", "days": 90,
                                 "days_config": "decision_days", "unit": "calendar",
                                 "from": "filed_on", "basis": "《中华人民共和国行政处罚法》第六十条",
                                 "pausable": true}],
                  "clock": {"deadline": "decision", "op": "pause"}}]}    # optional, see below

Clock actions (``"clock"``) pause, resume or extend a pausable deadline started by another
action (``"pausable": true``), e.g. the 90-day decision period (《行政处罚法》第六十条). Their
input fields are not stored as such: they become an entry of ``{deadline}_pauses`` or
``{deadline}_extensions`` and the action returns the deadline recomputed (same computation as
guard P15: :func:`workstation.domain.guards.case_clock`). Inputs by ``op``:

- ``pause``: ``pause_reason`` (choice: hearing, testing, inspection, quarantine, appraisal,
  announcement, other), ``pause_note`` (text, the reason when "other"), ``pause_start`` (date)
  → appends {"start", "end": null, "reason", "code", "note"};
- ``resume``: ``pause_end`` (date, the last day not counted) → closes the running pause;
- ``extend``: ``extension_approved_on`` (date), ``extension_reason`` (text),
  ``extension_discussed_on`` (date, 集体讨论, needed from the second extension) → appends
  {"days", "reason", "approved_on", "discussed_on"}; ``days`` (or ``days_config``) of the
  clock spec gives the length.

Field types: ``date`` (stored as an ISO string), ``money`` (yuan, stored as a decimal string),
``text``, ``bool``, ``int``, ``choice`` (one of ``options``), ``list`` (a JSON list).

Case fields (``CaseState.data``), JSON values:

- parties and officers: ``party_kind`` ("person" | "organisation" | "other"); ``officers``: list
  of {"id", "name", "certificate_valid_from", "certificate_valid_until"} (ISO dates).
- dates: ``clue_received_on``, ``filed_on``, ``act_date``, ``act_end_date``, ``saved_on``,
  ``save_approved_on``, ``save_decided_on``, ``investigation_closed_on``, ``review_passed_on``,
  ``collective_discussion_on``, ``notified_on``, ``statement_heard_on``, ``hearing_requested_on``,
  ``hearing_notice_on``, ``hearing_on``, ``hearing_held_on``, ``decided_on``, ``served_on``,
  ``paid_on``, ``payment_deferred_to``, ``closed_on``, ``archived_on``; coercive: ``approved_on``,
  ``reported_on``, ``seized_on``, ``extended_on``, ``extension_approved_on``, ``released_on``,
  ``handled_on``; inspection: ``planned_on``, ``inspected_on``.
- amounts: ``fine``, ``surcharge_paid`` (decimal strings); ``extension_days``, ``review_days``
  (ints).
- proposal and outcome: ``penalty_types`` (list of PenaltyType values), ``outcome`` (Outcome
  value), ``inspection_result`` ("compliant" | "rectify" | "file_case"), ``seizure_result``.
- flags (bool): ``complex``, ``major``, ``public_interest``, ``first_violation``, ``minor``,
  ``minor_harm``, ``corrected``, ``no_harm``, ``safety_or_finance``, ``emergency``,
  ``statement_waived``, ``hearing_waived``, ``hearing_right_notified``.
- investigation and evidence (P05, P07): ``certificate_shown``, ``illegal_evidence``,
  ``electronic_monitoring``, ``monitoring_device_reviewed``, ``monitoring_location_published``,
  ``monitoring_record_reviewed`` (bool); ``reviewer`` and ``hearing_host`` (names, checked
  against ``officers`` for 回避).
- discretion (P22, P24): ``party_age`` (int, at the time of the act), ``mitigating`` (list of
  第三十二条 codes, guards.MITIGATING_CIRCUMSTANCES), ``discretion_tier`` ("mitigated" |
  "lighter" | "general" | "heavier"), ``same_act_fined_by`` (text); for the 裁量基准 (W17):
  ``circumstances`` (list of circumstance codes), ``base_amount`` (money), ``deviation_reason``
  (text) and ``discretion`` (the calculator's record, written by the case service).
- decision contents (P02, P14, P20): ``party_name``, ``party_address``, ``facts``,
  ``penalty_basis``, ``performance``, ``violation``, ``place``, ``decision_no``,
  ``review_body``, ``court`` (text); ``review_period_days``, ``litigation_period_months`` (int);
  ``surcharge_told``, ``review_first_told``, ``refused_to_sign``, ``refusal_noted`` (bool);
  ``recorded_on`` (备案), ``published_on``, ``decision_changed_on``, ``withdrawn_on`` (dates).
  ``agency_kind`` ("township" | "subdistrict") is supplied by the case service from the
  agency's name, not stored.
- 当场收缴 (P03): ``collect_reason`` (guards.COLLECT_REASONS), ``collect_note``,
  ``party_requested``, ``receipt_no``, ``handed_in_on``, ``banked_on``.
- court enforcement (P19): ``reminder_served_on``, ``court_applied_on`` (dates), ``court``,
  ``remedy_sought`` (bool).
- coercion (C1-C8): ``seizure_domain`` (guards.SEIZURE_DOMAINS), ``seizure_basis``,
  ``seizure_reason``, ``entrusted``, ``measure`` ("seal" | "seize"), ``items`` (strings or
  {"name", "qty", "related", "necessity", "sealed_by"}), ``items_case_related``,
  ``living_necessities``, ``sealed_by_other``, ``handed_over``, ``list_copies``,
  ``seized_time`` / ``reported_time`` / ``act_time`` ("HH:MM"), ``emergency_refused``,
  ``urgent``.
- lists: ``evidence_kinds`` (EvidenceKind values), ``documents`` (document codes issued),
  ``decision_pauses`` / ``testing_pauses`` ({"start", "end", "reason"}), ``decision_extensions``
  ({"days", "reason"}), ``departments`` and ``checklist`` ({"department", "item", "result"}) for a
  joint inspection (综合查一次).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from workstation.domain.cases import CaseKind
from workstation.domain.deadlines import (
    CALENDAR_DAYS_BASIS,
    COERCION_LAW_WORKING_DAYS,
    WORKING_DAYS_BASIS,
    DayUnit,
    Deadline,
    HolidayCalendar,
    PausableDeadline,
)
from workstation.domain.entities import Officer, OfficerRole
from workstation.domain.errors import FieldError, InvalidInput, KnownError
from workstation.domain.guards import (
    GUARD_INPUTS,
    GUARDS,
    PAUSE_REASONS,
    GuardContext,
    ProcedureConfig,
    RuleProblem,
    as_date,
    as_money,
    case_clock,
    projected_due,
)
from workstation.domain.record import FieldChange

FIELD_TYPES = frozenset({"date", "money", "text", "bool", "int", "choice", "list"})
TODAY = "$today"

#: Input fields of the clock operations: (mandatory, optional).
CLOCK_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "pause": (("pause_reason", "pause_start"), ("pause_note",)),
    "resume": (("pause_end",), ()),
    "extend": (("extension_approved_on", "extension_reason"), ("extension_discussed_on",)),
}

__all__ = [
    "ActionDef",
    "ActionOption",
    "ActionRefused",
    "ActionResult",
    "CaseState",
    "ClockSpec",
    "DeadlineSpec",
    "FieldSpec",
    "GuardRef",
    "ProcedureConfig",
    "RuleProblem",
    "Stage",
    "StartedDeadline",
    "WorkflowDefinition",
    "WorkflowEngine",
    "load_workflows",
    "parse_workflow",
]


# ----------------------------------------------------------------------------- definitions


@dataclass(frozen=True, slots=True)
class Stage:
    code: str
    label: str


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    type: str
    label: str
    optional: bool = False
    options: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class GuardRef:
    name: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DeadlineSpec:
    name: str
    label: str
    days: int
    unit: DayUnit
    basis: str
    start_field: str = TODAY
    days_config: str | None = None
    pausable: bool = False


@dataclass(frozen=True, slots=True)
class ClockSpec:
    """What a clock action does to a pausable deadline: ``op`` is pause, resume or extend."""

    deadline: str
    op: str
    days: int = 0
    days_config: str | None = None


@dataclass(frozen=True, slots=True)
class ActionDef:
    code: str
    label: str
    from_stages: tuple[str, ...]
    to_stage: str | None
    roles: tuple[OfficerRole, ...]
    required_fields: tuple[FieldSpec, ...] = ()
    required_documents: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    guards: tuple[GuardRef, ...] = ()
    sets: Mapping[str, Any] = field(default_factory=dict)
    deadlines: tuple[DeadlineSpec, ...] = ()
    clock: ClockSpec | None = None


@dataclass(frozen=True, slots=True)
class WorkflowDefinition:
    kind: CaseKind
    label: str
    stages: tuple[Stage, ...]
    actions: tuple[ActionDef, ...]
    source: str = ""

    @property
    def initial_stage(self) -> str:
        return self.stages[0].code

    def stage_label(self, code: str) -> str:
        return next((s.label for s in self.stages if s.code == code), code)

    def action(self, code: str) -> ActionDef | None:
        return next((a for a in self.actions if a.code == code), None)

    def deadline_spec(self, name: str) -> DeadlineSpec | None:
        """The spec of the deadline ``name`` as the action that starts it defines it."""
        return next((d for a in self.actions for d in a.deadlines if d.name == name), None)


class _Reader:
    """Reads one definition, raising InvalidInput that names the file and the field."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, message: str) -> InvalidInput:
        return InvalidInput(
            f"工作流定义“{self.source}”的字段 {where} 有误：{message}",
            "请修正该工作流定义文件（resources/workflows/）后重新加载。",
        )

    def get(self, obj: Mapping[str, Any], key: str, where: str, kind: type | tuple[type, ...]) -> Any:
        if key not in obj:
            raise self.fail(f"{where}.{key}" if where else key, "缺少此字段。")
        value = obj[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
            raise self.fail(f"{where}.{key}" if where else key, f"类型不正确（{type(value).__name__}）。")
        return value


def parse_workflow(text: str, source: str = "<text>") -> WorkflowDefinition:
    """One definition from JSON text; InvalidInput naming ``source`` and the field when invalid."""
    r = _Reader(source)
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise r.fail(f"(第{exc.lineno}行)", f"不是有效的JSON：{exc.msg}。") from None
    if not isinstance(raw, dict):
        raise r.fail("(根)", "应为一个JSON对象。")
    kind_text = r.get(raw, "kind", "", str)
    try:
        kind = CaseKind(kind_text)
    except ValueError:
        raise r.fail("kind", f"未知的案件类型“{kind_text}”。") from None
    stages = []
    for i, item in enumerate(r.get(raw, "stages", "", list)):
        where = f"stages[{i}]"
        if not isinstance(item, dict):
            raise r.fail(where, "应为对象。")
        stages.append(Stage(r.get(item, "code", where, str), r.get(item, "label", where, str)))
    if not stages:
        raise r.fail("stages", "至少需要一个阶段。")
    codes = [s.code for s in stages]
    if len(set(codes)) != len(codes):
        raise r.fail("stages", "阶段代码重复。")
    actions = [
        _parse_action(r, item, f"actions[{i}]", set(codes))
        for i, item in enumerate(r.get(raw, "actions", "", list))
    ]
    if len({a.code for a in actions}) != len(actions):
        raise r.fail("actions", "动作代码重复。")
    reachable = {codes[0]}
    changed = True
    while changed:
        changed = False
        for action in actions:
            if action.to_stage and action.to_stage not in reachable and reachable & set(action.from_stages):
                reachable.add(action.to_stage)
                changed = True
    unreachable = [f"{s.label}（{s.code}）" for s in stages if s.code not in reachable]
    if unreachable:
        raise r.fail("stages", f"阶段“{'、'.join(unreachable)}”无法从初始阶段到达。")
    definition = WorkflowDefinition(
        kind, str(raw.get("label") or kind.label), tuple(stages), tuple(actions), source
    )
    for action in actions:
        if action.clock is None:
            continue
        spec = definition.deadline_spec(action.clock.deadline)
        if spec is None or not spec.pausable:
            raise r.fail(
                f"actions[{action.code}].clock.deadline",
                f"没有动作启动可暂停的期限“{action.clock.deadline}”。",
            )
    return definition


def _parse_clock(r: _Reader, raw: Any, where: str, fields: Sequence[FieldSpec]) -> ClockSpec:
    if not isinstance(raw, dict):
        raise r.fail(where, "应为对象。")
    op = r.get(raw, "op", where, str)
    if op not in CLOCK_FIELDS:
        raise r.fail(f"{where}.op", f"未知的期限操作“{op}”（应为 {'、'.join(CLOCK_FIELDS)}）。")
    mandatory, optional = CLOCK_FIELDS[op]
    declared = {f.name: f for f in fields}
    for name in mandatory:
        if name not in declared or declared[name].optional:
            raise r.fail(f"{where}", f"“{op}”须有必填字段“{name}”。")
    unknown = set(declared) - set(mandatory) - set(optional)
    if unknown:
        raise r.fail(f"{where}", f"期限操作不接受字段“{'、'.join(sorted(unknown))}”。")
    days_config = raw.get("days_config")
    if days_config is not None and days_config not in ProcedureConfig.__dataclass_fields__:
        raise r.fail(f"{where}.days_config", f"配置项“{days_config}”不存在。")
    days = raw.get("days", 0)
    if not isinstance(days, int) or isinstance(days, bool) or days < 0:
        raise r.fail(f"{where}.days", "应为非负整数。")
    if op == "extend" and not days and days_config is None:
        raise r.fail(f"{where}.days", "延长期限须写明天数（days 或 days_config）。")
    return ClockSpec(r.get(raw, "deadline", where, str), op, days, days_config)


def _parse_action(r: _Reader, item: Any, where: str, stages: set[str]) -> ActionDef:
    if not isinstance(item, dict):
        raise r.fail(where, "应为对象。")
    code = r.get(item, "code", where, str)
    where = f"actions[{code}]"
    from_stages = tuple(r.get(item, "from_stages", where, list))
    for stage in from_stages:
        if stage not in stages:
            raise r.fail(f"{where}.from_stages", f"未知的阶段“{stage}”。")
    to_stage = item.get("to_stage")
    if to_stage is not None and to_stage not in stages:
        raise r.fail(f"{where}.to_stage", f"未知的阶段“{to_stage}”。")
    roles = []
    for role in r.get(item, "roles", where, list):
        try:
            roles.append(OfficerRole(role))
        except ValueError:
            raise r.fail(f"{where}.roles", f"未知的角色“{role}”。") from None
    fields = []
    for spec in item.get("required_fields", []):
        fwhere = f"{where}.required_fields"
        if not isinstance(spec, dict):
            raise r.fail(fwhere, "应为对象。")
        ftype = r.get(spec, "type", fwhere, str)
        if ftype not in FIELD_TYPES:
            raise r.fail(f"{fwhere}.type", f"未知的字段类型“{ftype}”。")
        fields.append(
            FieldSpec(
                r.get(spec, "name", fwhere, str),
                ftype,
                r.get(spec, "label", fwhere, str),
                bool(spec.get("optional", False)),
                tuple(spec.get("options", ())),
            )
        )
    guards = []
    for ref in item.get("guards", []):
        name, params = (ref, {}) if isinstance(ref, str) else (ref.get("name"), dict(ref))
        if name not in GUARDS:
            raise r.fail(f"{where}.guards", f"未知的校验规则“{name}”（可用：{'、'.join(GUARDS)}）。")
        params.pop("name", None)
        guards.append(GuardRef(str(name), params))
    deadlines = []
    for spec in item.get("deadlines", []):
        dwhere = f"{where}.deadlines"
        unit_text = r.get(spec, "unit", dwhere, str)
        try:
            unit = DayUnit(unit_text)
        except ValueError:
            raise r.fail(
                f"{dwhere}.unit", f"未知的计日方式“{unit_text}”（应为 calendar 或 working）。"
            ) from None
        days_config = spec.get("days_config")
        if days_config is not None and days_config not in ProcedureConfig.__dataclass_fields__:
            raise r.fail(f"{dwhere}.days_config", f"配置项“{days_config}”不存在。")
        deadlines.append(
            DeadlineSpec(
                r.get(spec, "name", dwhere, str),
                str(spec.get("label") or spec["name"]),
                r.get(spec, "days", dwhere, int),
                unit,
                r.get(spec, "basis", dwhere, str),
                str(spec.get("from") or TODAY),
                days_config,
                bool(spec.get("pausable", False)),
            )
        )
    clock = (
        _parse_clock(r, item["clock"], f"{where}.clock", fields) if item.get("clock") is not None else None
    )
    if clock is not None and to_stage is not None:
        raise r.fail(f"{where}.to_stage", "期限操作（clock）不改变阶段，to_stage 应为 null。")
    return ActionDef(
        code=code,
        label=r.get(item, "label", where, str),
        from_stages=from_stages,
        to_stage=to_stage,
        roles=tuple(roles),
        required_fields=tuple(fields),
        required_documents=tuple(item.get("required_documents", ())),
        documents=tuple(item.get("documents", ())),
        guards=tuple(guards),
        sets=dict(item.get("sets", {})),
        deadlines=tuple(deadlines),
        clock=clock,
    )


def load_workflows(source: Path | str | Mapping[str, str]) -> dict[CaseKind, WorkflowDefinition]:
    """Definitions by kind, from a directory of ``*.json`` files or from {file name: JSON text}."""
    if isinstance(source, Mapping):
        texts = dict(source)
    else:
        directory = Path(source)
        texts = {p.name: p.read_text("utf-8") for p in sorted(directory.glob("*.json"))}
    result: dict[CaseKind, WorkflowDefinition] = {}
    for name, text in texts.items():
        definition = parse_workflow(text, name)
        if definition.kind in result:
            raise _Reader(name).fail("kind", f"与“{result[definition.kind].source}”重复定义了同一案件类型。")
        result[definition.kind] = definition
    return result


# ----------------------------------------------------------------------------- engine


@dataclass(frozen=True, slots=True)
class CaseState:
    """What the engine needs of a case: its kind, stage and fields (see the module docstring)."""

    kind: CaseKind
    stage: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ActionOption:
    code: str
    label: str
    to_stage: str | None
    enabled: bool
    problems: tuple[RuleProblem, ...]
    warnings: tuple[RuleProblem, ...] = ()
    required_fields: tuple[FieldSpec, ...] = ()


@dataclass(frozen=True, slots=True)
class StartedDeadline:
    """A deadline an action started or recomputed; ``paused_since`` while a pause runs (``due``
    is then the date if the clock resumed tomorrow, and moves on every day of the pause)."""

    name: str
    label: str
    clock: PausableDeadline
    due: Deadline
    pausable: bool
    paused_since: dt.date | None = None


@dataclass(frozen=True, slots=True)
class ActionResult:
    action: str
    stage: str
    changes: tuple[FieldChange, ...]
    deadlines: tuple[StartedDeadline, ...] = ()
    warnings: tuple[RuleProblem, ...] = ()

    @property
    def data_changes(self) -> dict[str, Any]:
        """The new values of the case fields (the ``stage`` change excluded)."""
        return {c.field: c.new for c in self.changes if c.field != "stage"}


class ActionRefused(KnownError):
    """The action may not be taken now; ``problems`` say why, each with its rule and article."""

    code = "action_refused"

    def __init__(self, action: str, problems: Sequence[RuleProblem]) -> None:
        self.action = action
        self.problems = tuple(problems)
        lines = "\n".join(f"{i}. {p.text}" for i, p in enumerate(self.problems, 1))
        super().__init__(f"不能执行“{action}”：\n{lines}", "请按提示补正后再办理。")


def _stage_problem(definition: WorkflowDefinition, action: ActionDef, stage: str) -> RuleProblem:
    allowed = "、".join(definition.stage_label(s) for s in action.from_stages)
    return RuleProblem(
        "STAGE",
        f"案件当前处于“{definition.stage_label(stage)}”阶段，“{action.label}”只能在“{allowed}”阶段办理。",
        f"{definition.label}流程",
    )


class WorkflowEngine:
    """Interprets workflow definitions: which actions are open, and what an action changes."""

    def __init__(
        self,
        definitions: Mapping[CaseKind, WorkflowDefinition],
        config: ProcedureConfig,
        calendar: HolidayCalendar,
    ) -> None:
        self.definitions = dict(definitions)
        self.config = config
        self.calendar = calendar

    def definition(self, kind: CaseKind) -> WorkflowDefinition:
        try:
            return self.definitions[kind]
        except KeyError:
            raise InvalidInput(f"没有“{kind.label}”的工作流定义。") from None

    def allowed_actions(self, state: CaseState, actor: Officer, today: dt.date) -> list[ActionOption]:
        """The actions of the current stage, each enabled or with the problems that block it."""
        definition = self.definition(state.kind)
        options = []
        for action in definition.actions:
            if state.stage not in action.from_stages:
                continue
            pending = {
                spec.name for spec in action.required_fields if state.data.get(spec.name) in (None, "", [])
            }
            found = self._check(definition, state, action, dict(state.data), actor, today, pending)
            blocking = tuple(p for p in found if p.blocking)
            options.append(
                ActionOption(
                    action.code,
                    action.label,
                    action.to_stage,
                    not blocking,
                    blocking,
                    tuple(p for p in found if not p.blocking),
                    action.required_fields,
                )
            )
        return options

    def act(
        self,
        state: CaseState,
        action_code: str,
        inputs: Mapping[str, Any],
        actor: Officer,
        today: dt.date,
    ) -> ActionResult:
        """Take an action: the new stage, field changes and deadlines; ActionRefused if blocked."""
        definition = self.definition(state.kind)
        action = definition.action(action_code)
        if action is None:
            raise InvalidInput(f"“{definition.label}”流程中没有动作“{action_code}”。")
        if state.stage not in action.from_stages:
            raise ActionRefused(action.label, [_stage_problem(definition, action, state.stage)])
        after = dict(state.data)
        for spec in action.required_fields:
            value = inputs.get(spec.name)
            if value is None or value == "" or value == []:
                if spec.optional:
                    continue
                raise FieldError(spec.name, f"请填写“{spec.label}”。", f"“{action.label}”需要此项。")
            after[spec.name] = _coerce(spec, value)
        declared = {spec.name for spec in action.required_fields}
        for name in inputs:
            if name not in declared:
                raise FieldError(name, f"“{action.label}”不接受字段“{name}”。", "请只填写该动作列出的字段。")
        for name, value in action.sets.items():
            after[name] = today.isoformat() if value == TODAY else value
        if action.documents:
            issued = list(after.get("documents") or ())
            after["documents"] = issued + [d for d in action.documents if d not in issued]
        if action.clock is not None:
            self._apply_clock(action.clock, after)
        found = self._check(definition, state, action, after, actor, today)
        blocking = [p for p in found if p.blocking]
        if blocking:
            raise ActionRefused(action.label, blocking)
        stage = action.to_stage or state.stage
        changes = [
            FieldChange(name, state.data.get(name), value)
            for name, value in after.items()
            if state.data.get(name) != value
        ]
        if stage != state.stage:
            changes.insert(0, FieldChange("stage", state.stage, stage))
        deadlines = tuple(self._start(spec, after, today) for spec in action.deadlines)
        if action.clock is not None:
            restarted = self.current_deadline(state.kind, after, action.clock.deadline, today)
            if restarted is not None:
                deadlines = (*deadlines, restarted)
        return ActionResult(
            action.code, stage, tuple(changes), deadlines, tuple(p for p in found if not p.blocking)
        )

    def _check(
        self,
        definition: WorkflowDefinition,
        state: CaseState,
        action: ActionDef,
        data: Mapping[str, Any],
        actor: Officer,
        today: dt.date,
        pending: set[str] | frozenset[str] = frozenset(),
    ) -> list[RuleProblem]:
        """Role, documents and guards; guards reading a ``pending`` (not yet entered) field wait."""
        problems: list[RuleProblem] = []
        if action.roles and not set(actor.roles) & set(action.roles):
            roles = "、".join(r.label for r in action.roles)
            problems.append(
                RuleProblem(
                    "ROLE",
                    f"“{action.label}”须由{roles}办理，{actor.name}无此权限。",
                    f"{definition.label}流程",
                )
            )
        issued = set(data.get("documents") or ())
        missing = [d for d in action.required_documents if d not in issued]
        if missing:
            problems.append(
                RuleProblem(
                    "DOC",
                    f"办理“{action.label}”前须先制作{'、'.join(f'《{d}》' for d in missing)}。",
                    f"{definition.label}流程",
                )
            )
        for ref in action.guards:
            if GUARD_INPUTS.get(ref.name, frozenset()) & pending:
                continue
            ctx = GuardContext(
                data, today, self.config, self.calendar, state.data, ref.params, state.kind.value
            )
            for problem in GUARDS[ref.name](ctx):
                if ref.params.get("blocking") is False and problem.blocking:
                    problem = RuleProblem(problem.rule, problem.message, problem.citation, blocking=False)
                problems.append(problem)
        return problems

    def _clock_days(self, clock: ClockSpec) -> int:
        return int(getattr(self.config, clock.days_config)) if clock.days_config else clock.days

    def _apply_clock(self, clock: ClockSpec, after: dict[str, Any]) -> None:
        """Turn the clock action's inputs into an entry of the deadline's pauses or extensions."""
        mandatory, optional = CLOCK_FIELDS[clock.op]
        given = {name: after.pop(name) for name in (*mandatory, *optional) if name in after}
        if clock.op == "pause":
            code = str(given.get("pause_reason") or "other")
            note = str(given.get("pause_note") or "").strip()
            reason = note if code == "other" and note else PAUSE_REASONS.get(code, code)
            entry: dict[str, Any] = {
                "start": given.get("pause_start"),
                "end": None,
                "reason": reason,
                "code": code,
            }
            if note:
                entry["note"] = note
            key = f"{clock.deadline}_pauses"
            after[key] = [*(after.get(key) or ()), entry]
        elif clock.op == "resume":
            key = f"{clock.deadline}_pauses"
            pauses = [dict(p) for p in after.get(key) or ()]
            running = [p for p in pauses if not p.get("end")]
            if running:
                running[-1]["end"] = given.get("pause_end")
                after[key] = pauses
        else:
            key = f"{clock.deadline}_extensions"
            after[key] = [
                *(after.get(key) or ()),
                {
                    "days": self._clock_days(clock),
                    "reason": str(given.get("extension_reason") or "").strip(),
                    "approved_on": given.get("extension_approved_on"),
                    "discussed_on": given.get("extension_discussed_on"),
                },
            ]

    def current_deadline(
        self, kind: CaseKind, data: Mapping[str, Any], name: str, today: dt.date
    ) -> StartedDeadline | None:
        """The pausable deadline ``name`` as of ``today``: its pauses and extensions applied
        (:func:`workstation.domain.guards.case_clock`), its basis saying which; None before it
        started. A running pause counts up to ``today``."""
        spec = self.definition(kind).deadline_spec(name)
        if spec is None:
            return None
        start = today if spec.start_field == TODAY else as_date(data.get(spec.start_field))
        if start is None:
            return None
        days = int(getattr(self.config, spec.days_config)) if spec.days_config else spec.days
        clock = case_clock(data, name, start, days, spec.unit)
        notes = clock.adjustment_notes()
        clock = replace(clock, basis="；".join((spec.basis, *notes, self._default_basis(spec))))
        due, running = projected_due(clock, self.calendar, today)
        return StartedDeadline(
            spec.name, spec.label, clock, due, spec.pausable, running.start if running else None
        )

    @staticmethod
    def _default_basis(spec: DeadlineSpec) -> str:
        default = CALENDAR_DAYS_BASIS if spec.unit is DayUnit.CALENDAR else WORKING_DAYS_BASIS
        if spec.unit is DayUnit.WORKING and "强制法" in spec.basis:
            default = COERCION_LAW_WORKING_DAYS
        return default

    def _start(self, spec: DeadlineSpec, data: Mapping[str, Any], today: dt.date) -> StartedDeadline:
        start = today if spec.start_field == TODAY else as_date(data.get(spec.start_field)) or today
        days = int(getattr(self.config, spec.days_config)) if spec.days_config else spec.days
        clock = PausableDeadline(start, days, spec.unit, basis=f"{spec.basis}；{self._default_basis(spec)}")
        return StartedDeadline(spec.name, spec.label, clock, clock.due_date(self.calendar), spec.pausable)


def _coerce(spec: FieldSpec, value: Any) -> Any:
    """A JSON value for the field, or FieldError with a Chinese message."""
    try:
        if spec.type == "date":
            day = as_date(value)
            return day.isoformat() if day else None
        if spec.type == "money":
            amount = as_money(value)
            return str(amount) if amount is not None else None
    except InvalidInput as exc:
        raise FieldError(spec.name, f"“{spec.label}”：{exc.message}", exc.advice) from None
    if spec.type == "bool" and isinstance(value, bool):
        return value
    if spec.type == "int" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if spec.type == "text" and isinstance(value, str):
        return value.strip()
    if spec.type == "list" and isinstance(value, list | tuple):
        return list(value)
    if spec.type == "choice" and isinstance(value, str):
        if spec.options and value not in spec.options:
            raise FieldError(spec.name, f"“{spec.label}”只能是：{'、'.join(spec.options)}。")
        return value
    raise FieldError(spec.name, f"“{spec.label}”的格式不正确。")
