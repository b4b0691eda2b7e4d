"""Kept evaluation runs: saved under OCA_HOME/eval_runs, listed newest first, loaded back whole."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from eval.store import RunNotFoundError, list_runs, load_run, save_run
from eval.suite import SuiteResult, run_suite
from tests.eval.fakes import ScriptedEngine, small_answers, small_case_lines, write_cases


@pytest.fixture
def result(tmp_path: Path) -> SuiteResult:
    path = write_cases(tmp_path / "dot.jsonl", small_case_lines())
    return run_suite(ScriptedEngine(*small_answers()), [path], ["title"])


def test_save_list_and_load_runs(result: SuiteResult, tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert list_runs(home) == []
    older = result.model_copy(update={"id": "older000", "created": result.created - timedelta(hours=1)})
    first = save_run(older, home)
    second = save_run(result, home)
    assert first.parent == second.parent == home / "eval_runs"
    assert second.name == f"{result.created:%Y%m%dT%H%M%SZ}-{result.id}"
    assert {"report.md", "report.json", "summary.json", "reliability_dot.png"} <= {p.name for p in second.iterdir()}

    (home / "eval_runs" / "not-a-run").mkdir()
    (home / "eval_runs" / "broken").mkdir()
    (home / "eval_runs" / "broken" / "summary.json").write_text("{")
    runs = list_runs(home)
    assert [run.id for run in runs] == [result.id, "older000"]
    newest = runs[0]
    assert newest.path == str(second) and newest.files == ["dot"] and newest.fields == {"dot": ["title"]}
    assert newest.top1 == {"dot": 0.4} and newest.n == {"dot": 5} and newest.engine_version == "0.0.0+fake"
    assert load_run(second) == result
    assert load_run(second / "report.json") == result


def test_a_run_without_summary_is_still_listed(result: SuiteResult, tmp_path: Path) -> None:
    folder = save_run(result, tmp_path)
    (folder / "summary.json").unlink()
    [run] = list_runs(tmp_path)
    assert run.id == result.id and run.top1 == {"dot": 0.4}


def test_load_run_of_a_missing_or_foreign_folder_says_so(tmp_path: Path) -> None:
    with pytest.raises(RunNotFoundError, match="no evaluation run"):
        load_run(tmp_path / "nowhere")
    (tmp_path / "report.json").write_text('{"files": 3}')
    with pytest.raises(RunNotFoundError, match="not an evaluation report"):
        load_run(tmp_path)
