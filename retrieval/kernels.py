"""Compiled inner loops of the title channels, run without Python's global lock.

Matching a title against O*NET's ~61,000 title documents touches ~250,000 stored n-gram weights and then
groups the documents by occupation; done with NumPy and SciPy calls it holds the lock for most of a
millisecond a title, so two threads could not both be busy. These loops do the same arithmetic (the same
float32 operations in the same order as SciPy's sparse matrix-vector product), compiled by Numba with
`nogil`, a whole batch of titles per call. The compiled code is cached beside this module.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(nogil=True, cache=True)
def _accumulate(out, indptr, indices, data, cols, weights):  # pragma: no cover - compiled
    """out += M[:, cols] @ weights for a CSC matrix M: column by column, as SciPy's csc_matvec adds them."""
    for j in range(cols.shape[0]):
        w = weights[j]
        c = cols[j]
        for p in range(indptr[c], indptr[c + 1]):
            out[indices[p]] += data[p] * w


def postings_sum(indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, tokens: np.ndarray,
                 n_docs: int) -> np.ndarray:
    """Each document's sum of its postings' weights for `tokens` (a token given twice counts twice): the
    title kernels' column loop with every weight 1, so the float32 additions are bm25s's `np.add.at` ones,
    token by token in the query's order and postings in stored order."""
    out = np.zeros(n_docs, dtype=data.dtype)
    _accumulate(out, indptr, indices, data, tokens, np.ones(tokens.shape[0], dtype=data.dtype))
    return out


_BINS = 4096


@njit(nogil=True, cache=True)
def _group_top_row(scores, group_of, top, pool, counts, members, buffer, kept, kept_n, first, best, mean,
                   best_doc):  # pragma: no cover - compiled
    """Among the `pool` best positive scores and every score tied with the last of them (`lexical.group_top`):
    each group's best score, the mean of its `top` best (missing ones count 0) and its first document with
    the best (`group_of[d]` is document d's group).

    A histogram over (0, 1] (the similarities' range; anything higher counts in the top bin) finds the bin
    the pool's edge lies in; a second pass keeps the documents of that bin and above, in document order,
    and sorts only that bin's scores for the exact edge; only the kept documents are then grouped."""
    counts[:] = 0
    positives = 0
    for d in range(scores.shape[0]):
        s = scores[d]
        if s > 0:
            positives += 1
            counts[min(int(s * _BINS), _BINS)] += 1
    b = 0
    above = 0
    if positives > pool:
        b = _BINS
        while above + counts[b] < pool:
            above += counts[b]
            b -= 1
    m = 0
    n_edge = 0
    for d in range(scores.shape[0]):
        s = scores[d]
        if s > 0:
            bin_ = min(int(s * _BINS), _BINS)
            if bin_ >= b:
                members[m] = d
                m += 1
                if bin_ == b:
                    buffer[n_edge] = s
                    n_edge += 1
    threshold = np.float32(0.0)
    if positives > pool:
        threshold = np.sort(buffer[:n_edge])[n_edge - (pool - above)]
    kept_n[:] = 0
    first[:] = -1
    for i in range(m):
        d = members[i]
        s = scores[d]
        if s < threshold:
            continue
        g = group_of[d]
        if first[g] < 0 or s > scores[first[g]]:
            first[g] = d
        # keep the `top` best, best first; an equal score goes after the ones already kept
        k = kept_n[g]
        if k < top:
            j = k
            kept_n[g] = k + 1
        elif s > kept[g, top - 1]:
            j = top - 1
        else:
            continue
        while j > 0 and kept[g, j - 1] < s:
            kept[g, j] = kept[g, j - 1]
            j -= 1
        kept[g, j] = s
    for g in range(kept_n.shape[0]):
        k = kept_n[g]
        if k == 0:
            continue
        total = np.float32(0.0)
        for j in range(k):
            total += kept[g, j]
        best[g] = kept[g, 0]
        mean[g] = total / np.float32(top)
        best_doc[g] = first[g]


@njit(nogil=True, cache=True)
def _similarity_row(out, chars, words, char_matrix, char_cols, char_weights, word_matrix, word_cols,
                    word_weights, muted):  # pragma: no cover - compiled
    """One query's similarity with every title document: half its character n-gram cosine, half its word
    cosine, 0 for the `muted` documents (`*_matrix` is a CSC matrix's indptr, indices, data; `chars`,
    `words` are scratch rows)."""
    chars[:] = 0
    words[:] = 0
    _accumulate(chars, char_matrix[0], char_matrix[1], char_matrix[2], char_cols, char_weights)
    _accumulate(words, word_matrix[0], word_matrix[1], word_matrix[2], word_cols, word_weights)
    half = np.float32(0.5)
    for d in range(out.shape[0]):
        out[d] = half * chars[d] + half * words[d]
    for d in muted:
        out[d] = 0


@njit(nogil=True, cache=True)
def title_similarities(n_docs, char_matrix, char_ptr, char_cols, char_weights, word_matrix, word_ptr, word_cols,
                       word_weights, mute_ptr, mute_docs):  # pragma: no cover - compiled
    """Each query's similarity with every title document; query q's columns and weights are
    `*_cols[*_ptr[q]:*_ptr[q + 1]]`, and the documents `mute_docs[mute_ptr[q]:mute_ptr[q + 1]]` score 0."""
    rows = char_ptr.shape[0] - 1
    out = np.empty((rows, n_docs), dtype=np.float32)
    chars = np.empty(n_docs, dtype=np.float32)
    words = np.empty(n_docs, dtype=np.float32)
    for q in range(rows):
        _similarity_row(out[q], chars, words, char_matrix, char_cols[char_ptr[q]:char_ptr[q + 1]],
                        char_weights[char_ptr[q]:char_ptr[q + 1]], word_matrix, word_cols[word_ptr[q]:word_ptr[q + 1]],
                        word_weights[word_ptr[q]:word_ptr[q + 1]], mute_docs[mute_ptr[q]:mute_ptr[q + 1]])
    return out


@njit(nogil=True, cache=True)
def title_scores(n_docs, char_matrix, char_ptr, char_cols, char_weights, word_matrix, word_ptr, word_cols,
                 word_weights, mute_ptr, mute_docs, group_of, groups, top, pool):  # pragma: no cover - compiled
    """`group_top` of `title_similarities`, one query at a time (a batch's similarities are never all held);
    `group_of[d]` is document d's occupation, one of `groups`."""
    rows = char_ptr.shape[0] - 1
    best = np.zeros((rows, groups), dtype=np.float32)
    mean = np.zeros((rows, groups), dtype=np.float32)
    best_doc = np.full((rows, groups), -1, dtype=np.int64)
    sims = np.empty(n_docs, dtype=np.float32)
    chars = np.empty(n_docs, dtype=np.float32)
    words = np.empty(n_docs, dtype=np.float32)
    buffer = np.empty(n_docs, dtype=np.float32)
    counts = np.empty(_BINS + 1, dtype=np.int64)
    members = np.empty(n_docs, dtype=np.int64)
    kept = np.zeros((groups, top), dtype=np.float32)
    kept_n = np.empty(groups, dtype=np.int64)
    first = np.empty(groups, dtype=np.int64)
    for q in range(rows):
        _similarity_row(sims, chars, words, char_matrix, char_cols[char_ptr[q]:char_ptr[q + 1]],
                        char_weights[char_ptr[q]:char_ptr[q + 1]], word_matrix, word_cols[word_ptr[q]:word_ptr[q + 1]],
                        word_weights[word_ptr[q]:word_ptr[q + 1]], mute_docs[mute_ptr[q]:mute_ptr[q + 1]])
        _group_top_row(sims, group_of, top, pool, counts, members, buffer, kept, kept_n, first, best[q], mean[q],
                       best_doc[q])
    return best, mean, best_doc
