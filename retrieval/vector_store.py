"""The dense half of retrieval: O*NET texts embedded once and kept in chroma.

We always embed with our own embedder and hand chroma vectors, so the index never depends on chroma
choosing (or downloading) a model.

Each document kind lives in its own collection (`onet.title`, `onet.task`, ...) because chroma's
metadata filter costs about 13 µs per matching document (a `kind` filter over 56,000 alternate titles
would take most of a second), while a query of one collection takes a few ms. The collection named
after the store (`onet`) holds no documents: its metadata is the build manifest plus the list of kinds,
and it is created last, so an interrupted build reads as stale.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import chromadb
import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.config import Settings
from chromadb.errors import NotFoundError
from tqdm.auto import tqdm

from retrieval.embedder import ChromaEmbeddingFunction, Embedder, normalise_rows
from retrieval.errors import IndexError_

MAX_CHUNK = 5000
KINDS_KEY = "_kinds"
_KIND = re.compile(r"[A-Za-z0-9]([A-Za-z0-9_-]*[A-Za-z0-9])?")
_INCLUDE: Any = ["documents", "metadatas", "distances"]
_DISTANCES: Any = ["distances"]
_COSINE: Any = {"hnsw": {"space": "cosine"}}


@dataclass(frozen=True, slots=True)
class IndexDoc:
    """One searchable text; its `kind` ("title", "alt_title", "task", "dwa", "description") lets callers
    weigh evidence by where it came from."""

    id: str
    text: str
    code: str
    kind: str


@dataclass(frozen=True, slots=True)
class Hit:
    id: str
    code: str
    kind: str
    text: str
    similarity: float


def connect(path: Path | None, chroma_url: str | None = None) -> ClientAPI:
    """A chroma server when a URL is configured, otherwise an embedded store on disk; never telemetry."""
    settings = Settings(anonymized_telemetry=False)
    if chroma_url:
        parts = urlsplit(chroma_url if "://" in chroma_url else f"http://{chroma_url}")
        if not parts.hostname:
            raise IndexError_(
                f"Cannot read a host from chroma URL {chroma_url!r}; use e.g. http://localhost:8000."
            )
        ssl = parts.scheme == "https"
        try:
            return chromadb.HttpClient(
                host=parts.hostname, port=parts.port or (443 if ssl else 8000), ssl=ssl, settings=settings
            )
        except Exception as exc:
            raise IndexError_(
                f"Cannot reach the chroma server at {chroma_url}: {exc}. Start it (`chroma run --path DIR`) "
                "or unset the chroma URL to use the on-disk index."
            ) from exc
    if path is None:
        raise IndexError_("The vector store needs an index directory or a chroma server URL.")
    Path(path).mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


def _check_manifest(manifest: Mapping[str, Any]) -> dict[str, Any]:
    if not manifest:
        raise IndexError_("An index manifest cannot be empty: give at least the release and embedder.")
    if KINDS_KEY in manifest:
        raise IndexError_(f"{KINDS_KEY!r} is reserved in the index manifest; rename that key.")
    bad = [k for k, v in manifest.items() if not isinstance(v, (str, int, float, bool))]
    if bad:
        raise IndexError_(f"Index manifest values must be str, int, float or bool; fix {', '.join(bad)}.")
    return dict(manifest)


def _check_docs(docs: Sequence[IndexDoc]) -> None:
    if len({d.id for d in docs}) != len(docs):
        raise IndexError_("Index document ids must be unique; two documents share an id.")
    bad = sorted({d.kind for d in docs if not _KIND.fullmatch(d.kind)})
    if bad:
        raise IndexError_(f"Document kinds must be letters, digits, '_' or '-'; fix {bad}.")


def _merge(rows: list[list[Hit]], n: int) -> list[Hit]:
    if len(rows) == 1:
        return rows[0]
    return sorted((h for row in rows for h in row), key=lambda h: -h.similarity)[:n]


class VectorStore:
    """`IndexDoc`s in chroma, searched by vectors from one `Embedder`."""

    def __init__(self, client: ClientAPI, embedder: Embedder, collection: str = "onet") -> None:
        self._client = client
        self._embedder = embedder
        self._name = collection
        self._function: Any = ChromaEmbeddingFunction(embedder)
        self._catalog: Collection | None = None
        self._kinds: dict[str, Collection] = {}
        self._executor: ThreadPoolExecutor | None = None
        self._load()

    @classmethod
    def open(
        cls,
        path: Path | None,
        embedder: Embedder,
        chroma_url: str | None = None,
        collection: str = "onet",
    ) -> VectorStore:
        return cls(connect(path, chroma_url), embedder, collection)

    @property
    def embedder(self) -> Embedder:
        return self._embedder

    @property
    def kinds(self) -> list[str]:
        return list(self._kinds)

    def _kind_name(self, kind: str) -> str:
        return f"{self._name}.{kind}"

    def _load(self) -> None:
        """A half-built or partly deleted index loads as "not built", never as a smaller index."""
        self._catalog, self._kinds = None, {}
        try:
            catalog = self._client.get_collection(self._name, embedding_function=self._function)
            names = str((catalog.metadata or {}).get(KINDS_KEY, ""))
            kinds = {
                kind: self._client.get_collection(self._kind_name(kind), embedding_function=self._function)
                for kind in names.split(",")
                if kind
            }
        except NotFoundError:
            return
        self._catalog, self._kinds = catalog, kinds

    def manifest(self) -> dict[str, Any]:
        if self._catalog is None:
            return {}
        return {k: v for k, v in (self._catalog.metadata or {}).items() if k != KINDS_KEY}

    def count(self) -> int:
        return sum(c.count() for c in self._kinds.values())

    def is_current(self, expected: Mapping[str, Any]) -> bool:
        """Compares the manifest without "count"; an expected "count" is checked against the stored docs."""
        if self._catalog is None:
            return False
        wanted = {k: v for k, v in expected.items() if k != "count"}
        stored = {k: v for k, v in self.manifest().items() if k != "count"}
        if stored != wanted:
            return False
        try:
            return "count" not in expected or self.count() == expected["count"]
        except NotFoundError:
            return False

    def _drop(self) -> None:
        for name in (self._name, *(c.name for c in self._client.list_collections())):
            if name == self._name or name.startswith(f"{self._name}."):
                try:
                    self._client.delete_collection(name)
                except NotFoundError:
                    pass
        self._catalog, self._kinds = None, {}

    def rebuild(self, docs: Sequence[IndexDoc], manifest: Mapping[str, Any], progress: bool = True) -> None:
        metadata = _check_manifest(manifest)
        _check_docs(docs)
        self._drop()
        # Sorting by length keeps the embedder's batches nearly free of padding; insertion order is irrelevant.
        ordered = sorted(docs, key=lambda d: (d.kind, len(d.text)))
        chunk = max(1, min(self._client.get_max_batch_size(), MAX_CHUNK))
        # The same text (a DWA shared by many occupations, a repeated title) is embedded once.
        unique = list(dict.fromkeys(d.text for d in ordered))
        vectors: dict[str, np.ndarray] = {}
        with tqdm(total=len(unique), desc="embedding", unit="text", disable=not progress) as bar:
            for start in range(0, len(unique), chunk):
                part = unique[start : start + chunk]
                embedded = np.asarray(self._embedder.embed(part), dtype=np.float32)
                if embedded.shape[0] != len(part):
                    raise IndexError_(
                        f"The embedder {self._embedder.name} returned {embedded.shape[0]} vectors for "
                        f"{len(part)} texts."
                    )
                vectors.update(zip(part, embedded))
                bar.update(len(part))
        kinds: dict[str, Collection] = {}
        for kind, group in groupby(ordered, key=lambda d: d.kind):
            members = list(group)
            collection = self._client.create_collection(
                self._kind_name(kind), configuration=_COSINE, embedding_function=self._function
            )
            for start in range(0, len(members), chunk):
                self._add(collection, members[start : start + chunk], vectors)
            kinds[kind] = collection
        self._catalog = self._client.create_collection(
            self._name,
            configuration=_COSINE,
            metadata={**metadata, KINDS_KEY: ",".join(kinds)},
            embedding_function=self._function,
        )
        self._kinds = kinds

    def _add(self, collection: Collection, part: Sequence[IndexDoc], vectors: Mapping[str, np.ndarray]) -> None:
        embeddings = np.vstack([vectors[d.text] for d in part])
        collection.add(
            ids=[d.id for d in part],
            embeddings=embeddings,
            documents=[d.text for d in part],
            metadatas=[{"code": d.code, "kind": d.kind} for d in part],
        )

    def query(self, vectors: np.ndarray, n: int, kinds: Sequence[str] | None = None, *,
              ids_only: bool = False) -> list[list[Hit]]:
        """One list of hits per query row, best first; similarity is cosine (1 - chroma's distance).

        A kind the index does not have simply contributes no hits, as a filter on it would. `ids_only`
        leaves each hit's code and text empty: chroma then reads no documents or metadata, which makes a
        search about three times cheaper, for callers that know the code from the id.
        """
        if self._catalog is None:
            raise IndexError_(
                f"The index {self._name!r} has not been built (or its build was interrupted); rebuild it."
            )
        matrix = np.asarray(vectors, dtype=np.float32)
        if matrix.ndim == 1:
            matrix = matrix[None, :]
        wanted = list(self._kinds) if kinds is None else [k for k in dict.fromkeys(kinds) if k in self._kinds]
        if matrix.shape[0] == 0 or n <= 0 or not wanted:
            return [[] for _ in range(matrix.shape[0])]
        if len(wanted) == 1:
            per_kind = [self._query_kind(wanted[0], matrix, n, ids_only)]
        else:
            # chroma releases the GIL while it searches, so the per-kind searches overlap.
            per_kind = list(self._pool().map(lambda kind: self._query_kind(kind, matrix, n, ids_only), wanted))
        return [_merge([rows[i] for rows in per_kind], n) for i in range(matrix.shape[0])]

    def query_ids(self, vectors: np.ndarray, n: int) -> list[tuple[list[str], np.ndarray]]:
        """`query(..., ids_only=True)` as each row's ids and similarities, without a hit object per hit
        (a batch of thousands of searches reads only these)."""
        matrix = np.asarray(vectors, dtype=np.float32)
        if len(self._kinds) != 1 or matrix.ndim != 2 or matrix.shape[0] == 0 or n <= 0:
            return [([h.id for h in hits], np.array([h.similarity for h in hits], dtype=np.float64))
                    for hits in self.query(matrix, n, ids_only=True)]
        (collection,) = self._kinds.values()
        result = collection.query(query_embeddings=matrix, n_results=n, include=_DISTANCES)
        return [(list(ids), 1.0 - np.asarray(dists, dtype=np.float64))
                for ids, dists in zip(result["ids"], result["distances"] or [])]

    def _pool(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="vector-store")
        return self._executor

    def _query_kind(self, kind: str, matrix: np.ndarray, n: int, ids_only: bool = False) -> list[list[Hit]]:
        result = self._kinds[kind].query(query_embeddings=matrix, n_results=n,
                                         include=_DISTANCES if ids_only else _INCLUDE)
        distances = result["distances"] or []
        if ids_only:
            return [[Hit(id=i, code="", kind=kind, text="", similarity=1.0 - float(d)) for i, d in zip(ids, dists)]
                    for ids, dists in zip(result["ids"], distances)]
        documents = result["documents"] or []
        metadatas = result["metadatas"] or []
        return [
            [
                Hit(id=i, code=str(m["code"]), kind=kind, text=t or "", similarity=1.0 - float(d))
                for i, t, m, d in zip(row_ids, row_docs, row_metas, row_dists)
            ]
            for row_ids, row_docs, row_metas, row_dists in zip(result["ids"], documents, metadatas, distances)
        ]

    def vectors(self, ids: Sequence[str], kind: str) -> np.ndarray | None:
        """The stored unit vectors of the documents `ids` of `kind`, in the order asked; None when any is
        missing (a caller then embeds the texts itself)."""
        collection = self._kinds.get(kind)
        if collection is None or not ids:
            return None
        got = collection.get(ids=list(ids), include=["embeddings"])
        embeddings = got.get("embeddings")
        if embeddings is None:
            return None
        found = dict(zip(got["ids"], embeddings))
        if any(i not in found for i in ids):
            return None
        return normalise_rows(np.vstack([np.asarray(found[i], dtype=np.float32) for i in ids]))

    def documents(self, ids: Sequence[str]) -> dict[str, str]:
        """The texts of the documents `ids` (those the index has), in one read per kind."""
        out: dict[str, str] = {}
        wanted = list(dict.fromkeys(ids))
        for collection in self._kinds.values():
            if not wanted:
                break
            got = collection.get(ids=wanted, include=["documents"])
            out.update(zip(got["ids"], (t or "" for t in got.get("documents") or [])))
            wanted = [i for i in wanted if i not in out]
        return out

    def query_texts(self, texts: Sequence[str], n: int, kinds: Sequence[str] | None = None) -> list[list[Hit]]:
        return self.query(self._embedder.embed(texts), n, kinds)
