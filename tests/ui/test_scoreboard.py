"""The Evaluation page's tables, from a real suite run of the fake engine over a tiny case file."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.store import list_runs, save_run
from eval.suite import SuiteResult, run_suite
from tests.ui.fakes import GOOD_CASES, FakeEngine, case_line
from ui.casefile import case_file_options, check_case_file, save_upload, short_problem
from ui.scoreboard import comparison_table, headline_table, run_column, runs_table


@pytest.fixture
def cases(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.jsonl"
    path.write_text(GOOD_CASES, encoding="utf-8")
    return path


def run(engine: FakeEngine, path: Path, fields: list[str]) -> SuiteResult:
    return run_suite(engine, [path], fields)


def test_headline_has_a_row_a_file_with_shares_by_level(fake_engine: FakeEngine, cases: Path) -> None:
    table = headline_table(run(fake_engine, cases, ["title"]))
    assert table.loc[0, "file"] == "tiny" and table.loc[0, "cases"] == 4 and table.loc[0, "fields"] == "title"
    assert table.loc[0, "top-1 SOC detailed"] == 1.0 and table.loc[0, "top-5 SOC major"] == 1.0
    assert table.loc[0, "top-1 O*NET-SOC"] == 1.0  # three of the four cases have O*NET-SOC gold
    assert {"MRR", "ECE", "auto-coded at 90% precision"} <= set(table.columns)


def test_comparison_lines_runs_up_by_file_and_shows_the_change(fake_engine: FakeEngine, cases: Path) -> None:
    titled, masked = run(fake_engine, cases, ["title"]), run(fake_engine, cases, ["industry"])
    table = comparison_table([("A", titled), ("B", masked)])
    assert list(table.columns) == ["file", "measure", "A", "B", "change"]
    rows = {row["measure"]: row for _, row in table.iterrows()}
    assert (rows["fields shown"]["A"], rows["fields shown"]["B"]) == ("title", "industry")
    assert (rows["top-1 SOC detailed"]["A"], rows["top-1 SOC detailed"]["B"]) == ("100.0%", "0.0%")
    assert rows["top-1 SOC detailed"]["change"] == "-100.0 pt"
    assert rows["MRR SOC detailed"]["A"] == "1.000"


def test_comparison_leaves_a_file_blank_in_a_run_that_did_not_score_it(fake_engine: FakeEngine, cases: Path,
                                                                       tmp_path: Path) -> None:
    other = tmp_path / "other.jsonl"
    other.write_text(case_line("x1", "cashiers", ["41-2011.00"]) + "\n", encoding="utf-8")
    table = comparison_table([("A", run(fake_engine, cases, ["title"])), ("B", run(fake_engine, other, ["title"]))])
    tiny = table[table["file"] == "tiny"]
    assert set(tiny["B"]) == {""} and set(tiny["change"]) == {""}


def test_runs_table_lists_kept_runs(fake_engine: FakeEngine, cases: Path, tmp_path: Path) -> None:
    save_run(run(fake_engine, cases, ["title"]), tmp_path / "home")
    [summary] = list_runs(tmp_path / "home")
    table = runs_table([summary])
    assert table.loc[0, "files"] == "tiny [title]" and table.loc[0, "cases"] == 4
    assert table.loc[0, "top-1 SOC detailed"] == "tiny 100.0%"
    assert run_column(summary).startswith(summary.id)


def test_case_files_come_from_the_shared_folder_then_uploads(tmp_path: Path) -> None:
    shared, home = tmp_path / "shared", tmp_path / "home"
    shared.mkdir()
    (shared / "b.jsonl").write_text("", encoding="utf-8")
    (shared / "notes.md").write_text("", encoding="utf-8")
    uploaded = save_upload(home, "../../My Cases!.jsonl", b"{}\n")
    assert uploaded == home / "uploads" / "My_Cases.jsonl"
    assert case_file_options(shared, home) == [shared / "b.jsonl", uploaded]


def test_check_case_file_counts_cases_and_reports_lines(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(case_line("c1", "cashiers", ["41-2011.00"]) + "\nnot json\n", encoding="utf-8")
    check = check_case_file(path)
    assert check.runnable and check.n_cases == 1
    assert [short_problem(p, path) for p in check.problems] == [
        "line 2: not valid JSON (Expecting value at column 1)"]
    missing = check_case_file(tmp_path / "missing.jsonl")
    assert not missing.runnable and "does not exist" in (missing.error or "")
