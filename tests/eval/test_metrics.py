"""Every metric on small examples computed by hand."""

from __future__ import annotations

import pytest

from eval.metrics import (
    Bin,
    Confusion,
    GroupScore,
    Point,
    ScoredCase,
    calibration_inputs,
    confusions,
    coverage_curve,
    expected_calibration_error,
    headline_metrics,
    hit_ranks,
    levels_from_taxonomy,
    mean_reciprocal_rank,
    per_major_group,
    percentile,
    prefix_levels,
    reliability,
    score_case,
    thin_curve,
    threshold_for_precision,
    topk_by_level,
)
from tests.eval.fakes import build_taxonomy

# 99-9999.01 stands for an O*NET-SOC code whose crosswalk SOC code differs from its first seven characters.
CROSSWALK = {"99-9999.01": "51-6031"}


def soc_of(code: str) -> str:
    return CROSSWALK.get(code, code[:7])


def scored(codes: list[str], gold: list[str], level: str = "onetsoc", confidences: list[float] | None = None,
           ) -> ScoredCase:
    return score_case(codes, confidences or [0.5] * len(codes), gold, level, soc_of)  # type: ignore[arg-type]


# ----- levels -----------------------------------------------------------------------------------------

def test_prefix_levels_names_groups_by_their_codes() -> None:
    assert prefix_levels("51-6031") == {"soc": "51-6031", "broad": "51-6030", "minor": "51-6000", "major": "51-0000"}


def test_taxonomy_levels_follow_the_structure_where_the_pattern_is_wrong() -> None:
    levels_of = levels_from_taxonomy(build_taxonomy())
    # 29-1211 and 29-1229 both sit in broad group 29-1210 (Physicians); the code pattern says 29-1210 vs 29-1220.
    assert levels_of("29-1229") == {"soc": "29-1229", "broad": "29-1210", "minor": "29-1000", "major": "29-0000"}
    assert prefix_levels("29-1229")["broad"] == "29-1220"
    ranks = hit_ranks(["29-1229.01"], ["29-1211.00"], "onetsoc", soc_of, levels_of)
    assert ranks == {"onetsoc": None, "soc": None, "broad": 1, "minor": 1, "major": 1}
    assert hit_ranks(["29-1229.01"], ["29-1211.00"], "onetsoc", soc_of)["broad"] is None


def test_taxonomy_levels_fall_back_to_the_pattern_for_unknown_codes() -> None:
    assert levels_from_taxonomy(build_taxonomy())("47-2061") == prefix_levels("47-2061")


# ----- one case -----------------------------------------------------------------------------------------

def test_hit_ranks_use_the_crosswalk_and_any_gold_code() -> None:
    assert hit_ranks(["99-9999.01"], ["51-6031.00"], "onetsoc", soc_of) == {
        "onetsoc": None, "soc": 1, "broad": 1, "minor": 1, "major": 1}
    # two gold codes: the SOC code of the first answer matches one, the exact O*NET-SOC code is second
    assert hit_ranks(["29-1141.00", "29-1171.00"], ["29-1141.01", "29-1171.00"], "onetsoc", soc_of) == {
        "onetsoc": 2, "soc": 1, "broad": 1, "minor": 1, "major": 1}


def test_hit_ranks_for_soc_gold_have_no_onetsoc_level() -> None:
    assert hit_ranks(["11-1021.00", "43-4051.00", "11-1011.00"], ["11-1011"], "soc", soc_of) == {
        "soc": 3, "broad": 3, "minor": 1, "major": 1}
    assert hit_ranks([], ["11-1011"], "soc", soc_of) == {"soc": None, "broad": None, "minor": None, "major": None}


def test_score_case_keeps_the_gold_in_soc_terms_and_its_major_group() -> None:
    case = scored(["29-1141.00"], ["29-1141.01", "29-1171.00"], confidences=[0.8])
    assert case.gold_soc == ["29-1141", "29-1171"] and case.major == "29-0000"
    assert case.soc_codes == ["29-1141"] and case.top_confidence == 0.8
    assert case.right("soc", 1) and not case.right("onetsoc", 5)


# ----- accuracy -----------------------------------------------------------------------------------------

@pytest.fixture
def four_cases() -> list[ScoredCase]:
    return [
        scored(["51-6031.00", "51-6021.00"], ["51-6031.00"]),  # right everywhere at rank 1
        scored(["29-1141.00", "29-1171.00"], ["29-1141.01", "29-1171.00"]),  # SOC at 1, O*NET-SOC at 2
        scored(["11-1021.00", "43-4051.00", "11-1011.00"], ["11-1011"], "soc"),  # SOC at 3, minor at 1
        scored([], ["51-6031"], "soc"),  # no answer
    ]


def test_topk_by_level(four_cases: list[ScoredCase]) -> None:
    assert topk_by_level(four_cases, 1) == {"onetsoc": 0.5, "soc": 0.5, "broad": 0.5, "minor": 0.75, "major": 0.75}
    assert topk_by_level(four_cases, 5) == {"onetsoc": 1.0, "soc": 0.75, "broad": 0.75, "minor": 0.75, "major": 0.75}
    assert topk_by_level(four_cases[2:], 1)["onetsoc"] is None
    assert topk_by_level([], 1)["soc"] is None


def test_mean_reciprocal_rank(four_cases: list[ScoredCase]) -> None:
    assert mean_reciprocal_rank(four_cases, "soc") == pytest.approx((1 + 1 + 1 / 3 + 0) / 4)
    assert mean_reciprocal_rank(four_cases, "onetsoc") == pytest.approx((1 + 1 / 2) / 2)
    assert mean_reciprocal_rank([], "soc") is None


def test_per_major_group(four_cases: list[ScoredCase]) -> None:
    groups = per_major_group(four_cases, {"51-0000": "Production Occupations"})
    assert groups == [
        GroupScore(code="11-0000", title="", n=1, top1=0.0, top5=1.0),
        GroupScore(code="29-0000", title="", n=1, top1=1.0, top5=1.0),
        GroupScore(code="51-0000", title="Production Occupations", n=2, top1=0.5, top5=0.5),
    ]


def test_confusions_count_wrong_top_answers_by_gold_set_and_prediction(four_cases: list[ScoredCase]) -> None:
    cases = four_cases + [
        scored(["11-1021.00"], ["11-1011"], "soc"),
        scored(["11-1011.00"], ["43-4051", "29-1141"], "soc"),
    ]
    assert confusions(cases) == [
        Confusion(gold=["11-1011"], predicted="11-1021", count=2),
        Confusion(gold=["29-1141", "43-4051"], predicted="11-1011", count=1),
    ]
    assert confusions(cases, top=1) == [Confusion(gold=["11-1011"], predicted="11-1021", count=2)]


# ----- calibration --------------------------------------------------------------------------------------

def test_reliability_bins_and_expected_calibration_error() -> None:
    confidences = [0.05, 0.15, 0.15, 0.95, 1.0, None]
    correct = [False, True, False, True, True, False]
    bins = reliability(confidences, correct, bins=10)
    assert len(bins) == 10
    assert bins[0] == Bin(low=0.0, high=0.1, n=1, mean_confidence=0.05, accuracy=0.0)
    assert bins[1].n == 2 and bins[1].mean_confidence == pytest.approx(0.15) and bins[1].accuracy == 0.5
    assert bins[2] == Bin(low=0.2, high=0.3, n=0, mean_confidence=None, accuracy=None)
    assert bins[9].n == 2 and bins[9].mean_confidence == pytest.approx(0.975) and bins[9].accuracy == 1.0
    # (1 * |0 - 0.05| + 2 * |0.5 - 0.15| + 2 * |1 - 0.975|) / 5
    assert expected_calibration_error(bins) == pytest.approx(0.16)


def test_calibration_of_a_perfect_and_an_empty_model() -> None:
    assert expected_calibration_error(reliability([1.0, 1.0, 0.0], [True, True, False])) == 0.0
    assert expected_calibration_error(reliability([None], [False])) is None
    with pytest.raises(ValueError):
        reliability([0.5], [True, False])


def test_calibration_inputs_use_the_top_answer_and_soc_detailed(four_cases: list[ScoredCase]) -> None:
    confidences, correct = calibration_inputs(four_cases)
    assert confidences == [0.5, 0.5, 0.5, None]
    assert correct == [True, True, False, False]


# ----- coverage and precision -----------------------------------------------------------------------------

def test_coverage_curve_and_thresholds_for_precision() -> None:
    curve = coverage_curve([0.9, 0.8, 0.8, 0.6, 0.3, None], [True, True, False, True, False, False])
    assert curve == [
        Point(threshold=0.9, accepted=1, coverage=1 / 6, precision=1.0),
        Point(threshold=0.8, accepted=3, coverage=3 / 6, precision=2 / 3),
        Point(threshold=0.6, accepted=4, coverage=4 / 6, precision=0.75),
        Point(threshold=0.3, accepted=5, coverage=5 / 6, precision=0.6),
    ]
    assert threshold_for_precision(curve, 0.9) == curve[0]
    # precision is not monotone in the threshold: the widest point that still reaches 70% is 0.6, not 0.9
    assert threshold_for_precision(curve, 0.7) == curve[2]
    assert threshold_for_precision(curve, 0.6) == curve[3]
    assert threshold_for_precision(curve, 1.01) is None
    assert threshold_for_precision([], 0.9) is None


def test_thin_curve_keeps_both_ends() -> None:
    curve = [Point(threshold=1 - i / 1000, accepted=i + 1, coverage=(i + 1) / 1000, precision=1.0)
             for i in range(1000)]
    thin = thin_curve(curve, max_points=11)
    assert len(thin) == 11 and thin[0] == curve[0] and thin[-1] == curve[-1]
    assert thin_curve(curve[:5], max_points=11) == curve[:5]


def test_headline_metrics_gathers_the_figures(four_cases: list[ScoredCase]) -> None:
    cases = [
        scored(["51-6031.00"], ["51-6031.00"], confidences=[0.95]),
        scored(["51-6031.00"], ["51-6031.00"], confidences=[0.9]),
        scored(["51-6021.00"], ["51-6031.00"], confidences=[0.85]),
        scored(["51-6031.00"], ["51-6031.00"], confidences=[0.2]),
    ]
    h = headline_metrics(cases)
    assert h.n == 4 and h.top1["soc"] == 0.75 and h.mrr == 0.75
    # 95%: only the first two answers (both right) reach it; 90% likewise; accepting 0.85 drops to 2/3
    assert (h.coverage_at_95, h.threshold_at_95) == (0.5, 0.9)
    assert (h.coverage_at_90, h.threshold_at_90) == (0.5, 0.9)
    # bins: 0.2 -> right (|1 - 0.2|), 0.85 -> wrong (|0 - 0.85|), 0.9 and 0.95 -> right (|1 - 0.925| * 2)
    assert h.ece == pytest.approx((0.8 + 0.85 + 2 * 0.075) / 4)


def test_percentile_interpolates_like_numpy() -> None:
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == 2.5
    assert percentile([1.0, 2.0, 3.0, 4.0], 95) == pytest.approx(3.85)
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 50) is None
