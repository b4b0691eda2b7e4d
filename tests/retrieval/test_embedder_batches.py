"""MiniLM batches by a budget of padded tokens: long texts go in small batches, short ones in large, and a
text's vector is the one it gets alone."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.embedder import MiniLMEmbedder

SHORT = ["nurse", "cashier", "welder", "truck driver", "registered nurse", "cook"]
LONG = [
    "Operates a zigzag sewing machine to join parts of garments, trims loose threads and inspects seams for "
    "defects before passing the work to the presser.",
    "Rings up purchases at the register, takes cash and card payments, counts the till at the end of the "
    "shift and helps customers find what they came in for.",
    "Drives a tractor-trailer over long distances, inspects the truck before each trip, keeps a log of hours "
    "and loads and unloads freight at the docks.",
]


@pytest.fixture(scope="module")
def alone() -> dict[str, np.ndarray]:
    one = MiniLMEmbedder(batch_size=1)
    return {t: one.embed([t])[0] for t in SHORT + LONG}


def test_a_small_budget_splits_long_texts_and_gives_the_same_vectors(alone: dict[str, np.ndarray], monkeypatch) -> None:
    embedder = MiniLMEmbedder(batch_tokens=64)
    shapes: list[tuple[int, int]] = []
    encode = embedder._embed_encoded

    def recorded(encodings, session):
        shapes.append((len(encodings), max(len(e.ids) for e in encodings)))
        return encode(encodings, session)

    monkeypatch.setattr(embedder, "_embed_encoded", recorded)
    texts = LONG[:1] + SHORT + LONG[1:]
    vectors = embedder.embed(texts)
    assert all(np.array_equal(v, alone[t]) for t, v in zip(texts, vectors))
    assert all(rows == 1 or rows * width <= 64 for rows, width in shapes)
    assert [rows for rows, _ in shapes][-1] == 1  # each long text alone
    assert shapes[0][0] == len(SHORT)  # the short ones together
    assert sum(rows for rows, _ in shapes) == len(texts)


def test_the_batch_size_still_caps_a_batch_of_short_texts(monkeypatch) -> None:
    embedder = MiniLMEmbedder(batch_size=4)
    sizes: list[int] = []
    encode = embedder._embed_encoded
    monkeypatch.setattr(embedder, "_embed_encoded", lambda encs, session: sizes.append(len(encs)) or encode(encs, session))
    embedder.embed(SHORT * 3)
    assert sizes == [4, 4, 4, 4, 2]


def test_many_batches_are_spread_over_one_thread_sessions_with_the_same_vectors(alone, monkeypatch) -> None:
    """An index build embeds thousands of small batches: each of two single-thread sessions takes the next
    batch, and every text still gets the vector it gets alone, in its own row."""
    embedder = MiniLMEmbedder(threads=2, batch_size=1)
    used: list[object] = []
    encode = embedder._embed_encoded
    monkeypatch.setattr(embedder, "_embed_encoded", lambda encs, session: used.append(session) or encode(encs, session))
    texts = (SHORT + LONG) * 2
    with embedder.bulk():
        vectors = embedder.embed(texts, progress=True)
    assert embedder._singles is None  # closed after the build
    assert all(np.array_equal(v, alone[t]) for t, v in zip(texts, vectors))
    assert len(used) == len(texts)
    sessions = {id(s): s for s in used}.values()
    assert len(sessions) == 2
    assert all(s.get_session_options().intra_op_num_threads == 1 for s in sessions)


def test_outside_a_build_every_batch_goes_to_the_one_session_of_two_threads(monkeypatch) -> None:
    embedder = MiniLMEmbedder(threads=2, batch_size=1)
    used: list[object] = []
    encode = embedder._embed_encoded
    monkeypatch.setattr(embedder, "_embed_encoded", lambda encs, session: used.append(session) or encode(encs, session))
    embedder.embed((SHORT + LONG) * 2)
    assert len({id(s) for s in used}) == 1
    assert used[0].get_session_options().intra_op_num_threads == 2
