"""Batch review thresholds come from the newest kept evaluation run, by the kind of query each file measured."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from assistant.batch import NO_TEXT, ReviewPolicy
from eval.store import save_run
from eval.suite import run_suite
from eval.thresholds import latest_policy
from tests.eval.fakes import ScriptedEngine, small_answers, small_case_lines, write_cases


def test_the_newest_kept_run_sets_the_thresholds(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert latest_policy(home) is None
    path = write_cases(tmp_path / "dot.jsonl", small_case_lines())
    result = run_suite(ScriptedEngine(*small_answers()), [path], ["title"])
    measured = result.files[0].headline.threshold_at_90
    older = result.model_copy(deep=True, update={"id": "older000", "created": result.created - timedelta(hours=1)})
    older.files[0].headline = older.files[0].headline.model_copy(update={"threshold_at_90": 0.01})
    save_run(older, home)
    save_run(result, home)

    policy = latest_policy(home)
    assert policy is not None
    assert policy.thresholds == {"title": measured}
    assert result.id in policy.source and "dot" in policy.source


def test_reasons_name_why_a_row_needs_review() -> None:
    policy = ReviewPolicy(thresholds={"title": 0.7, "description": None}, source="test")
    assert policy.reason(("nurse", None, None), 0.9) == ""
    assert policy.reason(("nurse", None, "hospital"), 0.5) == "confidence below 0.70"
    assert policy.reason((None, "cares for patients", None), 0.99).startswith("90% precision is not reached")
    assert policy.reason(("nurse", "cares for patients", None), 0.89) == "confidence below 0.90"  # not measured
    assert policy.reason((None, None, "bank"), None) == NO_TEXT
