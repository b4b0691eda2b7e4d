"""BM25 scores summed by the compiled postings loop are bm25s's own, number for number."""

from __future__ import annotations

import bm25s
import numpy as np
import pytest

from retrieval.lexical import OccupationBM25, bm25_scores
from retrieval.normalize import text_tokens

DOCUMENTS = [
    "Registered nurses assess patient health problems and needs and administer nursing care.",
    "Licensed practical nurses care for ill, injured, or convalescing patients under the direction of nurses.",
    "Cashiers receive and disburse money in establishments other than financial institutions.",
    "Heavy and tractor-trailer truck drivers drive a tractor-trailer combination or a truck.",
    "Sewing machine operators operate or tend sewing machines to join, reinforce, decorate garments.",
    "Welders weld or join metal parts; they may cut, braze, or solder metal.",
]
QUERIES = [
    "nurse",
    "gives medications to patients and supervises nurses' aides on the ward",
    "truck truck truck driver",  # a word given three times counts three times
    "operates zigzag sewing machine to join garments",
    "astronaut",  # no word in the vocabulary
]


@pytest.mark.parametrize(("k1", "b"), [(1.5, 0.75), (1.2, 0.3)])
def test_postings_sums_equal_bm25s_scores_exactly(k1: float, b: float) -> None:
    model = bm25s.BM25(k1=k1, b=b)
    model.index([text_tokens(d) for d in DOCUMENTS], show_progress=False)
    for query in QUERIES:
        tokens = text_tokens(query)
        ours = bm25_scores(model, tokens)
        assert ours.dtype == np.float32
        assert np.array_equal(ours, model.get_scores(tokens)), query
    assert bm25_scores(model, []).tolist() == [0.0] * len(DOCUMENTS)


def test_occupation_bm25_ranks_by_the_words_a_description_shares() -> None:
    index = OccupationBM25([text_tokens(d) for d in DOCUMENTS])
    scores = index.scores("Drives a tractor-trailer truck over long distances")
    assert int(np.argmax(scores)) == 3
    assert index.scores("astronaut").tolist() == [0.0] * len(DOCUMENTS)
