"""The batched primitives give, bit for bit, what their one-query definitions give: the compiled title
scores against SciPy's sparse product and `lexical.group_top`, standardising many rows against the
one-row formula, and the confidence model over stacked rows against one row at a time."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from retrieval import confidence as conf
from retrieval import kernels, rank
from retrieval.engine import Engine
from retrieval.lexical import TITLE_POOL, TitleDoc, TitleIndex, group_top
from retrieval.normalize import normalize_title

TITLES = ["Staff Nurse", "staff nurse", "LPN", "Registered Nurse RN", "nurse", "cashier", "cahsier grocery",
          "Sewing Machine Operator", "operator", "zzzz qqqq", "", "   ", "a", "Truck driver, heavy",
          "Chief Executive Officer", "sales", "Retail Sales Clerk", "nurse nurse nurse"]


@pytest.fixture(scope="module")
def engine(fixture_release: Path, fixture_taxonomy: Path, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return Engine.open(fixture_release, fixture_taxonomy, tmp_path_factory.mktemp("batched-home"), progress=False)


def scipy_similarities(index: TitleIndex, title: str) -> np.ndarray:
    """The title similarity as it was first written: SciPy's product of the query's TF-IDF columns."""
    query = normalize_title(title)
    parts = []
    # scikit-learn's own char_wb analyzer, independent of the index's n-gram function
    char_wb = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4)).build_analyzer()
    for analyzer, vocabulary, idf, matrix in ((char_wb, index.char_vocabulary, index.char_idf, index.char_matrix),
                                              (str.split, index.word_vocabulary, index.word_idf, index.word_matrix)):
        counts: dict[int, int] = {}
        for gram in analyzer(query) if query else []:
            j = vocabulary.get(gram)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        if not counts:
            parts.append(np.zeros(matrix.shape[0], dtype=np.float32))
            continue
        cols = np.fromiter(counts.keys(), dtype=np.int64)
        tf = np.fromiter(counts.values(), dtype=np.float32)
        weights = (1.0 + np.log(tf)) * idf[cols].astype(np.float32)
        weights /= np.linalg.norm(weights)
        parts.append(np.asarray(matrix[:, cols] @ weights, dtype=np.float32).ravel())
    return 0.5 * parts[0] + 0.5 * parts[1]


def test_compiled_similarities_are_scipys_bit_for_bit(engine: Engine) -> None:
    index = engine._state.titles
    for title in TITLES:
        assert np.array_equal(index.similarities(title), scipy_similarities(index, title)), title


def test_batched_title_scores_are_group_top_of_each_title_bit_for_bit(engine: Engine) -> None:
    index = engine._state.titles
    best, support, best_doc = index.occupation_scores_many(TITLES)
    assert best.shape == (len(TITLES), index.n_codes)
    for r, title in enumerate(TITLES):
        one = group_top(scipy_similarities(index, title), index.doc_codes, index.n_codes, 3, TITLE_POOL)
        assert np.array_equal(best[r], one[0]) and np.array_equal(support[r], one[1]), title
        assert np.array_equal(best_doc[r], one[2]), title
    nurse = TITLES.index("Staff Nurse")
    top = int(np.argmax(best[nurse]))
    assert best[nurse, top] == pytest.approx(1.0) and index.docs[best_doc[nurse, top]].normalized == "staff nurse"


def test_the_pool_keeps_every_score_tied_with_its_last_member() -> None:
    """No arbitrary choice among ties: with a pool of two, all three scores tied for second place count."""
    scores = np.array([0.9, 0.5, 0.5, 0.5, 0.2], dtype=np.float32)
    groups = np.array([0, 1, 1, 2, 2])
    best, mean, best_doc = group_top(scores, groups, 3, 3, 2)
    assert best.tolist() == pytest.approx([0.9, 0.5, 0.5])
    assert mean.tolist() == pytest.approx([0.3, 1.0 / 3, 0.5 / 3])  # the 0.2 is outside the pool
    assert best_doc.tolist() == [0, 1, 3]


def random_index(rng: np.random.Generator, n_codes: int = 40, n_docs: int = 900) -> TitleIndex:
    """Titles from a small vocabulary, so that many documents share a score (ties everywhere)."""
    words = ["nurse", "staff", "sales", "clerk", "driver", "truck", "chief", "officer", "senior", "aide", "cook",
             "line", "lead", "night"]
    docs, seen = [], set()
    for _ in range(n_docs):
        code = int(rng.integers(0, n_codes))
        text = " ".join(rng.choice(words, int(rng.integers(1, 4))))
        if (code, text) not in seen:
            seen.add((code, text))
            docs.append(TitleDoc(code, "alternate_title", text, normalize_title(text)))
    return TitleIndex(sorted(docs, key=lambda d: d.code_index), n_codes)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("pool", [5, 40, 200, 5000])
def test_title_scores_with_many_ties_and_small_pools_match_group_top(seed: int, pool: int) -> None:
    rng = np.random.default_rng(seed)
    index = random_index(rng)
    titles = ["nurse", "staff nurse", "truck driver", "senior sales clerk", "night", "lead cook aide", "zzz"]
    c = index.compiled
    best, mean, best_doc = kernels.title_scores(*index._queries(titles), c.doc_codes, index.n_codes, 3, pool)
    for r, title in enumerate(titles):
        one = group_top(index.similarities(title), index.doc_codes, index.n_codes, 3, pool)
        assert np.array_equal(best[r], one[0]) and np.array_equal(mean[r], one[1]), (title, pool)
        assert np.array_equal(best_doc[r], one[2]), (title, pool)
    many = index.occupation_scores_many(titles)
    for r, title in enumerate(titles):
        one = group_top(index.similarities(title), index.doc_codes, index.n_codes, 3, TITLE_POOL)
        assert all(np.array_equal(a[r], b) for a, b in zip(many, one)), title


def standardise_by_formula(scores: np.ndarray) -> np.ndarray:
    """`rank.standardise` as written for one channel, before rows were batched."""
    scores = np.asarray(scores, dtype=np.float32)
    n = scores.shape[0]
    if n == 0:
        return scores
    floor = np.partition(scores, max(0, n - 200))[max(0, n - 200)] if n > 200 else scores.min()
    clipped = np.maximum(scores, floor)
    head = np.partition(clipped, max(0, n - 50))[max(0, n - 50):] if n > 50 else clipped
    spread = float(head.std())
    if spread < 1e-6:
        return np.zeros_like(clipped)
    spread = max(spread, float((head.mean() - floor) / np.float32(rank._LEAST_SPREAD)))  # a near-flat head
    return (clipped - float(head.mean())) / spread


@pytest.mark.parametrize("n", [1, 7, 50, 51, 200, 201, 1016])
def test_standardising_many_rows_is_each_row_alone_bit_for_bit(n: int) -> None:
    rng = np.random.default_rng(n)
    rows = [rng.random(n), np.round(rng.random(n), 1), np.where(rng.random(n) < 0.8, 0.0, rng.random(n)),
            np.full(n, 0.25), rng.normal(size=n) * 40]
    matrix = np.array(rows, dtype=np.float32)
    together = rank.standardise_rows(matrix)
    for row, out in zip(matrix, together):
        assert np.array_equal(out, standardise_by_formula(row))
        assert np.array_equal(rank.standardise(row), out)
    assert not together[3].any()  # a flat channel gives zeros


def test_the_confidence_model_over_stacked_rows_is_each_row_alone() -> None:
    """The trees give each row bit for bit what it gets alone; the linear model's matrix product may sum a
    stacked row in another order (BLAS), which moves a probability by ~1e-16, far below the 4 decimals shown."""
    rng = np.random.default_rng(3)
    names = conf.feature_names()
    X = rng.normal(size=(60, len(names))) * 2
    modes = ["title", "description", "title_description", "no such mode"] * 15
    together = conf.top_probabilities(X, modes)
    alone = np.array([conf.top_probability(x, mode) for x, mode in zip(X, modes)])
    assert np.abs(together - alone).max() < 1e-12
    assert len(set(np.round(alone, 3))) > 20  # the rows really differ
    for mode, model in conf.models().items():
        rows = [r for r, m in enumerate(modes) if m == mode]
        assert np.array_equal(model.trees.raw(X[rows]), np.array([model.trees.raw(X[r])[0] for r in rows]))


def test_a_batch_ranks_each_job_as_code_does_alone(engine: Engine) -> None:
    jobs = [{"title": t} for t in TITLES] + [{"title": "cashier", "description": "Rings up sales. Counts the till."},
                                             {"description": "Sews garments on a zigzag machine."},
                                             {"title": "nurse", "industry": "hospital"}]
    together = engine.code_many(jobs, k=4, evidence=False)
    for job, result in zip(jobs, together):
        alone = engine.code(**job, k=4, evidence=False)
        assert [(c.code, c.score, c.confidence, c.channels) for c in result.candidates] == [
            (c.code, c.score, c.confidence, c.channels) for c in alone.candidates], job


@pytest.mark.parametrize("seed", range(5))
def test_candidates_tied_with_the_top_share_its_probability_as_isclose_says(seed: int) -> None:
    rng = np.random.default_rng(seed)
    first = float(rng.normal() * 10)
    gaps = [0.0, 1e-9, 5e-6 * abs(first), 2e-5 * abs(first) + 1e-7, 0.5, 2.0]
    fused = np.array([first - g for g in gaps], dtype=np.float64)
    top = np.arange(len(gaps))
    out = rank.shared_confidence(0.9, fused, top)
    tied = int(np.sum(np.isclose(fused, fused[0])))
    assert tied >= 2 and out[:tied] == [pytest.approx(0.9 / tied)] * tied
    assert all(v < out[0] for v in out[tied:])
