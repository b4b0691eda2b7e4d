"""`oca eval`'s report, comparison, selection and kept-run flags over a scripted engine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant import cli
from eval.cases import in_fit_half
from eval.store import list_runs, load_run
from tests.eval.fakes import ScriptedEngine, case_line, write_cases


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_report_writes_the_report_and_prints_where(engine: ScriptedEngine, cases_file: Path, tmp_path: Path,
                                                   capsys) -> None:
    out_dir = tmp_path / "rep"
    rc, out, err = run(["eval", str(cases_file), "--fields", "title", "--report", str(out_dir)], capsys)
    assert rc == 0
    assert f"Report written to {out_dir / 'report.md'}" in out
    assert {"report.md", "report.json", "groups_dot.png"} <= {p.name for p in out_dir.iterdir()}
    assert "line 3: not valid JSON" in err and "line 6: unknown gold code(s) '51-6301.00'" in err
    assert "MRR 0.500, ECE" in out and "auto-coded at 90% precision: 20.0% (conf ≥ 0.95)" in out


def test_compare_prints_and_reports_each_channel_alone(engine: ScriptedEngine, cases_file: Path, tmp_path: Path,
                                                       capsys) -> None:
    rc, out, _ = run(["eval", str(cases_file), "--fields", "title", "--compare", "--report", str(tmp_path)], capsys)
    assert rc == 0
    assert "full 40.0%, title 40.0%, lexical 0.0%, dense 20.0% top-1 SOC on 5 cases" in out
    report = (tmp_path / "report.md").read_text()
    assert "### Ablations: each evidence channel alone (5 cases, a fixed sample)" in report
    assert {tuple(c["only"] or ()) for c in engine.calls} == {(), ("title",), ("lexical",), ("dense",)}


def test_sample_seed_and_half_select_the_cases(engine: ScriptedEngine, tmp_path: Path, capsys) -> None:
    path = write_cases(tmp_path / "many.jsonl", [case_line(f"id-{i}", "zigzag", ["51-6031.00"]) for i in range(30)])
    out_json = tmp_path / "s.json"
    rc, _, _ = run(["eval", str(path), "--sample", "4", "--seed", "2", "--json", str(out_json)], capsys)
    assert rc == 0 and json.loads(out_json.read_text())[0]["n"] == 4 and len(engine.calls) == 4
    rc, _, _ = run(["eval", str(path), "--half", "report", "--json", str(out_json)], capsys)
    assert json.loads(out_json.read_text())[0]["n"] == sum(not in_fit_half(f"id-{i}") for i in range(30))


def test_fields_per_file(engine: ScriptedEngine, tmp_path: Path, capsys) -> None:
    dot = write_cases(tmp_path / "dot.jsonl", [case_line("a", "zigzag", ["51-6031.00"], description="sews")])
    acs = write_cases(tmp_path / "acs.jsonl", [case_line("b", "ceo", ["11-1011"], "soc", industry="bank")])
    out_json = tmp_path / "s.json"
    rc, _, _ = run(["eval", str(dot), str(acs), "--fields", "description,industry", "--fields",
                    "acs.jsonl=title,industry", "--json", str(out_json)], capsys)
    assert rc == 0
    assert [entry["fields"] for entry in json.loads(out_json.read_text())] == [
        ["description", "industry"], ["title", "industry"]]
    assert [(c["title"], c["description"], c["industry"]) for c in engine.calls] == [
        (None, "sews", None), ("ceo", None, "bank")]


@pytest.mark.parametrize("spec, message", [
    ("other.jsonl=title", "fields given for other.jsonl"),
    ("=title", "expected FILE=FIELDS"),
    ("dot=employer", "fields must be"),
])
def test_bad_field_specs_are_product_errors(engine: ScriptedEngine, cases_file: Path, spec: str, message: str,
                                            capsys) -> None:
    rc, _, err = run(["eval", str(cases_file), "--fields", spec], capsys)
    assert rc == 2 and err.startswith("error: ") and message in err
    assert engine.calls == []


def test_keep_saves_the_run_under_home(engine: ScriptedEngine, cases_file: Path, tmp_path: Path, capsys) -> None:
    home = tmp_path / "home"
    rc, out, _ = run(["eval", str(cases_file), "--fields", "title", "--keep", "--home", str(home)], capsys)
    assert rc == 0
    [kept] = list_runs(home)
    assert f"Run kept in {kept.path}" in out
    assert load_run(Path(kept.path)).files[0].headline.top1["soc"] == 0.4
