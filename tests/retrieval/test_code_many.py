"""`Engine.code_many`: the answer `code` gives for each job, with the dense work done in batches."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from retrieval.engine import Engine
from retrieval.models import CodingResult

SHARED_EVAL = Path(__file__).parents[2].parent / "shared" / "eval"

JOBS = [
    {"title": "Staff Nurse"},
    {"title": "staff   nurse"},  # the same job once whitespace is folded
    {"title": "Staff Nurse", "industry": "hospital"},
    {"title": "cashier", "description": "Rings up purchases and takes payment at the register. Counts the till."},
    {"description": "Operates a zigzag sewing machine to join parts of garments. Trims loose threads."},
    {"title": "LPN"},
    {"title": "Staff Nurse"},
    {"title": "   ", "description": None},
    {"industry": "bank"},
]


@pytest.fixture(scope="module")
def engine(fixture_release: Path, fixture_taxonomy: Path, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return Engine.open(fixture_release, fixture_taxonomy, tmp_path_factory.mktemp("many-home"), progress=False)


def answer(result: CodingResult) -> list[tuple]:
    """Everything a caller sees except the timing."""
    return [(c.code, c.score, c.confidence, c.channels, [m.model_dump() for m in c.evidence])
            for c in result.candidates] + [result.query.model_dump()]


def test_each_answer_is_the_one_code_gives_alone(engine: Engine) -> None:
    together = engine.code_many(JOBS, k=5)
    assert len(together) == len(JOBS)
    for job, result in zip(JOBS, together):
        assert answer(result) == answer(engine.code(**job, k=5)), job
    assert together[0].candidates[0].code == "29-1141.00"
    assert together[-2].candidates == []  # nothing to code


def test_the_dense_work_is_batched_and_repeats_are_ranked_once(engine: Engine, monkeypatch) -> None:
    embed_calls: list[int] = []
    store_calls: list[int] = []
    codes: list[tuple] = []
    embed, query, query_ids = engine._embedder.embed, engine._store.query, engine._store.query_ids
    channels = engine._channels

    def counted_embed(texts, *args, **kwargs):
        embed_calls.append(len(texts))
        return embed(texts, *args, **kwargs)

    def counted_query(vectors, n, *args, **kwargs):
        store_calls.append(len(vectors))
        return query(vectors, n, *args, **kwargs)

    def counted_query_ids(vectors, n):
        store_calls.append(len(vectors))
        return query_ids(vectors, n)

    def counted_channels(*args, **kwargs):
        codes.append(args)
        return channels(*args, **kwargs)

    monkeypatch.setattr(engine._embedder, "embed", counted_embed)
    monkeypatch.setattr(engine._store, "query", counted_query)
    monkeypatch.setattr(engine._store, "query_ids", counted_query_ids)
    monkeypatch.setattr(engine, "_channels", counted_channels)
    titles = [f"nurse {i}" for i in range(40)] * 3
    results = engine.code_many([{"title": t} for t in titles], k=3)
    assert len(results) == 120
    assert embed_calls == [40]  # one call for every distinct text
    assert store_calls == [40]  # one search call for the title vectors
    assert len(codes) == 40  # each distinct job ranked once
    assert all(results[i] is results[i + 40] for i in range(40))


def test_precomputed_vectors_are_the_ones_the_embedder_gives_one_at_a_time(engine: Engine) -> None:
    texts = ["registered nurse", "cashier at a grocery store", "operates zigzag sewing machine to join garment parts"]
    alone = np.vstack([engine._embedder.embed([t]) for t in texts])
    assert np.array_equal(alone, engine._embedder.embed(texts))


@pytest.mark.real_data
def test_dev_set_rows_get_the_same_answers_from_the_real_engine(real_engine: Engine) -> None:
    if not SHARED_EVAL.is_dir():
        pytest.skip("dev sets not found")
    acs = [json.loads(line) for line in (SHARED_EVAL / "acs2009_dev.jsonl").open()][:120]
    dot = [json.loads(line) for line in (SHARED_EVAL / "dot1991_dev.jsonl").open()][:30]
    jobs = [{"title": c["title"], "industry": c["industry"]} for c in acs]
    jobs += [{"description": c["description"], "industry": c["industry"]} for c in dot[:15]]
    jobs += [{"title": c["title"], "description": c["description"]} for c in dot[15:]]
    together = real_engine.code_many(jobs, k=5)
    bare = real_engine.code_many(jobs, k=5, evidence=False)
    alone = [real_engine.code(**job, k=5) for job in jobs]
    assert [job for job, a, b in zip(jobs, together, alone) if answer(a) != answer(b)] == []

    def ranking(result: CodingResult) -> list[tuple]:
        return [(c.code, c.score, c.confidence, c.channels) for c in result.candidates]

    assert [job for job, a, b in zip(jobs, bare, alone) if ranking(a) != ranking(b)] == []


def test_leaving_evidence_out_keeps_the_ranking(engine: Engine) -> None:
    full = engine.code_many(JOBS, k=4)
    bare = engine.code_many(JOBS, k=4, evidence=False)
    for a, b in zip(full, bare):
        assert [(c.code, c.score, c.confidence) for c in a.candidates] == [
            (c.code, c.score, c.confidence) for c in b.candidates]
        assert all(c.evidence == [] for c in b.candidates)
