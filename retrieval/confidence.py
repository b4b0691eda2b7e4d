"""How likely the top answer is to be right: features of one ranking and the model that reads them.

The confidence a coder shows decides which answers skip human review, so it has to do two things: be
calibrated (of the answers given 0.8, about 80% right) and sort the sure answers from the unsure ones. A
ranking carries more of that than its top score: how far the top answer leads the first one of another SOC
code, how much of the top candidates' weight stays in its SOC group, whether each evidence channel agrees,
and how ambiguous the title's words are among O*NET's own titles ("teacher" is in titles of dozens of
occupations, "barista" in one).

The model, per query mode, averages a small gradient-boosted tree ensemble (which finds where features
interact) and a logistic regression (smooth, so it calibrates well on unseen cases); the modes fitted on
descriptions use the logistic regression alone (scripts/fit_calibration.py says why). Both are fitted by
`scripts/fit_calibration.py` with scikit-learn and stored as plain JSON (`calibration.json`), so reading
them needs neither scikit-learn nor a pickle.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from importlib import resources
from typing import Mapping, Sequence

import numpy as np

from retrieval.normalize import normalize_title

MODEL_VERSION = "c13"
_SOFT_TOP = 20  # candidates whose softmax weight the group features share out

# Channels described by their value at the top answer, its lead over the first answer of another SOC code,
# and how many occupations the channel puts above the top answer.
CHANNELS = ("title", "title_support", "dense_title", "lexical_title", "lexical_industry", "lexical_description",
            "dense_description", "dense_sentences", "title_mentions")


@dataclass(frozen=True)
class Groups:
    """Index of each occupation's SOC detailed code, broad group and minor group (same order as the engine's codes)."""

    detailed: np.ndarray
    broad: np.ndarray
    minor: np.ndarray


def title_vote_counts(titles, title: str | None) -> np.ndarray:
    """How many of O*NET's title documents holding every word of `title` each occupation owns.

    `titles` is the engine's `lexical.TitleIndex`. All zeros when no title holds every word (or no title
    was given).
    """
    out = np.zeros(titles.n_codes, dtype=np.float32)
    if not title:
        return out
    vocabulary = titles.word_vocabulary
    columns = {vocabulary[w] for w in normalize_title(title).split() if w in vocabulary}
    if not columns:
        return out
    rows: np.ndarray | None = None
    matrix = titles.word_matrix
    for j in sorted(columns, key=lambda j: matrix.indptr[j + 1] - matrix.indptr[j]):  # rarest word first
        holding = matrix.indices[matrix.indptr[j]:matrix.indptr[j + 1]]
        rows = holding if rows is None else np.intersect1d(rows, holding, assume_unique=True)
        if rows.size == 0:
            return out
    return np.bincount(titles.doc_codes[rows], minlength=titles.n_codes).astype(np.float32)


def title_votes(titles, title: str | None, also: Sequence[int] = ()) -> np.ndarray:
    """Share of the title documents holding every word of `title` that each occupation owns; `also` adds
    one such document for each of those occupations (an approved lay title that is this very title)."""
    counts = title_vote_counts(titles, title)
    for i in also:
        counts[i] += 1.0
    total = float(counts.sum())
    return counts / total if total else counts


def feature_names() -> list[str]:
    names = ["fused", "lead", "lead_other_soc", "lead_5", "lead_10", "mass_detailed", "mass_broad", "mass_minor",
             "entropy", "exact_share", "exact_share_any", "exact_count", "title_words", "vote_top", "vote_detailed",
             "vote_occupations"]
    for name in CHANNELS:
        names += [f"{name}", f"{name}_lead", f"{name}_rank"]
    return names


def features(fused: np.ndarray, channels: Mapping[str, np.ndarray], groups: Groups,
             title: str | None = None) -> np.ndarray:
    """The feature vector (`feature_names()` order) of the top answer of one ranking."""
    n = fused.shape[0]
    out = np.zeros(len(feature_names()), dtype=np.float64)
    if n == 0:
        return out
    size = min(_SOFT_TOP, n)
    part = np.argpartition(-fused, size - 1)[:size] if n > size else np.arange(n)
    order = part[np.argsort(-fused[part], kind="stable")]
    best = int(order[0])
    scores = fused[order].astype(np.float64)
    other = next((int(i) for i in order[1:] if groups.detailed[i] != groups.detailed[best]), int(order[-1]))
    weights = np.exp(scores - scores[0])
    weights /= weights.sum()

    def mass(level: np.ndarray) -> float:
        return float(weights[level[order] == level[best]].sum())

    share = channels.get("title_exact_share")
    votes = channels.get("title_votes")
    same_soc = groups.detailed == groups.detailed[best]
    values = [scores[0], scores[0] - scores[min(1, size - 1)], scores[0] - float(fused[other]),
              scores[0] - scores[min(4, size - 1)], scores[0] - scores[min(9, size - 1)],
              mass(groups.detailed), mass(groups.broad), mass(groups.minor),
              float(-(weights * np.log(weights + 1e-12)).sum()),
              float(share[best]) if share is not None else 0.0,
              float(share.max()) if share is not None else 0.0,
              float(np.count_nonzero(share)) if share is not None else 0.0,
              float(len(normalize_title(title).split())) if title else 0.0,
              float(votes[best]) if votes is not None else 0.0,
              float(votes[same_soc].sum()) if votes is not None else 0.0,
              math.log1p(float(np.count_nonzero(votes))) if votes is not None else 0.0]
    for name in CHANNELS:
        channel = channels.get(name)
        if channel is None:
            values += [0.0, 0.0, 0.0]
            continue
        top = float(channel[best])
        values += [top, top - float(channel[other]), math.log1p(float(np.count_nonzero(channel > top)))]
    out[:] = values
    return out


class TreeModel:
    """A boosted ensemble of binary trees over one feature vector, as `scripts/fit_calibration.py` exports it.

    Each tree is parallel lists: `feature`, `threshold`, `left`, `right`, `value`, `leaf` (node 0 is the
    root; go left when the feature is at most the threshold). The probability is the logistic of the
    baseline plus the leaves reached. All trees are walked at once, a level at a time, for any number of rows.
    """

    def __init__(self, params: Mapping) -> None:
        self.names: list[str] = list(params["features"])
        self.baseline = float(params["baseline"])
        trees = params["trees"]
        width = max((len(t["leaf"]) for t in trees), default=1)

        def stack(key: str, dtype, fill) -> np.ndarray:
            out = np.full((len(trees), width), fill, dtype=dtype)
            for j, tree in enumerate(trees):
                out[j, :len(tree[key])] = tree[key]
            return out

        self.feature = stack("feature", np.int64, 0)
        self.threshold = stack("threshold", np.float64, 0.0)
        self.left = stack("left", np.int64, 0)
        self.right = stack("right", np.int64, 0)
        self.value = stack("value", np.float64, 0.0)
        self.leaf = stack("leaf", bool, True)
        self._rows = np.arange(len(trees))

    def raw(self, X: np.ndarray) -> np.ndarray:
        """Log-odds for each row of X (one feature vector per row)."""
        X = np.atleast_2d(np.asarray(X, dtype=np.float64))
        node = np.zeros((X.shape[0], len(self._rows)), dtype=np.int64)
        trees = self._rows[None, :]
        while True:
            done = self.leaf[trees, node]
            if done.all():
                break
            values = np.take_along_axis(X, self.feature[trees, node], axis=1)
            step = np.where(values <= self.threshold[trees, node], self.left[trees, node], self.right[trees, node])
            node = np.where(done, node, step)
        return self.baseline + self.value[trees, node].sum(axis=1)

    def probabilities(self, X: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-np.clip(self.raw(X), -30.0, 30.0)))

    def probability(self, x: np.ndarray) -> float:
        return float(self.probabilities(x)[0])


class LinearModel:
    """A logistic regression over standardised features: `mean`, `scale`, `coef`, `bias`."""

    def __init__(self, params: Mapping) -> None:
        self.mean = np.asarray(params["mean"], dtype=np.float64)
        self.scale = np.asarray(params["scale"], dtype=np.float64)
        self.coef = np.asarray(params["coef"], dtype=np.float64)
        self.bias = float(params["bias"])

    def probabilities(self, X: np.ndarray) -> np.ndarray:
        z = ((np.atleast_2d(np.asarray(X, dtype=np.float64)) - self.mean) / self.scale) @ self.coef + self.bias
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))


class ConfidenceModel:
    """The tree ensemble's and the linear model's probabilities averaged (`tree_weight`, 0.5 unless the
    parameters say otherwise; 0 for a mode with the linear model alone), then stretched on the log-odds
    scale (`stretch`: slope and intercept, fitted on out-of-fold answers) so that it is neither too timid
    nor too bold; the stretch keeps the order of answers, so it moves no auto-coding threshold's coverage."""

    def __init__(self, params: Mapping) -> None:
        self.trees = TreeModel(params)
        self.linear = LinearModel(params["linear"])
        self.tree_weight = float(params.get("tree_weight", 0.5))
        if not 0.0 <= self.tree_weight <= 1.0 or (self.tree_weight > 0 and not params["trees"]):
            raise ValueError(f"tree_weight {self.tree_weight} needs trees and a value in [0, 1]")
        self.slope, self.intercept = (float(v) for v in params.get("stretch", (1.0, 0.0)))
        # the same for the top share of a ranking mixed with its description's first sentence's (`engine.with_lead`)
        self.lead_slope, self.lead_intercept = (float(v) for v in params.get("lead_stretch", (1.0, 0.0)))
        self.names = self.trees.names

    def blend(self, X: np.ndarray) -> np.ndarray:
        """The averaged probability before the stretch."""
        linear = self.linear.probabilities(X)
        if self.tree_weight == 0.0:
            return linear
        return self.tree_weight * self.trees.probabilities(X) + (1.0 - self.tree_weight) * linear

    def probabilities(self, X: np.ndarray) -> np.ndarray:
        p = np.clip(self.blend(X), 1e-9, 1.0 - 1e-9)
        z = self.slope * np.log(p / (1.0 - p)) + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))

    def probability(self, x: np.ndarray) -> float:
        return float(self.probabilities(x)[0])

    def lead_probability(self, p: float) -> float:
        p = min(max(p, 1e-9), 1.0 - 1e-9)
        z = self.lead_slope * math.log(p / (1.0 - p)) + self.lead_intercept
        return 1.0 / (1.0 + math.exp(-min(max(z, -30.0), 30.0)))


def _load() -> dict[str, ConfidenceModel]:
    params = json.loads(resources.files("retrieval").joinpath("calibration.json").read_text())
    if params.get("version") != MODEL_VERSION:
        raise RuntimeError(f"retrieval/calibration.json is model version {params.get('version')!r}; this code "
                           f"reads {MODEL_VERSION!r}: refit it with scripts/fit_calibration.py")
    models = {mode: ConfidenceModel(p) for mode, p in params["modes"].items()}
    for mode, model in models.items():
        if model.names != feature_names():
            raise RuntimeError(f"retrieval/calibration.json ({mode}) was fitted on other features; refit it")
    return models


_MODELS: dict[str, ConfidenceModel] | None = None


def models() -> dict[str, ConfidenceModel]:
    global _MODELS
    if _MODELS is None:
        _MODELS = _load()
    return _MODELS


def top_probability(x: np.ndarray, mode: str) -> float:
    """P(the top answer is right at the SOC detailed level) for a query of this mode."""
    table = models()
    return (table.get(mode) or table["title"]).probability(x)


def lead_probability(p: float, mode: str) -> float:
    """P(right) of the top answer whose share of a mixed ranking (`engine.with_lead`) is `p`, for this mode."""
    table = models()
    return (table.get(mode) or table["title"]).lead_probability(p)


def top_probabilities(X: np.ndarray, modes: Sequence[str]) -> np.ndarray:
    """`top_probability` of each row of X (one feature vector per row, the mode of each in `modes`); the
    rows of one mode go through the model together, so a batch walks the trees once, not once a row."""
    table = models()
    out = np.zeros(len(modes), dtype=np.float64)
    for mode in dict.fromkeys(modes):
        rows = np.flatnonzero(np.asarray(modes) == mode)
        out[rows] = (table.get(mode) or table["title"]).probabilities(X[rows])
    return out
