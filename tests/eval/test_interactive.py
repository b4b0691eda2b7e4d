"""Simulated-customer evaluation: the scripted customer, the per-question scores, and `oca eval --interactive`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant.cli import main
from eval.cases import Case
from eval.interactive import DONT_KNOW, ScriptedCustomer, run_interactive, sentences, summarize
from retrieval.engine import Engine

SEWER_CASE = Case(
    id="sew-1", title="Zigzag-Machine Operator", industry="garment", gold=["51-6031.00"], gold_level="onetsoc",
    source="test",
    description="Operates a machine that joins layers of material. Feeds cloth under the needle to stitch seams. "
                "Keeps a tally of the bundles finished.",
)
CASHIER_CASE = Case(
    id="cash-1", title="Checker", industry="retail trade", gold=["41-2011"], gold_level="soc", source="test",
    description="Works at a checkout in a grocery store. Receives payment by cash or card and gives change. "
                "Bags the groceries for customers.",
)


def word_overlap(question: str, options) -> np.ndarray:
    q = set(question.lower().split())
    return np.array([len(q & set(option.lower().split())) for option in options], dtype=float)


def test_sentences_split_on_sentence_ends_and_colons():
    assert sentences("Tends a crusher: Starts it. Breaks lumps; cleans up.") == [
        "Tends a crusher:", "Starts it.", "Breaks lumps; cleans up."]
    assert sentences(None) == []


def test_the_customer_opens_with_the_first_sentence_and_answers_with_the_closest_rest():
    customer = ScriptedCustomer(SEWER_CASE, word_overlap)
    assert customer.opening == "Operates a machine that joins layers of material."
    assert customer.answer("do you keep a tally of the bundles?", "duties") == "Keeps a tally of the bundles finished."
    assert customer.answer("anything else?", "duties") == "Feeds cloth under the needle to stitch seams."
    assert customer.answer("and more?", "duties") == DONT_KNOW  # nothing is invented
    assert "title" not in customer.opening.lower() and "Zigzag" not in customer.opening


def test_the_customer_never_gives_the_withheld_title():
    customer = ScriptedCustomer(SEWER_CASE, word_overlap)
    assert customer.answer("What is the job title?", "job_title") == DONT_KNOW
    assert len(customer.left) == 2  # no sentence was spent on it


def test_asked_for_the_industry_the_customer_gives_the_case_industry_once():
    customer = ScriptedCustomer(SEWER_CASE, word_overlap)
    assert customer.answer("What does the employer make or do (the industry)?", "industry") == \
        "The industry is garment."
    assert customer.answer("What does the employer make or do (the industry)?", "industry") != \
        "The industry is garment."


@pytest.fixture(scope="module")
def engine(fixture_release: Path, fixture_taxonomy: Path, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return Engine.open(fixture_release, fixture_taxonomy, tmp_path_factory.mktemp("interactive-home"), progress=False)


def test_run_interactive_scores_after_each_question(engine):
    summary, dialogues = run_interactive(engine, [SEWER_CASE, CASHIER_CASE], questions=2, name="fixture")
    assert summary.n == 2 and len(summary.top1) == 3 and len(summary.top5) == 3
    assert all(0 <= v <= 1 for v in summary.top1 + summary.top5)
    for dialogue in dialogues:
        assert len(dialogue.steps) == 3
        assert dialogue.steps[0].question is None
        assert all(step.question for step in dialogue.steps[1:])
    # the fixture's only sewing and cashier occupations are found from the opening sentence
    assert [d.steps[0].soc_hit for d in dialogues] == [1, 1]
    assert summary.top1[0] == 1.0
    assert summary.p95_ms is not None and summary.p95_ms > 0
    assert sum(summary.question_kinds.values()) == 4


def test_summarize_counts_hits_at_each_step():
    from eval.interactive import Dialogue, Step

    def dialogue(hits):
        return Dialogue(case_id="x", steps=[Step(question=None if i == 0 else "q", answer="a", codes=[], soc_hit=h,
                                                 elapsed_ms=1.0, kind=None if i == 0 else "duties")
                                            for i, h in enumerate(hits)])

    summary = summarize([dialogue([None, 3, 1]), dialogue([2, 1, 1])], "x", 2, "all")
    assert summary.top1 == [0.0, 0.5, 1.0]
    assert summary.top5 == [0.5, 1.0, 1.0]
    assert summary.question_kinds == {"duties": 4}


def test_cli_eval_interactive_prints_and_writes_scores(fixture_release, fixture_taxonomy, tmp_path, capsys):
    cases = tmp_path / "cases.jsonl"
    cases.write_text("\n".join(c.model_dump_json() for c in (SEWER_CASE, CASHIER_CASE)) + "\n", encoding="utf-8")
    out = tmp_path / "scores.json"
    code = main(["eval", str(cases), "--interactive", "--questions", "1", "--json", str(out), "--report",
                 str(tmp_path / "rep"), "--home", str(tmp_path / "home"), "--onet-dir", str(fixture_release),
                 "--taxonomy-dir", str(fixture_taxonomy)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "top-1 SOC" in printed and "turn latency" in printed
    [scores] = json.loads(out.read_text())
    assert scores["n"] == 2 and len(scores["top1"]) == 2
    report = json.loads((tmp_path / "rep" / "interactive.json").read_text())
    assert len(report["dialogues"][str(cases)]) == 2


def test_cli_rejects_too_many_questions(fixture_release, fixture_taxonomy, tmp_path, capsys):
    cases = tmp_path / "cases.jsonl"
    cases.write_text(SEWER_CASE.model_dump_json() + "\n", encoding="utf-8")
    code = main(["eval", str(cases), "--interactive", "--questions", "50", "--home", str(tmp_path / "home"),
                 "--onet-dir", str(fixture_release), "--taxonomy-dir", str(fixture_taxonomy)])
    assert code == 2
    assert "--questions must be between 0 and 10" in capsys.readouterr().err
