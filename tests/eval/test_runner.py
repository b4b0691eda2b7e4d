"""Case loading, selection, and coding cases through the engine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.cases import Case, CaseFileError, KnownCodes, in_fit_half, load_cases, parse_fields, sample_cases
from eval.runner import code_cases, evidence_lines
from tests.eval.fakes import ScriptedEngine, build_kb

def line(**fields: object) -> str:
    base = {"id": "x", "title": "T", "description": None, "industry": None, "gold": ["51-6031.00"],
            "gold_level": "onetsoc", "source": "test"}
    base.update(fields)
    return json.dumps({k: v for k, v in base.items() if v != "<missing>"})


def test_load_cases_reports_bad_lines_by_number_and_keeps_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join([
        line(id="ok1"),
        "{not json",
        line(id="no-gold", gold="<missing>"),
        "",
        line(id="bad-shape", gold=["51-6031"]),
        line(id="ok2", gold=["51-6031", "51-6021"], gold_level="soc"),
        line(id="ok1"),
        "[1, 2]",
    ]) + "\n")
    cases, problems = load_cases(path)
    assert [c.id for c in cases] == ["ok1", "ok2"]
    assert [p.line for p in problems] == [2, 3, 5, 7, 8]
    messages = [str(p) for p in problems]
    assert messages[0].startswith(f"{path}, line 2: not valid JSON")
    assert "missing field 'gold'" in messages[1]
    assert "O*NET-SOC 2019 codes like 51-6031.00" in messages[2] and "'51-6031'" in messages[2]
    assert "duplicate id 'ok1' (first on line 1)" in messages[3]
    assert "expected a JSON object" in messages[4]


def test_load_cases_reports_unknown_gold_codes_when_told_the_release(tmp_path: Path) -> None:
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join([
        line(id="ok", gold=["51-6031.00"]),
        line(id="typo", gold=["51-6031.00", "51-6301.00"]),
        line(id="soc-ok", gold=["29-1229"], gold_level="soc"),
        line(id="soc-typo", gold=["29-9999"], gold_level="soc"),
        line(id="no-title", title="<missing>"),
    ]) + "\n")
    cases, problems = load_cases(path, KnownCodes.from_kb(build_kb()))
    assert [c.id for c in cases] == ["ok", "soc-ok"]
    assert [(p.line, p.message) for p in problems] == [
        (2, "unknown gold code(s) '51-6301.00': not in O*NET test"),
        (4, "unknown gold code(s) '29-9999': not in O*NET test"),
        (5, "missing field 'title'"),
    ]
    assert len(load_cases(path)[0]) == 4  # without a release, only the shape is checked


def test_in_fit_half_splits_by_a_hash_of_the_id() -> None:
    # sha1("a")[0] = 0x86 (even), sha1("b")[0] = 0xe9 (odd)
    assert in_fit_half("a") is True and in_fit_half("b") is False
    share = sum(in_fit_half(f"case-{i}") for i in range(2000)) / 2000
    assert 0.45 < share < 0.55


def test_sample_cases_is_deterministic_keeps_file_order_and_depends_on_the_seed() -> None:
    cases = [Case(id=f"c{i}", title="t", description=None, industry=None, gold=["51-6031.00"],
                  gold_level="onetsoc", source="test") for i in range(50)]
    first = sample_cases(cases, 10, seed=0)
    assert [c.id for c in first] == [c.id for c in sample_cases(list(reversed(cases)), 10, seed=0)][::-1]
    assert len(first) == 10 and first == sorted(first, key=cases.index)
    assert sample_cases(cases, 10, seed=1) != first
    assert sample_cases(cases, 60) == cases


def test_load_cases_missing_file_is_a_product_error(tmp_path: Path) -> None:
    with pytest.raises(CaseFileError, match="does not exist"):
        load_cases(tmp_path / "absent.jsonl")


def test_parse_fields() -> None:
    assert parse_fields("industry, title") == ["title", "industry"]
    with pytest.raises(ValueError):
        parse_fields("title,employer")
    with pytest.raises(ValueError):
        parse_fields(" , ")


def make_case(case_id: str, title: str | None, description: str | None, gold: list[str],
              level: str = "onetsoc") -> Case:
    return Case(id=case_id, title=title, description=description, industry=None, gold=gold,
                gold_level=level, source="test")  # type: ignore[arg-type]


def test_code_cases_scores_keeps_answers_and_skips_empty_queries() -> None:
    engine = ScriptedEngine({
        "sewer": [("51-6021.00", 0.6), ("51-6031.00", 0.3)],
        "presser": [("51-6021.00", 0.9)],
    })
    cases = [
        make_case("a", "sewer", "sews", ["51-6031.00"]),
        make_case("b", "presser", "presses", ["51-6021.00", "51-6031.00"]),
        make_case("c", None, "no title here", ["51-6031.00"]),  # empty once the title is the only field
    ]
    seen: list[tuple[str, bool]] = []
    outcomes = code_cases(engine, cases, ["title"], k=5, on_case=lambda o, r: seen.append((o.case_id, r is None)))
    assert [(c["title"], c["description"], c["k"], c["only"]) for c in engine.calls] == [
        ("sewer", None, 5, None), ("presser", None, 5, None)]
    assert seen == [("a", False), ("b", False), ("c", True)]
    first, second, skipped = outcomes
    assert first.codes == ["51-6021.00", "51-6031.00"] and first.confidences == [0.6, 0.3]
    assert first.hit_rank == {"onetsoc": 2, "soc": 2, "broad": 2, "minor": 1, "major": 1}
    assert first.elapsed_ms is not None and first.query == {"title": "sewer", "description": None, "industry": None}
    assert second.hit_rank["onetsoc"] == 1
    assert skipped.codes == [] and skipped.elapsed_ms is None and skipped.hit_rank["soc"] is None


def test_code_cases_passes_the_channel_groups_for_ablations() -> None:
    engine = ScriptedEngine({}, by_group={"dense": {"sewer": [("51-6031.00", 0.4)]}})
    [outcome] = code_cases(engine, [make_case("a", "sewer", None, ["51-6031"], "soc")], ["title"], only=["dense"])
    assert engine.calls[0]["only"] == ["dense"]
    assert outcome.hit_rank == {"soc": 1, "broad": 1, "minor": 1, "major": 1}


def test_code_cases_rejects_k_below_one() -> None:
    with pytest.raises(ValueError):
        code_cases(ScriptedEngine({}), [], ["title"], k=0)


def test_evidence_lines_strongest_first() -> None:
    result = ScriptedEngine({"nurse": [("29-1141.00", 0.8)]}).code(title="nurse")
    assert evidence_lines(result.candidates[0]) == [
        "alternate title: Registered Nurses title [nurse]", "task: A task of Registered Nurses."]
