"""`run_suite` over a scripted engine: selection, every section of a file's report, ablations and timing."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.cases import in_fit_half
from eval.metrics import Confusion
from eval.suite import SuiteResult, run_suite, unique_names
from tests.eval.fakes import ScriptedEngine, case_line, small_answers, small_case_lines, write_cases


@pytest.fixture
def engine() -> ScriptedEngine:
    return ScriptedEngine(*small_answers())


@pytest.fixture
def cases_file(tmp_path: Path) -> Path:
    return write_cases(tmp_path / "dot.jsonl", small_case_lines())


def test_one_file_report_holds_every_figure(engine: ScriptedEngine, cases_file: Path) -> None:
    ticks: list[tuple[int, int]] = []
    result = run_suite(engine, [cases_file], ["title"], progress=lambda done, total: ticks.append((done, total)))
    [report] = result.files
    assert (report.name, report.path, report.fields) == ("dot", str(cases_file), ["title"])
    assert (report.n, report.loaded, report.multi_gold, report.unanswered) == (5, 5, 1, 1)
    assert [p.split(": ", 1)[0] for p in report.problems] == [f"{cases_file}, line 3", f"{cases_file}, line 6"]
    assert "unknown gold code(s) '51-6301.00'" in report.problems[1]

    h = report.headline
    assert h.top1 == {"onetsoc": 0.2, "soc": 0.4, "broad": 0.4, "minor": 0.8, "major": 0.8}
    assert h.top5["soc"] == 0.6
    assert h.mrr == pytest.approx((1 + 0.5 + 1 + 0 + 0) / 5)
    # confidences 0.95 (right), 0.9 (wrong), 0.7 (right), 0.6 (wrong): 95% precision at 0.95 only
    assert (h.coverage_at_95, h.threshold_at_95) == (0.2, 0.95)
    assert (h.coverage_at_90, h.threshold_at_90) == (0.2, 0.95)

    assert [(g.code, g.n, g.top1) for g in report.groups] == [
        ("11-0000", 1, 0.0), ("29-0000", 1, 1.0), ("51-0000", 3, 1 / 3)]
    assert report.groups[0].title == "Management Occupations"
    assert report.confusions == [Confusion(gold=["11-1011"], predicted="11-1021", count=1),
                                 Confusion(gold=["51-6021"], predicted="51-6031", count=1)]
    assert report.titles["51-6031"] == "Sewing Machine Operators"
    assert sum(b.n for b in report.reliability) == 4 and len(report.reliability) == 10

    worst, second = report.failures
    assert (worst.case_id, worst.predicted, worst.confidence, worst.gold_rank) == ("b", "51-6031.00", 0.9, 2)
    assert worst.gold_titles == ["Pressers, Textile, Garment, and Related Materials"]
    assert worst.evidence == ["alternate title: Sewing Machine Operators title [presser]",
                              "task: A task of Sewing Machine Operators."]
    assert (second.case_id, second.gold_rank) == ("d", None)

    assert report.timing.coded == 4 and report.timing.p50_ms is not None
    assert report.timing.throughput_per_s and report.timing.throughput_per_s > 0
    assert report.timing.peak_memory_mb and report.timing.peak_memory_mb > 0
    assert report.timing.tokens_per_case is None
    assert report.ablations is None and result.ablation_sample is None
    assert ticks[-1] == (5, 5) and len(ticks) == 5
    assert (result.release, result.engine_version) == ("O*NET test", "0.0.0+fake")


def test_compare_ranks_with_each_channel_group_alone(engine: ScriptedEngine, cases_file: Path) -> None:
    ticks: list[tuple[int, int]] = []
    result = run_suite(engine, [cases_file], ["title"], compare=True,
                       progress=lambda done, total: ticks.append((done, total)))
    [report] = result.files
    assert report.ablations is not None and report.ablation_n == 5
    assert {name: h.top1["soc"] for name, h in report.ablations.items()} == {
        "full": 0.4, "title": 0.4, "lexical": 0.0, "dense": 0.2}
    assert sorted({tuple(c["only"] or ()) for c in engine.calls}) == [(), ("dense",), ("lexical",), ("title",)]
    assert ticks[-1] == (20, 20)


def test_ablations_run_on_a_fixed_sample(engine: ScriptedEngine, cases_file: Path) -> None:
    result = run_suite(engine, [cases_file], ["title"], compare=True, ablation_sample=2)
    report = result.files[0]
    assert report.ablation_n == 2 and result.ablation_sample == 2
    assert report.ablations is not None and report.ablations["full"].n == 2 and report.ablations["dense"].n == 2


def test_half_limit_and_sample_select_cases(engine: ScriptedEngine, tmp_path: Path) -> None:
    path = write_cases(tmp_path / "many.jsonl", [case_line(f"id-{i}", "zigzag", ["51-6031.00"]) for i in range(40)])
    reported = run_suite(engine, [path], ["title"], half="report")
    expected = [f"id-{i}" for i in range(40) if not in_fit_half(f"id-{i}")]
    assert [c.case_id for c in reported.files[0].cases] == expected and reported.half == "report"
    assert run_suite(engine, [path], ["title"], limit=7).files[0].n == 7
    first = run_suite(engine, [path], ["title"], sample=5, seed=3)
    again = run_suite(engine, [path], ["title"], sample=5, seed=3)
    assert [c.case_id for c in first.files[0].cases] == [c.case_id for c in again.files[0].cases]
    assert first.files[0].n == 5 and (first.sample, first.seed) == (5, 3)


def test_fields_can_differ_per_file(engine: ScriptedEngine, tmp_path: Path) -> None:
    dot = write_cases(tmp_path / "dot.jsonl", [case_line("a", "zigzag", ["51-6031.00"], description="sews")])
    acs = write_cases(tmp_path / "acs.jsonl", [case_line("b", "ceo", ["11-1011"], "soc", industry="bank")])
    result = run_suite(engine, [dot, acs], ["description"], fields_by_file={"acs": ["title", "industry"]})
    assert [r.fields for r in result.files] == [["description"], ["title", "industry"]]
    assert [(c["title"], c["description"], c["industry"]) for c in engine.calls] == [
        (None, "sews", None), ("ceo", None, "bank")]
    with pytest.raises(ValueError, match="other.jsonl"):
        run_suite(engine, [dot], ["title"], fields_by_file={"other.jsonl": ["title"]})
    with pytest.raises(ValueError, match="fields"):
        run_suite(engine, [dot], ["employer"])


def test_result_round_trips_through_json(engine: ScriptedEngine, cases_file: Path) -> None:
    result = run_suite(engine, [cases_file], ["title"], compare=True)
    assert SuiteResult.model_validate_json(result.model_dump_json()) == result
    assert result.file("dot") is result.files[0] and result.file("dot.jsonl") is result.files[0]


def test_unique_names_number_files_that_share_a_stem() -> None:
    assert unique_names([Path("a/x.jsonl"), Path("b/x.jsonl"), Path("y.jsonl")]) == ["x-1", "x-2", "y"]
