"""The dense channels computed from arrays (what a batch keeps) give, bit for bit, what a plain loop over
hit objects gives: the loops below are the channels' definitions, written the slow and obvious way."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval import rank
from retrieval.vector_store import Hit

CODES = [f"11-{i:04d}.00" for i in range(30)]
CODE_INDEX = {c: i for i, c in enumerate(CODES)}


def top_mean_by_loop(hits: list[Hit], n: int, top: int = 3) -> np.ndarray:
    out = np.zeros(n, dtype=np.float32)
    if not hits:
        return out
    floor = min(h.similarity for h in hits)
    sums = np.zeros(n, dtype=np.float32)
    counts = np.zeros(n, dtype=np.int32)
    for h in sorted(hits, key=lambda h: -h.similarity):
        i = CODE_INDEX.get(h.code)
        if i is not None and counts[i] < top:
            sums[i] += h.similarity
            counts[i] += 1
    present = counts > 0
    out[:] = floor
    out[present] = (sums[present] + (top - counts[present]) * floor) / top
    return out


def sentence_alignment_by_loop(rows: list[list[Hit]], n: int) -> np.ndarray:
    if not rows:
        return np.zeros(n, dtype=np.float32)
    total = np.zeros(n, dtype=np.float32)
    for hits in rows:
        if not hits:
            continue
        best = np.full(n, min(h.similarity for h in hits), dtype=np.float32)
        for h in hits:
            i = CODE_INDEX.get(h.code)
            if i is not None and h.similarity > best[i]:
                best[i] = h.similarity
        total += best
    return total / len(rows)


def random_hits(rng: np.random.Generator, size: int) -> list[Hit]:
    """Hits as a vector store returns them: best first, with ties, repeats of an occupation, unknown codes."""
    sims = np.sort(rng.choice(np.round(rng.uniform(0.1, 0.9, size), 2), size))[::-1]
    codes = rng.choice(CODES[:12] + ["99-9999.00"], size)
    return [Hit(f"{c}:k{j}", str(c), "task", "", float(s)) for j, (c, s) in enumerate(zip(codes, sims))]


@pytest.mark.parametrize("seed", range(40))
def test_top_mean_from_arrays_is_the_loop_bit_for_bit(seed: int) -> None:
    rng = np.random.default_rng(seed)
    hits = random_hits(rng, int(rng.integers(0, 70)))
    top = int(rng.integers(1, 5))
    codes, sims = rank.hit_arrays(hits, CODE_INDEX)
    expected = top_mean_by_loop(hits, len(CODES), top)
    assert np.array_equal(rank.top_mean_indexed(codes, sims, len(CODES), top), expected)
    assert np.array_equal(rank.top_mean(hits, CODE_INDEX, len(CODES), top), expected)


@pytest.mark.parametrize("seed", range(40))
def test_sentence_alignment_from_arrays_is_the_loop_bit_for_bit(seed: int) -> None:
    rng = np.random.default_rng(seed)
    rows = [random_hits(rng, int(rng.integers(0, 30))) for _ in range(int(rng.integers(0, 5)))]
    expected = sentence_alignment_by_loop(rows, len(CODES))
    assert np.array_equal(rank.sentence_alignment(rows, CODE_INDEX, len(CODES)), expected)
    indexed = rank.sentence_alignment_indexed([rank.hit_arrays(r, CODE_INDEX) for r in rows], len(CODES))
    assert np.array_equal(indexed, expected)


def test_an_unknown_code_lowers_the_floor_but_scores_nothing() -> None:
    hits = [Hit("11-0000.00:k0", "11-0000.00", "task", "", 0.8), Hit("99-9999.00:k0", "99-9999.00", "task", "", 0.2)]
    out = rank.top_mean(hits, CODE_INDEX, len(CODES), top=2)
    assert out[0] == pytest.approx((0.8 + 0.2) / 2)
    assert out[1] == pytest.approx(0.2)


def test_a_search_by_ids_finds_what_the_hit_search_finds(fixture_release, fixture_taxonomy, tmp_path) -> None:
    from retrieval.engine import Engine

    engine = Engine.open(fixture_release, fixture_taxonomy, tmp_path, progress=False)
    vectors = engine.embedder.embed(["registered nurse", "rings up purchases at the register", "sews garments"])
    for n in (1, 5, 60):
        hits = engine._store.query(vectors, n, ids_only=True)
        found = engine._store.query_ids(vectors, n)
        assert [ids for ids, _ in found] == [[h.id for h in row] for row in hits]
        assert [sims.tolist() for _, sims in found] == [[h.similarity for h in row] for row in hits]
    assert engine._store.query_ids(vectors[:0], 5) == []


def test_standardised_channels_are_worked_out_on_first_read_with_the_same_numbers(monkeypatch) -> None:
    rng = np.random.default_rng(7)
    channels = {"title": rng.random(600).astype(np.float32), "title_exact": (rng.random(600) > 0.99).astype(np.float32),
                "title_exact_share": np.zeros(600, dtype=np.float32), "breadth": rng.random(600).astype(np.float32)}
    eager = {name: v if name in rank.RAW_CHANNELS else rank.standardise(v) for name, v in channels.items()}
    computed: list[int] = []
    standardise = rank.standardise
    monkeypatch.setattr(rank, "standardise", lambda v: computed.append(1) or standardise(v))
    lazy = rank.standardise_all(channels, {"breadth": eager["breadth"]})
    fused = rank.fuse(channels, {"title": 2.0, "title_exact": 15.0, "breadth": 0.5}, lazy)
    assert len(computed) == 1  # the title only: the flag is raw, breadth was known, the share is not weighed
    assert np.array_equal(fused, 2.0 * eager["title"] + 15.0 * eager["title_exact"] + 0.5 * eager["breadth"])
    assert set(lazy) == set(channels) and "title_exact_share" in lazy
    assert all(np.array_equal(lazy[name], eager[name]) for name in channels)
