"""Sparse channels: fuzzy title matching (character and word TF-IDF) and BM25 over occupations and titles.

These are pure in-memory structures built from the knowledge base; they are pickled beside the vector
index so a warm start does not re-read the O*NET text files.
"""

from __future__ import annotations

from dataclasses import dataclass

import bm25s
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from retrieval.normalize import normalize_title, text_tokens


@dataclass(frozen=True, slots=True)
class TitleDoc:
    code_index: int
    kind: str  # title, alt_title, short_title, reported_title, direct_match_title
    text: str
    normalized: str


def _top_indices(scores: np.ndarray, n: int) -> np.ndarray:
    """Indices of the n best scores, best first, without sorting the whole array."""
    if scores.shape[0] > n:
        part = np.argpartition(-scores, n)[:n]
    else:
        part = np.arange(scores.shape[0])
    return part[np.argsort(-scores[part])]


def _group_top(scores: np.ndarray, groups: np.ndarray, n_groups: int, top: int, pool: int
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Among the `pool` best positive scores: each group's best, the mean of its `top` best, the best's index."""
    best = np.zeros(n_groups, dtype=np.float32)
    mean = np.zeros(n_groups, dtype=np.float32)
    best_doc = np.full(n_groups, -1, dtype=np.int64)
    idx = _top_indices(scores, pool)
    idx = idx[scores[idx] > 0]
    if idx.size == 0:
        return best, mean, best_doc
    g = groups[idx]
    s = scores[idx]
    order = np.lexsort((-s, g))  # by group, best first within a group
    idx, g, s = idx[order], g[order], s[order]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    rank = np.arange(g.size) - np.repeat(starts, np.diff(np.r_[starts, g.size]))
    keep = rank < top
    np.add.at(mean, g[keep], s[keep])
    best[g[starts]] = s[starts]
    best_doc[g[starts]] = idx[starts]
    return best, mean / top, best_doc


def _column_similarity(vectorizer: TfidfVectorizer, matrix, text: str) -> np.ndarray:
    """Cosine of `text` with every row of a fitted TF-IDF matrix (CSC), computing the query vector directly.

    Same numbers as `matrix @ vectorizer.transform([text]).T`, without sklearn's per-call validation and
    touching only the query's own columns.
    """
    counts: dict[int, int] = {}
    vocabulary = vectorizer.vocabulary_
    for gram in vectorizer.build_analyzer()(text):
        j = vocabulary.get(gram)
        if j is not None:
            counts[j] = counts.get(j, 0) + 1
    if not counts:
        return np.zeros(matrix.shape[0], dtype=np.float32)
    cols = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
    tf = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
    weights = (1.0 + np.log(tf)) * vectorizer.idf_[cols].astype(np.float32)  # sublinear tf, as fitted
    weights /= np.linalg.norm(weights)
    return np.asarray(matrix[:, cols] @ weights, dtype=np.float32).ravel()


def _split(text: str) -> list[str]:
    return text.split()


class TitleIndex:
    """Misspelt, abbreviated or inverted titles meet O*NET's titles through character n-grams."""

    def __init__(self, docs: list[TitleDoc], n_codes: int) -> None:
        self.docs = docs
        self.n_codes = n_codes
        self.doc_codes = np.array([d.code_index for d in docs], dtype=np.int32)
        normalized = [d.normalized for d in docs]
        self.chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, dtype=np.float32)
        self.words = TfidfVectorizer(analyzer=_split, sublinear_tf=True, dtype=np.float32)
        # Column-major: a query touches only the columns of its own n-grams.
        self.char_matrix = self.chars.fit_transform(normalized).tocsc()
        self.word_matrix = self.words.fit_transform(normalized).tocsc()
        self.exact: dict[str, list[int]] = {}
        for d in docs:
            codes = self.exact.setdefault(d.normalized, [])
            if d.code_index not in codes:
                codes.append(d.code_index)
        self.bm25 = bm25s.BM25(k1=1.2, b=0.3)
        self.bm25.index([text_tokens(d.text) or ["_"] for d in docs], show_progress=False)

    def ensure_column_major(self) -> None:
        """Indexes pickled by an earlier build kept row-major matrices; convert them once on load."""
        if self.char_matrix.format != "csc":
            self.char_matrix = self.char_matrix.tocsc()
        if self.word_matrix.format != "csc":
            self.word_matrix = self.word_matrix.tocsc()

    def similarities(self, title: str) -> np.ndarray:
        """Cosine similarity of the normalised query title with every title document."""
        query = normalize_title(title)
        if not query:
            return np.zeros(len(self.docs), dtype=np.float32)
        char_sim = _column_similarity(self.chars, self.char_matrix, query)
        word_sim = _column_similarity(self.words, self.word_matrix, query)
        return 0.5 * char_sim + 0.5 * word_sim

    def exact_scores(self, title: str) -> np.ndarray:
        """1 for each occupation that lists this title word for word (after normalisation).

        One-word titles are left out: a bare "Owner" or "Supervisor" is listed under whichever occupation
        happened to report it, and says little about which occupation the person has.
        """
        out = np.zeros(self.n_codes, dtype=np.float32)
        query = normalize_title(title)
        if len(query.split()) < 2:
            return out
        codes = self.exact.get(query, [])
        for c in codes:
            out[c] = 1.0
        return out

    def exact_share(self, title: str) -> np.ndarray:
        """1/m for each of the m occupations listing this exact title, one-word titles included.

        Not a ranking channel (see `exact_scores`): it tells the confidence model how unambiguous a
        word-for-word match is.
        """
        out = np.zeros(self.n_codes, dtype=np.float32)
        codes = self.exact.get(normalize_title(title), [])
        for c in codes:
            out[c] = 1.0 / len(codes)
        return out

    def occupation_scores(self, sims: np.ndarray, top: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per occupation: best similarity, mean of its `top` best titles, and which title was best."""
        return _group_top(sims, self.doc_codes, self.n_codes, top, 2000)

    def mention_scores(self, text: str, top: int = 5) -> np.ndarray:
        """BM25 of free text against titles, summed over each occupation's best titles.

        Descriptions name the work in words that its titles use ("operates zigzag sewing machine"), so
        titles are matched as documents against the description's words.
        """
        tokens = text_tokens(text)
        out = np.zeros(self.n_codes, dtype=np.float32)
        if not tokens:
            return out
        scores = self.bm25.get_scores(tokens).astype(np.float32)
        _, mean, _ = _group_top(scores, self.doc_codes, self.n_codes, top, 600)
        return mean * top


class OccupationBM25:
    """BM25 over one document per occupation (titles, tasks, DWAs, description, technology)."""

    def __init__(self, documents: list[list[str]]) -> None:
        self.bm25 = bm25s.BM25(k1=1.5, b=0.75)
        self.bm25.index([d or ["_"] for d in documents], show_progress=False)
        self.vocabulary = self.bm25.vocab_dict

    def scores(self, text: str) -> np.ndarray:
        tokens = [t for t in text_tokens(text) if t in self.vocabulary]
        if not tokens:
            return np.zeros(self.bm25.scores["num_docs"], dtype=np.float32)
        return self.bm25.get_scores(tokens).astype(np.float32)
