"""The pure ranking functions: standardising channels, fusing them, dense aggregation and confidence."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval import rank
from retrieval.models import Query
from retrieval.vector_store import Hit

CODES = ["29-1141.00", "29-2061.00", "41-2011.00", "53-3032.00"]
CODE_INDEX = {code: i for i, code in enumerate(CODES)}
NURSE, LPN, CASHIER, DRIVER = range(4)


def hit(code: str, similarity: float, text: str = "") -> Hit:
    return Hit(id=f"{code}:k0", code=code, kind="task", text=text or code, similarity=similarity)


# ----- standardise ------------------------------------------------------------------------------------------

def test_a_flat_channel_standardises_to_zeros() -> None:
    assert np.array_equal(rank.standardise(np.full(30, 0.7)), np.zeros(30))
    assert np.array_equal(rank.standardise(np.zeros(500)), np.zeros(500))


def test_an_empty_channel_stays_empty() -> None:
    assert rank.standardise(np.zeros(0)).shape == (0,)


@pytest.mark.parametrize("n", [5, 120, 1000])
def test_the_best_score_gets_the_largest_standardised_value(n: int) -> None:
    scores = np.random.default_rng(n).random(n).astype(np.float32)
    best = int(np.argmax(scores))
    out = rank.standardise(scores)
    assert int(np.argmax(out)) == best
    assert out[best] > 0


def test_standardising_keeps_the_order_of_the_best_scores() -> None:
    scores = np.random.default_rng(7).random(1000).astype(np.float32)
    out = rank.standardise(scores)
    top = np.argsort(-scores)[:200]
    assert np.all(np.diff(out[top]) <= 0)


def test_standardising_does_not_depend_on_the_channel_scale() -> None:
    scores = np.random.default_rng(3).random(300).astype(np.float32)
    assert np.allclose(rank.standardise(scores), rank.standardise(scores * 40 + 5), atol=1e-4)


def test_scores_below_the_200th_best_count_as_no_evidence() -> None:
    scores = np.arange(300, dtype=np.float32)
    out = rank.standardise(scores)
    # The 200th best is 100; everything at or below it is the same (lowest) value.
    assert np.all(out[:101] == out[100])
    assert out[101] > out[100]


def test_a_near_flat_head_does_not_throw_the_next_score_hundreds_of_spreads_down() -> None:
    # 60 occupations share their best dense match (a DWA they all hold) to within float noise; the one just
    # below them is still a candidate, not hundreds of spreads below every other channel's scores
    rng = np.random.default_rng(5)
    scores = np.concatenate([0.6635 + rng.normal(0, 2e-5, 60), [0.653], 0.60 + rng.random(900) * 0.04])
    out = rank.standardise(scores.astype(np.float32))
    assert -5.0 <= out[60] < out[:60].min()
    assert out[60] > out[61:].max()  # and the order is kept
    assert out.min() >= -5.0  # the floor: five spreads at most below the head


def test_a_clear_winner_stands_further_out_than_a_close_one() -> None:
    close = np.array([1.0, 0.95, 0.9, 0.85, 0.8, 0.75], dtype=np.float32)
    clear = np.array([3.0, 0.95, 0.9, 0.85, 0.8, 0.75], dtype=np.float32)
    assert rank.standardise(clear)[0] > rank.standardise(close)[0]


# ----- fuse -------------------------------------------------------------------------------------------------

def test_fuse_applies_each_channel_weight() -> None:
    a = np.array([0.9, 0.1, 0.3, 0.2], dtype=np.float32)
    b = np.array([0.1, 0.8, 0.2, 0.4], dtype=np.float32)
    fused = rank.fuse({"a": a, "b": b}, {"a": 2.0, "b": 0.5})
    assert np.allclose(fused, 2.0 * rank.standardise(a) + 0.5 * rank.standardise(b))


def test_weights_decide_which_channel_wins() -> None:
    a = np.array([1.0, 0.0, 0.0, 0.0], dtype=np.float32)
    b = np.array([0.0, 1.0, 0.0, 0.0], dtype=np.float32)
    assert int(np.argmax(rank.fuse({"a": a, "b": b}, {"a": 3.0, "b": 1.0}))) == 0
    assert int(np.argmax(rank.fuse({"a": a, "b": b}, {"a": 1.0, "b": 3.0}))) == 1


def test_a_channel_without_a_weight_is_ignored() -> None:
    a = np.array([0.9, 0.1, 0.3, 0.2], dtype=np.float32)
    noise = np.array([0.0, 100.0, 0.0, 0.0], dtype=np.float32)
    assert np.allclose(rank.fuse({"a": a, "noise": noise}, {"a": 1.0}), rank.standardise(a))
    assert np.allclose(rank.fuse({"a": a, "noise": noise}, {"a": 1.0, "noise": 0.0}), rank.standardise(a))


def test_the_exact_title_flag_is_added_as_it_is() -> None:
    flag = np.array([0.0, 1.0, 0.0, 0.0], dtype=np.float32)
    assert np.allclose(rank.fuse({"title_exact": flag}, {"title_exact": 15.0}), [0.0, 15.0, 0.0, 0.0])
    other = np.array([0.9, 0.1, 0.3, 0.2], dtype=np.float32)
    fused = rank.fuse({"title": other, "title_exact": flag}, {"title": 2.0, "title_exact": 15.0})
    assert np.allclose(fused, 2.0 * rank.standardise(other) + 15.0 * flag)
    assert int(np.argmax(fused)) == 1


def test_fusing_no_weighted_channel_gives_zeros_of_the_right_size() -> None:
    assert np.array_equal(rank.fuse({"a": np.ones(4)}, {}), np.zeros(4))
    assert rank.fuse({}, {"a": 1.0}).shape == (0,)


def test_title_weights_apply_only_to_what_the_query_holds() -> None:
    title_only = rank.weights_for(Query(title="Cashier"))
    assert set(title_only) == set(rank.TITLE_WEIGHTS)
    both = rank.weights_for(Query(title="Grocery Cashier", description="Scans groceries", industry="retail"))
    assert both["lexical_industry"] == rank.INDUSTRY_WEIGHT
    assert both["title_industry"] == rank.TITLE_INDUSTRY_WEIGHT  # the title read with its industry
    assert "title_industry" not in rank.weights_for(Query(description="Scans groceries", industry="retail"))
    # A description backs a title up rather than overruling it.
    assert both["dense_description"] < rank.weights_for(Query(description="Scans groceries"))["dense_description"]


def test_a_one_word_title_with_a_description_leaves_the_description_to_say_which() -> None:
    alone = rank.weights_for(Query(description="I run a hotel."))
    title_only = rank.weights_for(Query(title="Manager"))
    both = rank.weights_for(Query(title="Manager", description="I run a hotel."))
    share = rank.ONE_WORD_TITLE_WITH_DESCRIPTION
    assert 0 < share < 1
    for name, weight in title_only.items():  # every title channel counts less ...
        assert both[name] == pytest.approx(weight * share)
    for name, weight in alone.items():  # ... and the description as much as without a title
        assert both[name] == pytest.approx(weight)
    # a longer title keeps its full weight and the description backs it up
    longer = rank.weights_for(Query(title="Lodging Manager", description="I run a hotel."))
    assert longer["title"] == rank.TITLE_WEIGHTS["title"]
    assert longer["dense_description"] < alone["dense_description"]


# ----- dense aggregation ------------------------------------------------------------------------------------

def test_top_mean_averages_each_occupations_best_hits() -> None:
    hits = [hit(CODES[NURSE], 0.9), hit(CODES[NURSE], 0.8), hit(CODES[NURSE], 0.7), hit(CODES[NURSE], 0.1),
            hit(CODES[LPN], 0.85), hit(CODES[CASHIER], 0.2)]
    out = rank.top_mean(hits, CODE_INDEX, len(CODES))
    assert out[NURSE] == pytest.approx(0.8)  # the three best, not the fourth
    # One hit, the two missing ones counted at the worst hit (0.1).
    assert out[LPN] == pytest.approx((0.85 + 0.1 + 0.1) / 3)
    assert out[DRIVER] == pytest.approx(0.1)  # no hit: the worst hit
    assert out[NURSE] > out[LPN] > out[CASHIER]


def test_top_mean_ignores_codes_it_does_not_know_and_respects_top() -> None:
    hits = [hit(CODES[NURSE], 0.9), hit(CODES[NURSE], 0.5), hit("99-9999.00", 0.99)]
    out = rank.top_mean(hits, CODE_INDEX, len(CODES), top=1)
    assert out[NURSE] == pytest.approx(0.9)
    assert out.shape == (len(CODES),)


def test_top_mean_of_no_hits_is_all_zero() -> None:
    assert np.array_equal(rank.top_mean([], CODE_INDEX, len(CODES)), np.zeros(len(CODES)))


def test_sentence_alignment_rewards_occupations_that_match_every_sentence() -> None:
    rows = [
        [hit(CODES[NURSE], 0.8), hit(CODES[LPN], 0.9), hit(CODES[CASHIER], 0.2)],
        [hit(CODES[NURSE], 0.7), hit(CODES[NURSE], 0.75), hit(CODES[CASHIER], 0.3)],
    ]
    out = rank.sentence_alignment(rows, CODE_INDEX, len(CODES))
    assert out[NURSE] == pytest.approx((0.8 + 0.75) / 2)  # best hit of each sentence
    assert out[LPN] == pytest.approx((0.9 + 0.3) / 2)  # missing from sentence 2: that sentence's worst hit
    assert out[DRIVER] == pytest.approx((0.2 + 0.3) / 2)
    assert int(np.argmax(out)) == NURSE


def test_sentence_alignment_of_no_sentences_is_all_zero() -> None:
    assert np.array_equal(rank.sentence_alignment([], CODE_INDEX, 4), np.zeros(4))


# ----- confidence -------------------------------------------------------------------------------------------

def _confidences(fused: list[float], query: Query, title: list[float] | None = None) -> list[float]:
    scores = np.asarray(fused, dtype=np.float32)
    top = np.argsort(-scores)
    channels = {} if title is None else {"title": np.asarray(title, dtype=np.float32)}
    return rank.confidence(scores, top, channels, query)


QUERIES = [Query(title="Cashier"), Query(description="Scans groceries and takes payment."),
           Query(title="Cashier", description="Scans groceries and takes payment.")]


@pytest.mark.parametrize("query", QUERIES, ids=rank.query_mode)
@pytest.mark.parametrize("seed", range(5))
def test_confidence_is_a_probability(query: Query, seed: int) -> None:
    rng = np.random.default_rng(seed)
    fused = (rng.normal(size=40) * 10).tolist()
    title = rng.random(40).tolist()
    probs = _confidences(fused, query, title)
    assert len(probs) == 40
    assert all(0.0 <= p <= 1.0 for p in probs)


@pytest.mark.parametrize("query", QUERIES, ids=rank.query_mode)
def test_confidence_falls_with_rank_for_evenly_spaced_scores(query: Query) -> None:
    fused = [12.0, 9.0, 6.0, 3.0, 0.0, -3.0]
    probs = _confidences(fused, query, title=[0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    assert probs == sorted(probs, reverse=True)
    assert probs[0] > probs[-1]


@pytest.mark.parametrize("query", QUERIES, ids=rank.query_mode)
def test_a_lower_ranked_candidate_is_never_more_confident_than_one_above_it(query: Query) -> None:
    """Two close leaders then a drop (a common shape): the runner-up must not out-score the leader."""
    fused = [10.0, 9.9, 5.0, 4.0]
    probs = _confidences(fused, query, title=[0.8, 0.8, 0.5, 0.4])
    assert all(a >= b for a, b in zip(probs, probs[1:])), probs


def test_tied_candidates_get_the_same_confidence() -> None:
    probs = _confidences([3.0, 3.0, 1.0, 0.5], Query(title="Cashier"), title=[0.6, 0.6, 0.3, 0.2])
    assert probs[0] == pytest.approx(probs[1])


def test_confidences_of_one_answer_add_up_to_at_most_one() -> None:
    """Exactly one code is right, so the probabilities that each candidate is right cannot sum above 1."""
    fused = [30.0, 29.5, 29.0, 28.0, 5.0]  # the shape of a real "truck driver" answer: four close leaders
    probs = _confidences(fused, Query(title="Truck Driver"), title=[1.0, 0.9, 0.9, 0.8, 0.3])
    assert sum(probs) <= 1.0 + 1e-6, probs


@pytest.mark.parametrize("shown", [2, 4, 10, 40])
def test_a_runner_up_is_as_likely_however_many_candidates_are_shown(shown: int) -> None:
    """An unsure answer among many close ones: its runners-up must not each take a share of what it leaves
    as if the few shown were the only alternatives (four shown had each runner-up at the answer's own value)."""
    fused = np.linspace(10.0, 5.0, 300)  # 300 occupations, a flat slope: no clear winner
    order = np.argsort(-fused)
    many = rank.shared_confidence(0.12, fused, order[:40])
    few = rank.shared_confidence(0.12, fused, order[:shown])
    assert few == pytest.approx(many[:shown])
    assert all(v < 0.12 for v in few[1:]), few
    assert sum(many) <= 1.0 + 1e-9


def test_a_clear_winner_is_more_confident_than_a_narrow_one() -> None:
    query = Query(title="Cashier")
    clear = _confidences([12.0, 2.0, 1.0], query, title=[0.9, 0.4, 0.3])
    narrow = _confidences([12.0, 11.5, 1.0], query, title=[0.9, 0.85, 0.3])
    assert clear[0] > narrow[0]


def test_query_mode_follows_what_the_query_holds() -> None:
    assert rank.query_mode(Query(title="Cashier")) == "title"
    assert rank.query_mode(Query(description="Scans groceries")) == "description"
    assert rank.query_mode(Query(title="Cashier", description="Scans groceries")) == "title_description"
    assert rank.query_mode(Query(title="Cashier", industry="retail")) == "title"
