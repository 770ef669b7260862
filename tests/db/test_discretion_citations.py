"""Every citation of the sample 裁量基准 resolves in the statute library built from the real corpus.

The whole of ../shared/corpus/laws is imported once for the module (about half a minute); the
test is skipped when the corpus is not there (see shared/corpus/README.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest

from workstation.app import Core, build_core
from workstation.domain.citations import find_citations
from workstation.domain.discretion import Benchmark, load_benchmarks
from workstation.paths import prepare_data_dir

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "laws"

pytestmark = pytest.mark.timeout(600)


def sample_benchmarks() -> list[Benchmark]:
    text = (
        resources.files("workstation.resources")
        .joinpath("discretion/sample_benchmarks.json")
        .read_text("utf-8")
    )
    return load_benchmarks(text)


def all_citations(benchmarks: list[Benchmark]) -> dict[str, set[str]]:
    """Citation text → the item codes (and fields) that use it."""
    out: dict[str, set[str]] = {}

    def add(text: str, where: str) -> None:
        out.setdefault(text, set()).add(where)

    for b in benchmarks:
        for item in b.items:
            code = item.item_code
            for text in item.violation_basis:
                add(text, f"{code}.violation_basis")
            for text in item.penalty_basis:
                add(text, f"{code}.penalty_basis")
            for index, rng in enumerate(item.ranges):
                add(rng.citation, f"{code}.ranges[{index}]")
            for factor in item.factors:
                add(factor.source, f"{code}.factors.{factor.code}")
            for pre in item.preconditions:
                add(pre.source, f"{code}.preconditions.{pre.code}")
            for esc in item.escalations:
                add(esc.source, f"{code}.escalations.{esc.condition}")
            if item.first_violation is not None and item.first_violation.source:
                add(item.first_violation.source, f"{code}.first_violation")
    return out


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Core]:
    """The real corpus imported into a real data directory, once for the module."""
    if not CORPUS.is_dir():
        pytest.skip(
            f"找不到法规语料库 {CORPUS}：本测试需要 ../shared/corpus/laws（见 shared/corpus/README.md）"
        )
    base = tmp_path_factory.mktemp("discretion-library")
    core = build_core(prepare_data_dir(base / "data"))
    try:
        report = core.statutes.import_laws(CORPUS).value
        assert report.imported > 2000
        yield core
    finally:
        core.close()


def test_the_sample_has_citations_in_every_field() -> None:
    benchmarks = sample_benchmarks()
    cited = all_citations(benchmarks)
    assert len(benchmarks[0].items) >= 25
    for text, where in cited.items():
        assert find_citations(text), (text, where)


def test_every_sample_citation_resolves_in_the_real_corpus(library: Core) -> None:
    failures: list[str] = []
    for text, where in sorted(all_citations(sample_benchmarks()).items()):
        checks = library.statutes.cite(text).value
        assert checks, (text, where)
        failures.extend(
            f"{sorted(where)}: {text} → {c.status.value}: {c.message}" for c in checks if not c.ok
        )
    assert not failures, "\n".join(failures)


def test_the_cited_text_carries_the_amounts_of_the_sample(library: Core) -> None:
    """Spot checks: the statutory ranges of the worked examples are the corpus's words."""
    expected = {
        "《中华人民共和国大气污染防治法》第一百一十八条第一款": "处五千元以上五万元以下的罚款",
        "《中华人民共和国消防法》第六十条第二款": "处警告或者五百元以下罚款",
        "《中华人民共和国城乡规划法》第六十四条": "处建设工程造价百分之五以上百分之十以下的罚款",
        "《中华人民共和国噪声污染防治法》第八十二条": "对个人可以处二百元以上一千元以下的罚款",
        "《中华人民共和国食品安全法》第一百二十二条第一款": "并处货值金额十倍以上二十倍以下罚款",
    }
    for text, words in expected.items():
        (check,) = library.statutes.cite(text).value
        assert check.ok, (text, check.message)
        assert words in check.excerpt, (text, check.excerpt)
