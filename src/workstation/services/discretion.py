"""Use cases of the 裁量基准 (docs/DISCRETION.md): the 事项 list, an item's entry, the calculator,
the fines of past cases, import and export.

The service sees the store through :class:`BenchmarkStore` (persistence/benchmarks.py implements
it) and the statute library only through a :data:`CitationResolver`: ``resolve(texts)`` returns
a Chinese problem per citation that does not resolve, and raises :class:`StatuteLibraryEmpty`
when there is no library to check against (:func:`statute_citation_resolver` builds one over the
StatuteService's ``cite``).

Import (:meth:`DiscretionService.import_file`, :meth:`DiscretionService.import_benchmarks`) checks
before it writes anything: the file's own validation (``load_benchmarks``, or the workbook
reader), each refinement against its parent (in the file or already stored; a parent that is in
neither is refused), the stored refinements of a re-imported parent, and then — unless told not
to — every citation against the statute library. Then it stores every benchmark in one
transaction (added or replaced by id).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from workstation.domain.discretion import (
    Assessment,
    Benchmark,
    BenchmarkInvalid,
    BenchmarkLevel,
    BenchmarkProblem,
    ItemEntry,
    assess,
    check_refinement,
    load_benchmarks,
)
from workstation.domain.entities import PartyKind
from workstation.domain.errors import InvalidInput, NotFound
from workstation.domain.guards import ProcedureConfig
from workstation.services.changes import Changes, Result, Topic

if TYPE_CHECKING:
    from workstation.domain.citations import CitationCheck

__all__ = [
    "BenchmarkStore",
    "CitationResolver",
    "DiscretionService",
    "FineDistribution",
    "ImportReport",
    "ItemSummary",
    "StatuteLibraryEmpty",
    "benchmark_citations",
    "statute_citation_resolver",
]

#: ``resolve(texts) -> problems``: one Chinese line per citation the statute library cannot
#: resolve; raises StatuteLibraryEmpty when there is no library to check against.
CitationResolver = Callable[[Sequence[str]], list[str]]

_FORMATS = (".json", ".xlsx")
_CENT = Decimal("0.01")


class StatuteLibraryEmpty(InvalidInput):
    code = "statute_library_empty"

    def __init__(self) -> None:
        super().__init__(
            "法规库为空，无法核对裁量基准中的法条引用。",
            "请先导入法规库（workstation laws import），再导入裁量基准；"
            "或者跳过引用核对（命令行加 --no-citation-check）。",
        )


class CitationsUnresolved(InvalidInput):
    code = "citations_unresolved"

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        more = f"（另有{len(problems) - 1}处）" if len(problems) > 1 else ""
        super().__init__(
            f"裁量基准中有法条引用在法规库中无法核对：{problems[0]}{more}",
            "\n".join(problems) + "\n请核对引用，或导入相应法规后重试；"
            "确需导入时可跳过引用核对（命令行加 --no-citation-check）。",
        )


@dataclass(frozen=True, slots=True)
class ItemSummary:
    """One 执法事项 of the list: its effective entry and where it comes from."""

    code: str
    name: str
    department: str
    benchmark_name: str
    level_label: str
    sample: bool
    delegated: bool


@dataclass(frozen=True, slots=True)
class FineDistribution:
    """Fines decided in past cases of one item: sorted, with the quartiles (yuan, to the fen).

    Quartiles interpolate linearly between the sorted fines (the ``inclusive`` method of
    ``statistics.quantiles``); None when there is no fine.
    """

    item_code: str
    fines: tuple[Decimal, ...]
    count: int
    median: Decimal | None
    p25: Decimal | None
    p75: Decimal | None


@dataclass(frozen=True, slots=True)
class ImportReport:
    """``benchmarks`` and ``items`` imported; ``replaced`` of them already stored (same id);
    ``changed`` actually written (an identical benchmark is left alone)."""

    benchmarks: int
    items: int
    replaced: int
    changed: int = 0


class StoredItem(Protocol):
    """An item as the store lists it (persistence.benchmarks.StoredItem)."""

    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def department(self) -> str: ...
    @property
    def benchmark_name(self) -> str: ...
    @property
    def level(self) -> BenchmarkLevel: ...
    @property
    def sample(self) -> bool: ...
    @property
    def delegated(self) -> bool: ...


class BenchmarkStore(Protocol):
    """What the service needs of the benchmark store (persistence.benchmarks.SqlBenchmarkStore)."""

    def upsert(self, benchmarks: Sequence[Benchmark], now: dt.datetime) -> int: ...

    def benchmarks(self) -> list[Benchmark]: ...

    def entry(self, item_code: str) -> ItemEntry | None: ...

    def items(self, text: str = "") -> Sequence[StoredItem]: ...

    def fines_for_item(self, item_code: str, party_kind: PartyKind | None = None) -> list[Decimal]: ...


def _quantile(values: Sequence[Decimal], q: Decimal) -> Decimal:
    position = (len(values) - 1) * q
    low = int(position)
    high = min(low + 1, len(values) - 1)
    value = values[low] + (values[high] - values[low]) * (position - low)
    return value.quantize(_CENT)


def benchmark_citations(benchmarks: Iterable[Benchmark]) -> list[str]:
    """Every citation of the benchmarks, once each in order of appearance: 违法依据, 处罚依据,
    range citations, factors, preconditions, escalations and 首违不罚 sources."""
    out: dict[str, None] = {}
    for b in benchmarks:
        for item in b.items:
            texts = [
                *item.violation_basis,
                *item.penalty_basis,
                *(r.citation for r in item.ranges),
                *(f.source for f in item.factors),
                *(p.source for p in item.preconditions),
                *(e.source for e in item.escalations),
            ]
            if item.first_violation is not None and item.first_violation.source:
                texts.append(item.first_violation.source)
            for text in texts:
                out.setdefault(text, None)
    return list(out)


def statute_citation_resolver(
    cite: Callable[[str], Result[list[CitationCheck]]], has_laws: Callable[[], bool]
) -> CitationResolver:
    """A resolver over ``StatuteService.cite``; ``has_laws`` says whether any law is imported."""

    def resolve(texts: Sequence[str]) -> list[str]:
        if not has_laws():
            raise StatuteLibraryEmpty()
        problems: list[str] = []
        for text in texts:
            checks = cite(text).value
            if not checks:
                problems.append(f"“{text}”中没有可识别的法条引用。")
            problems.extend(f"“{text}”：{c.message}" for c in checks if not c.ok)
        return problems

    return resolve


class DiscretionService:
    def __init__(
        self,
        store: BenchmarkStore,
        config: ProcedureConfig,
        now: Callable[[], dt.datetime],
        resolve_citations: CitationResolver | None = None,
    ) -> None:
        self._store = store
        self._config = config
        self._now = now
        self._resolve = resolve_citations

    # ---------------------------------------------------------------- reading

    def items(self, text: str = "") -> Result[list[ItemSummary]]:
        """The 事项 list (effective entries, by code); ``text`` matches name, code, keywords or
        pinyin initials (占道经营: “zdjy”)."""
        return Result(
            [
                ItemSummary(
                    code=s.code,
                    name=s.name,
                    department=s.department,
                    benchmark_name=s.benchmark_name,
                    level_label=s.level.label,
                    sample=s.sample,
                    delegated=s.delegated,
                )
                for s in self._store.items(text.strip())
            ]
        )

    def entry(self, code: str) -> Result[ItemEntry]:
        """The effective entry of an item (a county or city refinement over the province's)."""
        found = self._store.entry(code.strip())
        if found is None:
            raise NotFound(
                f"裁量基准中没有执法事项：{code}",
                "请核对事项编码（workstation items list 可列出全部事项），或先导入裁量基准。",
            )
        return Result(found)

    def calculate(
        self,
        code: str,
        party_kind: PartyKind,
        circumstances: Sequence[str],
        base: Decimal | None = None,
        proposed: Decimal | None = None,
        major: bool = False,
        complex_case: bool = False,
        public_interest: bool = False,
    ) -> Result[Assessment]:
        """The calculator (domain.discretion.assess) on the item's effective entry."""
        item = self.entry(code).value
        return Result(
            assess(
                item,
                party_kind,
                circumstances,
                base=base,
                proposed_fine=proposed,
                config=self._config,
                major=major,
                complex_case=complex_case,
                public_interest=public_interest,
            )
        )

    def distribution(self, code: str, party_kind: PartyKind | None = None) -> Result[FineDistribution]:
        """Fines decided in past (not training) cases of the item, optionally for one party kind."""
        fines = tuple(sorted(self._store.fines_for_item(code.strip(), party_kind)))
        if not fines:
            return Result(FineDistribution(code, (), 0, None, None, None))
        return Result(
            FineDistribution(
                item_code=code,
                fines=fines,
                count=len(fines),
                median=_quantile(fines, Decimal("0.5")),
                p25=_quantile(fines, Decimal("0.25")),
                p75=_quantile(fines, Decimal("0.75")),
            )
        )

    # ---------------------------------------------------------------- import / export

    def import_file(self, path: Path, check_citations: bool = True) -> Result[ImportReport]:
        """Import a benchmark file (.json: docs/DISCRETION.md; .xlsx: the workbook format).

        Everything is checked before anything is written (see the module docstring); a refused
        file leaves the stored benchmarks as they were.
        """
        suffix = _suffix(path)
        if not path.is_file():
            raise NotFound(f"找不到裁量基准文件：{path}", "请检查文件路径。")
        if suffix == ".json":
            try:
                text = path.read_text("utf-8")
            except OSError as exc:
                raise InvalidInput(f"无法读取裁量基准文件：{path}（{exc.strerror}）") from None
            except UnicodeDecodeError:
                raise InvalidInput(f"裁量基准文件不是 UTF-8 编码的文本：{path}") from None
            benchmarks = load_benchmarks(text)
        else:
            from workstation.library.benchmark_xlsx import read_workbook

            benchmarks = read_workbook(path)  # validated as load_benchmarks validates
        return self.import_benchmarks(benchmarks, check_citations)

    def import_benchmarks(
        self, benchmarks: Sequence[Benchmark], check_citations: bool = True
    ) -> Result[ImportReport]:
        """Check and store benchmarks already read (import_file's second half; the demo seed
        stores the sample this way without the citation check)."""
        if not benchmarks:
            raise InvalidInput("文件中没有裁量基准。", "请检查文件内容。")
        stored = {b.id: b for b in self._store.benchmarks()}
        _check_hierarchy(benchmarks, stored)
        if check_citations:
            if self._resolve is None:
                raise StatuteLibraryEmpty()
            problems = self._resolve(benchmark_citations(benchmarks))
            if problems:
                raise CitationsUnresolved(problems)
        replaced = sum(1 for b in benchmarks if b.id in stored)
        changed = self._store.upsert(benchmarks, self._now())
        report = ImportReport(
            benchmarks=len(benchmarks),
            items=sum(len(b.items) for b in benchmarks),
            replaced=replaced,
            changed=changed,
        )
        return Result(report, Changes.of(Topic.OFFICE) if changed else Changes())

    def export_file(self, path: Path) -> Result[Path]:
        """Write every stored benchmark to ``path`` (.json or .xlsx, by its extension)."""
        suffix = _suffix(path)
        benchmarks = self._store.benchmarks()
        if not benchmarks:
            raise InvalidInput("尚未导入裁量基准，没有可导出的内容。", "请先导入裁量基准。")
        try:
            if suffix == ".json":
                from workstation.domain.discretion import dump_benchmarks

                path.write_text(dump_benchmarks(benchmarks), "utf-8")
            else:
                from workstation.library.benchmark_xlsx import write_workbook

                write_workbook(benchmarks, path)
        except OSError as exc:
            raise InvalidInput(
                f"无法写入文件：{path}（{exc.strerror}）", "请检查文件夹是否存在、是否有写入权限。"
            ) from None
        return Result(path)


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in _FORMATS:
        raise InvalidInput(
            f"不支持的裁量基准文件类型：{path.name}",
            "裁量基准文件应为 JSON（.json）或 Excel 工作簿（.xlsx）。",
        )
    return suffix


def _check_hierarchy(benchmarks: Sequence[Benchmark], stored: dict[str, Benchmark]) -> None:
    """Each refinement against its parent (in the file, else stored), and the stored
    refinements of a benchmark being replaced against the new version."""
    incoming = {b.id: b for b in benchmarks}
    problems: list[BenchmarkProblem] = []
    for b in benchmarks:
        if b.parent_id is None:
            continue
        parent = incoming.get(b.parent_id) or stored.get(b.parent_id)
        if parent is None:
            problems.append(
                BenchmarkProblem(
                    "",
                    "parent_id",
                    f"裁量基准“{b.name}”细化的上级基准{b.parent_id}既不在本文件中，也尚未导入；"
                    "请先导入上级基准。",
                )
            )
            continue
        problems.extend(check_refinement(b, parent))
    for child in stored.values():
        if child.id in incoming or child.parent_id not in incoming:
            continue
        problems.extend(check_refinement(child, incoming[child.parent_id]))
    unique = list(dict.fromkeys(problems))
    if unique:
        raise BenchmarkInvalid(unique)
