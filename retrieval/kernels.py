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


_BINS = 4096


@njit(nogil=True, cache=True)
def _pool_threshold(scores, starts, order, pool, buffer, group_high):  # pragma: no cover - compiled
    """The `pool`-th best positive score (0 when no more than `pool` scores are positive); fills
    `group_high` with each group's best.
    A histogram over (0, 1] (the similarities' range; anything higher counts in the top bin) finds the bin
    the threshold lies in, then only that bin's scores are sorted."""
    positives = 0
    counts = np.zeros(_BINS + 1, dtype=np.int64)
    for g in range(starts.shape[0] - 1):
        best = np.float32(0.0)
        for p in range(starts[g], starts[g + 1]):
            s = scores[order[p]]
            if s > 0:
                positives += 1
                counts[min(int(s * _BINS), _BINS)] += 1
                if s > best:
                    best = s
        group_high[g] = best
    if positives <= pool:
        return np.float32(0.0)
    above = 0
    b = _BINS
    while above + counts[b] < pool:
        above += counts[b]
        b -= 1
    m = 0
    for s in scores:
        if s > 0 and min(int(s * _BINS), _BINS) == b:
            buffer[m] = s
            m += 1
    ranked = np.sort(buffer[:m])
    return ranked[m - (pool - above)]


@njit(nogil=True, cache=True)
def _group_top_row(scores, starts, order, top, pool, buffer, group_high, best, mean, best_doc):  # pragma: no cover
    """Among the `pool` best positive scores and every score tied with the last of them (`lexical.group_top`):
    each group's best score, the mean of its `top` best (missing ones count 0) and its first document with
    the best. Groups are runs of `order` (documents sorted by group) between consecutive `starts`."""
    threshold = _pool_threshold(scores, starts, order, pool, buffer, group_high)
    kept = np.zeros(top, dtype=np.float32)
    for g in range(starts.shape[0] - 1):
        if group_high[g] <= 0 or group_high[g] < threshold:
            continue  # nothing of this group is in the pool
        k = 0
        first = -1
        for p in range(starts[g], starts[g + 1]):
            d = order[p]
            s = scores[d]
            if s <= 0 or s < threshold:
                continue
            if first < 0 or s > scores[first]:
                first = d
            # keep the `top` best, best first; an equal score goes after the ones already kept
            if k < top:
                j = k
                k += 1
            elif s > kept[top - 1]:
                j = top - 1
            else:
                continue
            while j > 0 and kept[j - 1] < s:
                kept[j] = kept[j - 1]
                j -= 1
            kept[j] = s
        total = np.float32(0.0)
        for j in range(k):
            total += kept[j]
        best[g] = kept[0]
        mean[g] = total / np.float32(top)
        best_doc[g] = first


@njit(nogil=True, cache=True)
def _similarity_row(out, chars, words, char_matrix, char_cols, char_weights, word_matrix, word_cols,
                    word_weights):  # pragma: no cover - compiled
    """One query's similarity with every title document: half its character n-gram cosine, half its word
    cosine (`*_matrix` is a CSC matrix's indptr, indices, data; `chars`, `words` are scratch rows)."""
    chars[:] = 0
    words[:] = 0
    _accumulate(chars, char_matrix[0], char_matrix[1], char_matrix[2], char_cols, char_weights)
    _accumulate(words, word_matrix[0], word_matrix[1], word_matrix[2], word_cols, word_weights)
    half = np.float32(0.5)
    for d in range(out.shape[0]):
        out[d] = half * chars[d] + half * words[d]


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
                        word_weights[word_ptr[q]:word_ptr[q + 1]])
        for p in range(mute_ptr[q], mute_ptr[q + 1]):
            out[q, mute_docs[p]] = 0
    return out


@njit(nogil=True, cache=True)
def title_scores(n_docs, char_matrix, char_ptr, char_cols, char_weights, word_matrix, word_ptr, word_cols,
                 word_weights, mute_ptr, mute_docs, starts, order, top, pool):  # pragma: no cover - compiled
    """`group_top` of `title_similarities`, one query at a time (a batch's similarities are never all held)."""
    rows = char_ptr.shape[0] - 1
    groups = starts.shape[0] - 1
    best = np.zeros((rows, groups), dtype=np.float32)
    mean = np.zeros((rows, groups), dtype=np.float32)
    best_doc = np.full((rows, groups), -1, dtype=np.int64)
    sims = np.empty(n_docs, dtype=np.float32)
    chars = np.empty(n_docs, dtype=np.float32)
    words = np.empty(n_docs, dtype=np.float32)
    buffer = np.empty(n_docs, dtype=np.float32)
    group_high = np.empty(groups, dtype=np.float32)
    for q in range(rows):
        _similarity_row(sims, chars, words, char_matrix, char_cols[char_ptr[q]:char_ptr[q + 1]],
                        char_weights[char_ptr[q]:char_ptr[q + 1]], word_matrix, word_cols[word_ptr[q]:word_ptr[q + 1]],
                        word_weights[word_ptr[q]:word_ptr[q + 1]])
        for p in range(mute_ptr[q], mute_ptr[q + 1]):
            sims[mute_docs[p]] = 0
        _group_top_row(sims, starts, order, top, pool, buffer, group_high, best[q], mean[q], best_doc[q])
    return best, mean, best_doc
