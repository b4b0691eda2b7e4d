"""Case loading and scoring: pure functions checked against hand-computed answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.cases import Case, CaseFileError, load_cases, parse_fields
from eval.runner import match_levels, percentile, run_eval, score_ranking, soc_levels
from retrieval.models import Candidate, CodingResult, Query, SocHierarchy
from retrieval.onet import KnowledgeBase, Occupation, Taxonomy

# 99-9999.01 stands for an O*NET-SOC code whose crosswalk SOC code differs from its first seven characters.
CROSSWALK = {"51-6031.00": "51-6031", "51-6021.00": "51-6021", "99-9999.01": "51-6031", "29-1229.01": "29-1229"}


def soc_of(code: str) -> str:
    return CROSSWALK.get(code, code[:7])


def test_soc_levels() -> None:
    assert soc_levels("51-6031") == {"soc": "51-6031", "broad": "51-603", "minor": "51-6", "major": "51"}


def test_match_levels_uses_the_crosswalk_for_predictions_and_gold() -> None:
    hits = match_levels("99-9999.01", ["51-6031.00"], "onetsoc", soc_of)
    assert hits == {"onetsoc": False, "soc": True, "broad": True, "minor": True, "major": True}
    assert match_levels("51-6031.00", ["99-9999.01"], "onetsoc", soc_of)["soc"] is True


def test_match_levels_at_soc_level_has_no_onetsoc_level() -> None:
    assert match_levels("51-6021.00", ["51-6031", "29-1141"], "soc", soc_of) == {
        "soc": False, "broad": False, "minor": True, "major": True}


def test_score_ranking_looks_at_the_first_top_codes_only() -> None:
    ranked = ["29-1229.01", "11-1011.00", "51-6031.00"]
    assert score_ranking(ranked, ["51-6031.00"], "onetsoc", soc_of, 2) == {
        "onetsoc": False, "soc": False, "broad": False, "minor": False, "major": False}
    assert score_ranking(ranked, ["51-6031.00"], "onetsoc", soc_of, 3)["onetsoc"] is True
    assert score_ranking([], ["51-6031"], "soc", soc_of, 5) == {
        "soc": False, "broad": False, "minor": False, "major": False}


def test_percentile_interpolates_like_numpy() -> None:
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == 2.5
    assert percentile([1.0, 2.0, 3.0, 4.0], 95) == pytest.approx(3.85)
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 50) is None


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


def test_load_cases_missing_file_is_a_product_error(tmp_path: Path) -> None:
    with pytest.raises(CaseFileError, match="does not exist"):
        load_cases(tmp_path / "absent.jsonl")


def test_parse_fields() -> None:
    assert parse_fields("industry, title") == ["title", "industry"]
    with pytest.raises(ValueError):
        parse_fields("title,employer")
    with pytest.raises(ValueError):
        parse_fields(" , ")


class TableEngine:
    release = "O*NET test"
    engine_version = "0.0.0+fake"

    def __init__(self, answers: dict[str, list[str]]) -> None:
        occupations = {code: Occupation(code=code, title=code, description="", soc_code=soc)
                       for code, soc in CROSSWALK.items()}
        self.kb = KnowledgeBase(release=self.release, occupations=occupations, taxonomy=Taxonomy())
        self.answers = answers
        self.calls: list[tuple[str | None, str | None, str | None]] = []

    def code(self, title: str | None = None, description: str | None = None, industry: str | None = None,
             k: int = 10) -> CodingResult:
        self.calls.append((title, description, industry))
        codes = self.answers.get(title or description or "", [])[:k]
        candidates = [Candidate(rank=i + 1, code=c, title=c, soc_code=self.kb.soc_of(c), soc=SocHierarchy(),
                                score=1.0, confidence=0.5 / (i + 1)) for i, c in enumerate(codes)]
        return CodingResult(query=Query(title=title, description=description, industry=industry),
                            candidates=candidates, release=self.release, engine_version=self.engine_version,
                            elapsed_ms=1.0)


def make_case(case_id: str, title: str | None, description: str | None, gold: list[str],
              level: str = "onetsoc") -> Case:
    return Case(id=case_id, title=title, description=description, industry=None, gold=gold,
                gold_level=level, source="test")  # type: ignore[arg-type]


def test_run_eval_scores_keeps_predictions_and_skips_empty_queries() -> None:
    engine = TableEngine({
        "sewer": ["99-9999.01", "51-6031.00"],  # SOC right at 1 through the crosswalk, O*NET-SOC at 2
        "presser": ["51-6021.00"],
    })
    cases = [
        make_case("a", "sewer", "sews", ["51-6031.00"]),
        make_case("b", "presser", "presses", ["51-6021.00", "51-6031.00"]),
        make_case("c", None, "no title here", ["51-6031.00"]),  # empty once the title is the only field
    ]
    result = run_eval(engine, cases, ["title"], k=5, progress=False, path="cases.jsonl")
    assert engine.calls == [("sewer", None, None), ("presser", None, None)]
    assert result.n == 3
    assert result.top1 == {"onetsoc": 1 / 3, "soc": 2 / 3, "broad": 2 / 3, "minor": 2 / 3, "major": 2 / 3}
    assert result.top5["onetsoc"] == 2 / 3
    first, _, skipped = result.predictions
    assert first.codes == ["99-9999.01", "51-6031.00"] and first.soc_codes == ["51-6031", "51-6031"]
    assert first.confidences == [0.5, 0.25] and first.elapsed_ms is not None
    assert skipped.codes == [] and skipped.elapsed_ms is None and skipped.query["description"] is None
    assert (result.release, result.engine_version) == ("O*NET test", "0.0.0+fake")
    summary = result.summary()
    assert list(summary) == ["cases", "n", "fields", "top1", "top5", "p50_ms", "p95_ms"]
    assert list(summary["top1"]) == ["onetsoc", "soc", "broad", "minor", "major"]  # type: ignore[arg-type]


def test_run_eval_on_soc_gold_leaves_the_onetsoc_level_empty() -> None:
    engine = TableEngine({"sewer": ["51-6021.00", "99-9999.01"]})
    result = run_eval(engine, [make_case("a", "sewer", None, ["51-6031"], "soc")], ["title"], progress=False)
    assert result.top1 == {"onetsoc": None, "soc": 0.0, "broad": 0.0, "minor": 1.0, "major": 1.0}
    assert result.top5 == {"onetsoc": None, "soc": 1.0, "broad": 1.0, "minor": 1.0, "major": 1.0}
