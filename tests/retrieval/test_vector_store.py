"""The chroma-backed index with the real packaged model: ranking, kind filters, persistence, staleness."""

from __future__ import annotations

import socket
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from chromadb.api.shared_system_client import SharedSystemClient
from chromadb.utils.embedding_functions.onnx_mini_lm_l6_v2 import ONNXMiniLM_L6_V2

import retrieval.vector_store as vector_store
from retrieval.embedder import MiniLMEmbedder
from retrieval.errors import IndexError_
from retrieval.vector_store import IndexDoc, VectorStore

NURSE, TRUCKER, DEVELOPER = "29-1141.00", "53-3032.00", "15-1252.00"
DOCS = [
    IndexDoc("title:" + NURSE, "Registered Nurses", NURSE, "title"),
    IndexDoc("title:" + TRUCKER, "Heavy and Tractor-Trailer Truck Drivers", TRUCKER, "title"),
    IndexDoc("title:" + DEVELOPER, "Software Developers", DEVELOPER, "title"),
    IndexDoc("alt:" + NURSE, "Staff Nurse", NURSE, "alt_title"),
    IndexDoc("alt:" + TRUCKER, "Long Haul Trucker", TRUCKER, "alt_title"),
    IndexDoc("task:" + NURSE, "Monitor, record, and report symptoms or changes in patients' conditions.", NURSE, "task"),
    IndexDoc("task:" + TRUCKER, "Drive tractor-trailer combinations to transport goods over long distances.", TRUCKER, "task"),
    IndexDoc("task:" + DEVELOPER, "Write, update, and maintain computer programs or software packages.", DEVELOPER, "task"),
]


@pytest.fixture(scope="module")
def embedder() -> MiniLMEmbedder:
    return MiniLMEmbedder()


@pytest.fixture
def manifest(embedder: MiniLMEmbedder) -> dict[str, Any]:
    return {"release": "O*NET 29.3", "embedder": embedder.name, "schema": "3"}


@pytest.fixture(autouse=True)
def no_default_embedder(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chroma's default embedder downloads a model: fail loudly if anything reaches for it."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("chroma's default embedder was used")

    monkeypatch.setattr(ONNXMiniLM_L6_V2, "__init__", refuse)


@pytest.fixture
def store(tmp_path: Path, embedder: MiniLMEmbedder, manifest: dict[str, Any]) -> VectorStore:
    built = VectorStore.open(tmp_path / "index", embedder)
    built.rebuild(DOCS, manifest, progress=False)
    return built


def _codes(hits: Sequence[vector_store.Hit]) -> list[str]:
    return [h.code for h in hits]


def test_best_match_comes_first(store: VectorStore) -> None:
    by_text = store.query_texts(["writes code for software applications", "long distance lorry driver"], n=3)
    assert _codes(by_text[0])[0] == DEVELOPER
    assert _codes(by_text[1])[0] == TRUCKER
    assert all(len(row) == 3 for row in by_text)


def test_documents_reads_the_texts_of_hits_found_by_id(store: VectorStore) -> None:
    found = store.query_texts(["writes code for software applications"], n=3)[0]
    by_id = store.query(store.embedder.embed(["writes code for software applications"]), n=3, ids_only=True)[0]
    assert [h.id for h in by_id] == [h.id for h in found] and not any(h.text for h in by_id)
    texts = store.documents([h.id for h in by_id] + ["no-such:k0"])
    assert texts == {h.id: h.text for h in found}  # unknown ids are left out


def test_similarity_is_cosine_and_sorted(store: VectorStore, embedder: MiniLMEmbedder) -> None:
    query = embedder.embed(["hospital nurse"])[0]
    hits = store.query(query, n=len(DOCS))[0]
    assert len(hits) == len(DOCS)
    assert [h.similarity for h in hits] == sorted((h.similarity for h in hits), reverse=True)
    best = hits[0]
    assert best.code == NURSE
    expected = float(embedder.embed([best.text])[0] @ query)
    assert best.similarity == pytest.approx(expected, abs=1e-4)


def test_kinds_filter_hits(store: VectorStore) -> None:
    tasks = store.query_texts(["nurse"], n=10, kinds=["task"])[0]
    assert {h.kind for h in tasks} == {"task"} and len(tasks) == 3
    assert tasks[0].text.startswith("Monitor, record")
    titles = store.query_texts(["truck driver"], n=10, kinds=["title", "alt_title"])[0]
    assert {h.kind for h in titles} == {"title", "alt_title"} and len(titles) == 5
    assert _codes(titles)[:2] == [TRUCKER, TRUCKER]
    assert store.query_texts(["nurse"], n=10, kinds=["dwa"]) == [[]]


def test_index_survives_reopening_from_disk(
    tmp_path: Path, store: VectorStore, embedder: MiniLMEmbedder, manifest: dict[str, Any]
) -> None:
    SharedSystemClient.clear_system_cache()  # otherwise the "new" client shares the old one's memory
    reopened = VectorStore.open(tmp_path / "index", embedder)
    assert reopened.count() == len(DOCS)
    assert reopened.manifest() == manifest
    assert reopened.is_current({**manifest, "count": len(DOCS)})
    assert _codes(reopened.query_texts(["staff nurse on a hospital ward"], n=1)[0]) == [NURSE]


def test_is_current_only_for_the_same_build(
    tmp_path: Path, embedder: MiniLMEmbedder, manifest: dict[str, Any]
) -> None:
    fresh = VectorStore.open(tmp_path / "index", embedder)
    assert not fresh.is_current(manifest)
    assert fresh.count() == 0 and fresh.manifest() == {}
    fresh.rebuild(DOCS, manifest, progress=False)
    assert fresh.is_current(manifest)
    assert fresh.is_current({**manifest, "count": len(DOCS)})
    assert not fresh.is_current({**manifest, "count": len(DOCS) + 1})
    assert not fresh.is_current({**manifest, "embedder": "openai:text-embedding-3-small"})
    assert not fresh.is_current({**manifest, "release": "O*NET 30.0"})
    assert not fresh.is_current({**manifest, "extra": "key"})


def test_rebuild_replaces_the_previous_index(store: VectorStore, manifest: dict[str, Any]) -> None:
    store.rebuild(DOCS[:2], {**manifest, "release": "O*NET 30.0"}, progress=False)
    assert store.count() == 2 and store.kinds == ["title"]
    assert store.manifest()["release"] == "O*NET 30.0"
    assert store.query_texts(["nurse"], n=5, kinds=["task"]) == [[]]


class _FailingEmbedder:
    """Dies after its first batch, like a build interrupted halfway."""

    def __init__(self, inner: MiniLMEmbedder) -> None:
        self.name, self.dim, self._inner, self._calls = inner.name, inner.dim, inner, 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self._calls += 1
        if self._calls > 1:
            raise KeyboardInterrupt
        return self._inner.embed(texts)


def test_interrupted_rebuild_reads_as_stale(
    tmp_path: Path,
    store: VectorStore,
    embedder: MiniLMEmbedder,
    manifest: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(vector_store, "MAX_CHUNK", 2)
    broken = VectorStore.open(tmp_path / "index", _FailingEmbedder(embedder))  # type: ignore[arg-type]
    with pytest.raises(KeyboardInterrupt):
        broken.rebuild(DOCS, manifest, progress=False)
    reopened = VectorStore.open(tmp_path / "index", embedder)
    assert not reopened.is_current(manifest)
    with pytest.raises(IndexError_, match="rebuild"):
        reopened.query_texts(["nurse"], n=1)


def test_rebuild_rejects_bad_input(tmp_path: Path, embedder: MiniLMEmbedder, manifest: dict[str, Any]) -> None:
    store = VectorStore.open(tmp_path / "index", embedder)
    with pytest.raises(IndexError_, match="unique"):
        store.rebuild([DOCS[0], DOCS[0]], manifest, progress=False)
    with pytest.raises(IndexError_, match="nested"):
        store.rebuild(DOCS, {**manifest, "nested": {"a": 1}}, progress=False)
    with pytest.raises(IndexError_, match="kinds"):
        store.rebuild([IndexDoc("x", "Nurse", NURSE, "alt title")], manifest, progress=False)


def test_open_needs_somewhere_to_keep_the_index(embedder: MiniLMEmbedder) -> None:
    with pytest.raises(IndexError_, match="index directory"):
        VectorStore.open(None, embedder)


def test_unreachable_chroma_server_is_a_clear_error(embedder: MiniLMEmbedder) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(IndexError_, match=f"127.0.0.1:{port}"):
        VectorStore.open(None, embedder, chroma_url=f"http://127.0.0.1:{port}")


def test_a_build_spreads_the_embedding_over_one_thread_sessions_and_stores_each_texts_own_vector(
        tmp_path: Path, manifest: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """`oca index` embeds on two single-thread sessions (faster on two cores); what it stores is the vector each
    text gets alone."""
    embedder = MiniLMEmbedder(threads=2, batch_size=1)
    sessions: set[int] = set()
    encode = embedder._embed_encoded
    monkeypatch.setattr(embedder, "_embed_encoded",
                        lambda encs, session: sessions.add(id(session)) or encode(encs, session))
    built = VectorStore.open(tmp_path / "index", embedder)
    built.rebuild(DOCS, manifest, progress=False)
    assert len(sessions) == 2
    alone = MiniLMEmbedder(threads=1)
    for kind in ("title", "alt_title", "task"):
        ids = [d.id for d in DOCS if d.kind == kind]
        stored = built.vectors(ids, kind)
        expected = np.vstack([alone.embed([d.text])[0] for d in DOCS if d.kind == kind])
        np.testing.assert_allclose(stored, expected, atol=1e-6)
