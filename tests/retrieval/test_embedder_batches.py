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


def _recording(embedder: MiniLMEmbedder, monkeypatch) -> list[tuple[object, int]]:
    """(session, rows) of each encoder call the embedder makes from now on."""
    calls: list[tuple[object, int]] = []
    encode = embedder._embed_encoded
    monkeypatch.setattr(embedder, "_embed_encoded",
                        lambda encs, session: calls.append((session, len(encs))) or encode(encs, session))
    return calls


def test_many_batches_are_spread_over_one_thread_sessions_with_the_same_vectors(alone, monkeypatch) -> None:
    """An index build embeds thousands of small batches: each of two single-thread sessions takes the next
    batch, and every text still gets the vector it gets alone, in its own row."""
    embedder = MiniLMEmbedder(threads=2, batch_size=1)
    calls = _recording(embedder, monkeypatch)
    texts = (SHORT + LONG) * 2
    vectors = embedder.embed(texts, progress=True)
    assert all(np.array_equal(v, alone[t]) for t, v in zip(texts, vectors))
    assert len(calls) == len(texts)
    sessions = {id(s): s for s, _ in calls}.values()
    assert len(sessions) == 2
    assert all(s.get_session_options().intra_op_num_threads == 1 for s in sessions)


def test_one_batch_of_sentences_is_cut_in_two_for_the_two_sessions(alone, monkeypatch) -> None:
    """A description's sentences fit one batch; the two cores each embed part of it (the long texts in the
    smaller part, so both parts cost about as much), and the vectors are still those of each text alone."""
    embedder = MiniLMEmbedder(threads=2)
    calls = _recording(embedder, monkeypatch)
    texts = SHORT + LONG
    vectors = embedder.embed(texts)
    assert all(np.array_equal(v, alone[t]) for t, v in zip(texts, vectors))
    assert len({id(s) for s, _ in calls}) == 2
    assert sorted(rows for _, rows in calls) == [3, 6]  # three long texts cost about what six short ones do


def test_a_single_text_is_one_call_on_one_session_and_opens_no_other(monkeypatch) -> None:
    """A process that answers titles opens one session (a warm start pays for one); the second opens with the
    first call that has work for two."""
    embedder = MiniLMEmbedder(threads=2)
    calls = _recording(embedder, monkeypatch)
    embedder.embed(["registered nurse"])
    assert len(calls) == 1 and calls[0][1] == 1
    assert len(embedder._opened) == 1
    embedder.embed(SHORT + LONG)
    assert len(embedder._opened) == 2


def test_the_int8_query_copy_gives_each_sentence_its_own_vector_when_a_batch_is_cut(tmp_path) -> None:
    queries = MiniLMEmbedder(threads=2, int8_queries=True, cache_dir=tmp_path).for_queries()
    texts = SHORT + LONG
    one = MiniLMEmbedder(threads=1, int8_queries=True, cache_dir=tmp_path).for_queries()
    assert np.array_equal(queries.embed(texts), np.vstack([one.embed([t]) for t in texts]))


@pytest.mark.parametrize("threads", [1, 2])
def test_texts_of_one_batch_each_get_their_own_vector_on_any_number_of_sessions(alone, threads: int) -> None:
    """One session (`oca batch` runs each embedder on one thread) takes the whole batch, in length order; each
    vector still lands in its text's row."""
    texts = [LONG[0], "nurse", LONG[1], "cashier", "truck driver"]
    vectors = MiniLMEmbedder(threads=threads).embed(texts)
    assert all(np.array_equal(v, alone[t]) for t, v in zip(texts, vectors))
