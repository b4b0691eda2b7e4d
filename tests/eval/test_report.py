"""The written report: its files, and the same numbers in the Markdown as in the JSON."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from eval.report import format_table, write_report
from eval.suite import SuiteResult, run_suite
from tests.eval.fakes import ScriptedEngine, small_answers, small_case_lines, write_cases

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def result(tmp_path: Path) -> SuiteResult:
    dot = write_cases(tmp_path / "dot.jsonl", small_case_lines())
    acs = write_cases(tmp_path / "acs.jsonl", small_case_lines()[:2])
    return run_suite(ScriptedEngine(*small_answers()), [dot, acs], ["title"], compare=True)


def table_rows(markdown: str, heading: str) -> list[list[str]]:
    """The body rows of the first table after `heading`, as stripped cells."""
    lines = markdown[markdown.index(heading):].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def as_share(text: str) -> float | None:
    """'41.2%' -> 0.412, '0.125' -> 0.125, 'n/a' -> None; thresholds in '(conf ≥ 0.95)' are dropped."""
    text = text.split(" (")[0]
    if text in ("n/a", "not reached"):
        return None
    return float(text[:-1]) / 100 if text.endswith("%") else float(text)


def close(markdown_value: str, json_value: float | None, places: int) -> bool:
    shown = as_share(markdown_value)
    if json_value is None or shown is None:
        return shown is json_value
    return abs(shown - json_value) <= 0.5 * 10 ** -places + 1e-12


def test_write_report_writes_markdown_json_and_three_plots_per_file(result: SuiteResult, tmp_path: Path) -> None:
    out = tmp_path / "report"
    md_path = write_report(result, out)
    assert md_path == out / "report.md"
    names = {p.name for p in out.iterdir()}
    assert names == {"report.md", "report.json", "reliability_dot.png", "coverage_dot.png", "groups_dot.png",
                     "reliability_acs.png", "coverage_acs.png", "groups_acs.png"}
    for png in out.glob("*.png"):
        assert png.read_bytes().startswith(PNG_MAGIC) and png.stat().st_size > 5000
    assert SuiteResult.model_validate_json((out / "report.json").read_text()) == result
    markdown = md_path.read_text()
    for name in ("reliability_dot.png", "coverage_dot.png", "groups_dot.png"):
        assert f"({name})" in markdown


def test_headline_table_shows_the_json_numbers(result: SuiteResult, tmp_path: Path) -> None:
    write_report(result, tmp_path)
    markdown = (tmp_path / "report.md").read_text()
    rows = table_rows(markdown, "## Headline")
    assert [row[0] for row in rows] == ["dot", "acs"]
    for row, report in zip(rows, result.files):
        h = report.headline
        assert row[1] == "title" and row[2] == str(report.n)
        assert close(row[3], h.top1["soc"], 3) and close(row[4], h.top5["soc"], 3)
        assert close(row[5], h.mrr, 3) and close(row[6], h.top1["major"], 3) and close(row[7], h.ece, 3)
        assert close(row[8], h.coverage_at_90, 3) and close(row[9], h.coverage_at_95, 3)
        if h.threshold_at_90 is not None:
            assert f"(conf ≥ {h.threshold_at_90:.2f})" in row[8]
    dot = result.files[0].headline
    assert rows[0][3:8] == ["40.0%", "60.0%", f"{dot.mrr:.3f}", "80.0%", f"{dot.ece:.3f}"]


def test_file_sections_show_the_json_numbers(result: SuiteResult, tmp_path: Path) -> None:
    write_report(result, tmp_path)
    markdown = (tmp_path / "report.md").read_text()
    dot = result.files[0]
    section = markdown[markdown.index("## dot"):markdown.index("## acs")]
    levels = table_rows(section, "### Accuracy by level")
    assert [row[0] for row in levels] == ["O*NET-SOC", "SOC detailed", "SOC broad", "SOC minor", "SOC major"]
    for row, level in zip(levels, ["onetsoc", "soc", "broad", "minor", "major"]):
        assert close(row[1], dot.headline.top1[level], 3) and close(row[2], dot.headline.top5[level], 3)
    assert f"Expected calibration error: **{dot.headline.ece:.3f}**" in section
    groups = {row[0]: row for row in table_rows(section, "### By SOC major group")}
    for group in dot.groups:
        assert groups[group.code][2] == str(group.n) and close(groups[group.code][3], group.top1, 3)
    confusions = table_rows(section, "### Most frequent confusions")
    assert confusions[0] == ["1", "11-1011 Chief Executives", "11-1021 General and Operations Managers"]
    ablations = {row[0]: row for row in table_rows(section, "### Ablations")}
    assert dot.ablations is not None
    for name, label in [("full", "full ranking"), ("title", "title match alone"),
                        ("lexical", "lexical (BM25) alone"), ("dense", "dense (embeddings) alone")]:
        assert close(ablations[label][1], dot.ablations[name].top1["soc"], 3)
    speed = table_rows(section, "### Speed and cost")[0]
    assert speed[0] == f"{dot.timing.p50_ms:.1f} ms" and speed[4] == "n/a"


def test_worst_failures_come_most_confident_first_with_their_evidence(result: SuiteResult, tmp_path: Path) -> None:
    write_report(result, tmp_path)
    markdown = (tmp_path / "report.md").read_text()
    section = markdown[markdown.index("### Worst failures"):markdown.index("### Speed and cost")]
    first, second = re.findall(r"^\d+\. `(\w+)`", section, flags=re.M)
    assert (first, second) == ("b", "d")
    assert "→ **51-6031.00 Sewing Machine Operators** at 90.0%" in section
    assert "   - alternate title: Sewing Machine Operators title [presser]" in section
    assert "(listed at rank 2)" in section and "(not listed)" in section


def test_the_report_says_which_half_calibration_is_measured_on(tmp_path: Path) -> None:
    path = write_cases(tmp_path / "dot.jsonl", small_case_lines())
    engine = ScriptedEngine(*small_answers())
    held_out = run_suite(engine, [path], ["title"], half="report")
    assert "on the half of cases not used to fit calibration" in write_report(held_out, tmp_path / "r").read_text()
    everything = run_suite(engine, [path], ["title"])
    assert "about half of which were used to fit" in write_report(everything, tmp_path / "a").read_text()


def test_format_table_for_the_terminal(result: SuiteResult) -> None:
    text = format_table(result.files[0])
    assert "SOC detailed     40.0%   60.0%" in text
    assert "full 40.0%, title 40.0%, lexical 0.0%, dense 20.0% top-1 SOC on 5 cases" in text
