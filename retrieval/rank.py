"""Pure ranking functions: turn per-channel scores into one ranking and a calibrated confidence.

Channels live on different scales (cosines, BM25 sums), so each is standardised against the spread of its
own best scores for this query before the weighted sum: a channel that cannot tell its top occupations
apart contributes little, one with a clear winner contributes much.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from retrieval import confidence as conf
from retrieval.models import Query
from retrieval.normalize import normalize_title

FUSION_VERSION = "f22"
_HEAD = 50  # how many of a channel's best scores define its spread
SHARED_POOL = 40  # runners-up that share what the top answer leaves (`shared_confidence`); `engine.with_lead` mixes as many
_FLOOR = 200  # scores below the channel's 200th best are treated as equal (no evidence)
# A channel's spread is at least a fifth of the height of its best 50 scores above that floor (`standardise_rows`).
# Held-out O*NET pseudo-queries (masked index; 1,500 titles, 923 one-task and four-task descriptions), top-1 / top-5
# at SOC detailed: no such bound 45.6/75.7, 29.4/55.3, 50.6/82.8; a tenth 45.6/75.8, 29.4/55.3, 50.6/82.8; a fifth
# 45.8/76.0, 29.4/55.4, 50.6/82.7; a third 45.9/75.9, 28.8/55.0, 50.3/82.7.
_LEAST_SPREAD = 5.0

# Channel weights by what the query holds. The title channels dominate when a title is given: a job
# title is the most specific thing a person says about a job. Industry text only nudges (it names the
# employer's business, not the job, so a strong weight pulls towards occupations named after industries).
TITLE_WEIGHTS = {"title_exact": 15.0, "title": 2.0, "title_support": 1.0, "lexical_title": 1.0, "dense_title": 1.0,
                 "breadth": 0.5}
# A one-word title ("Owner", "Supervisor") matched word for word under one occupation says little: it is
# whichever occupation happened to list it. For such titles the best single match counts less and the
# support of several matching titles more.
ONE_WORD_TITLE_WEIGHTS = {"title": 0.5, "title_support": 2.0}
# Told with a description, a one-word title ("Manager", "Operator", "Technician") names the kind of worker and the
# description says which: its title channels count at this share and the description at its full weight, as
# without a title. O*NET's own check (`scripts/generic_title_check.py`: each occupation's held-out title cut to its
# last word, with one held-out task's opening words or two held-out tasks, on the index without them; 923 of
# each), top-1 / top-5 at SOC detailed: title at full weight and description at 0.6, 28.7/51.7 and 43.9/68.1; the
# description alone, 23.3/46.3 and 46.0/76.2; titles at 0.25 and description at 0.6, 32.2/58.0 and 52.9/79.8;
# titles at 0.4 and description at 1, 32.3/57.6 and 52.8/80.0; titles at 0.1, 26.1/51.7 and 49.1/78.5.
ONE_WORD_TITLE_WITH_DESCRIPTION = 0.4
DESCRIPTION_WEIGHTS = {"lexical_description": 1.0, "dense_description": 1.0, "dense_sentences": 1.0,
                       "title_mentions": 1.0}
INDUSTRY_WEIGHT = 0.3
# The title with the industry put before it, matched against O*NET's titles: many of them name the setting
# ("Restaurant Manager", "Airline Mechanic", "Preschool Teacher"), so a generic title told with its industry
# meets the occupation that names both. On O*NET's own check (titles '<setting> <generic title>' held out and
# asked as the generic title with the setting as the industry) top-1 grows with the weight: 35.0% at 1, 42.9% at
# 3, 48.9% at 12. There the setting is a word of the title itself, where a customer's industry is looser text
# ("MANUFACTURING OF HVAC COMPONENTS"), so the weight stops at 3, three times the other supporting title
# channels': at 1 it had held only while "IS Manager" was misread as a bare "Manager" and split that listing
# with Managers, All Other (`normalize.CAPITAL_ABBREVIATIONS`).
TITLE_INDUSTRY_WEIGHT = 3.0
# Channels added as they are (0 or 1), not standardised: a flag, not a score with a spread.
RAW_CHANNELS = frozenset({"title_exact"})


# Evidence channels by family, for ablations ("what does each family buy?").
CHANNEL_GROUPS: dict[str, frozenset[str]] = {
    "title": frozenset({"title", "title_support", "title_exact", "title_mentions", "breadth", "title_industry"}),
    "lexical": frozenset({"lexical_title", "lexical_description", "lexical_industry"}),
    "dense": frozenset({"dense_title", "dense_description", "dense_sentences"}),
}


def weights_for(query: Query, only: Sequence[str] | None = None) -> dict[str, float]:
    """Channel weights for this query; `only` keeps the channels of the named groups (CHANNEL_GROUPS)."""
    weights: dict[str, float] = {}
    one_word = bool(query.title) and len(normalize_title(query.title).split()) <= 1
    if query.title:
        weights.update(TITLE_WEIGHTS)
        if one_word:
            weights.update(ONE_WORD_TITLE_WEIGHTS)
    if query.description:
        scale = 1.0
        if one_word:
            weights = {k: v * ONE_WORD_TITLE_WITH_DESCRIPTION for k, v in weights.items()}
        elif query.title:  # a description backs up a title rather than overruling an exact title match
            scale = 0.6
        weights.update({k: v * scale for k, v in DESCRIPTION_WEIGHTS.items()})
    if query.industry:
        weights["lexical_industry"] = INDUSTRY_WEIGHT
        if query.title:
            weights["title_industry"] = TITLE_INDUSTRY_WEIGHT
    if only is not None:
        unknown = set(only) - set(CHANNEL_GROUPS)
        if unknown:
            raise ValueError(f"unknown channel group(s) {sorted(unknown)}; known: {sorted(CHANNEL_GROUPS)}")
        keep = frozenset().union(*(CHANNEL_GROUPS[g] for g in only))
        weights = {k: v for k, v in weights.items() if k in keep}
    return weights


def standardise(scores: np.ndarray) -> np.ndarray:
    """Scores in units of the spread of this channel's best scores; flat channels give all zeros."""
    scores = np.asarray(scores, dtype=np.float32)
    if scores.shape[0] == 0:
        return scores
    return standardise_rows(scores[None, :])[0]


def standardise_rows(scores: np.ndarray) -> np.ndarray:
    """`standardise` of each row of a (queries, occupations) array, in a few NumPy calls for all of them."""
    scores = np.asarray(scores, dtype=np.float32)
    n = scores.shape[1]
    if n == 0 or scores.shape[0] == 0:
        return scores.copy()
    # One sort gives both order statistics (NumPy's selection is slow on the long runs of equal scores that
    # channels have); the head is the best scores, clipped like the rest.
    ranked = np.sort(scores, axis=1) if n > _HEAD else scores
    floor = ranked[:, n - _FLOOR] if n > _FLOOR else scores.min(axis=1)
    clipped = np.maximum(scores, floor[:, None])
    head = np.maximum(ranked[:, n - _HEAD:], floor[:, None]) if n > _HEAD else clipped
    spread = head.std(axis=1)
    flat = spread.astype(np.float64) < 1e-6
    # a head of near-equal scores well above the rest (dozens of occupations holding the same DWA as their best
    # dense match) would put a candidate just below it hundreds of spreads down: the spread is at least a
    # `_LEAST_SPREAD`th of the head's height above the floor
    spread = np.maximum(spread, (head.mean(axis=1) - floor) / _LEAST_SPREAD)
    out = (clipped - head.mean(axis=1)[:, None]) / np.where(flat, np.float32(1.0), spread)[:, None]
    out[flat] = 0.0
    return out


def fuse(channels: Mapping[str, np.ndarray], weights: Mapping[str, float],
         standardised: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
    """The weighted sum of standardised channels; `standardised` (from `standardise_all`) saves redoing them."""
    total: np.ndarray | None = None
    for name, scores in channels.items():
        w = weights.get(name, 0.0)
        if w == 0.0:
            continue
        if standardised is not None and name in standardised:
            part = w * standardised[name]
        else:
            part = w * (np.asarray(scores, dtype=np.float32) if name in RAW_CHANNELS else standardise(scores))
        total = part if total is None else total + part
    if total is None:
        size = len(next(iter(channels.values()))) if channels else 0
        return np.zeros(size, dtype=np.float32)
    return total


def standardise_all(channels: Mapping[str, np.ndarray],
                    known: Mapping[str, np.ndarray] | None = None) -> Mapping[str, np.ndarray]:
    """Every channel as `fuse` adds it: standardised, or as it is for the RAW_CHANNELS flags.

    Each is worked out when first read, so channels nobody weighs cost nothing; `known` holds ones already
    worked out (a channel that does not depend on the query). Read them before changing `channels`."""
    return Standardised(channels, known)


class Standardised(Mapping):
    """`standardise_all`'s channels, each standardised on first read and then kept."""

    def __init__(self, channels: Mapping[str, np.ndarray], known: Mapping[str, np.ndarray] | None = None) -> None:
        self._channels = channels
        self._done: dict[str, np.ndarray] = {k: v for k, v in (known or {}).items() if k in channels}

    def __getitem__(self, name: str) -> np.ndarray:
        done = self._done.get(name)
        if done is None:
            values = self._channels[name]
            done = np.asarray(values, dtype=np.float32) if name in RAW_CHANNELS else standardise(values)
            self._done[name] = done
        return done

    def __iter__(self):
        return iter(self._channels)

    def __len__(self) -> int:
        return len(self._channels)

    def __contains__(self, name: object) -> bool:
        return name in self._channels


def hit_arrays(hits: Sequence, code_index: Mapping[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """Dense hits as the arrays the channel functions read: each hit's occupation index (-1 for a code this
    release does not know) and its similarity."""
    codes = np.fromiter((code_index.get(h.code, -1) for h in hits), dtype=np.int64, count=len(hits))
    similarity = np.fromiter((h.similarity for h in hits), dtype=np.float64, count=len(hits))
    return codes, similarity


def top_mean(hits: Sequence, code_index: Mapping[str, int], n: int, top: int = 3) -> np.ndarray:
    """Mean similarity of each occupation's `top` best dense hits (missing ones count as the worst hit)."""
    return top_mean_indexed(*hit_arrays(hits, code_index), n, top)


def top_mean_indexed(codes: np.ndarray, similarity: np.ndarray, n: int, top: int = 3) -> np.ndarray:
    """`top_mean` over hits given as arrays (`hit_arrays`), which a batch keeps instead of hit objects."""
    out = np.zeros(n, dtype=np.float32)
    if similarity.shape[0] == 0:
        return out
    floor = float(similarity.min())
    sums = np.zeros(n, dtype=np.float32)
    counts = np.zeros(n, dtype=np.int32)
    order = np.argsort(-similarity, kind="stable")
    codes, similarity = codes[order], similarity[order].astype(np.float32)
    known = codes >= 0
    codes, similarity = codes[known], similarity[known]
    # each hit's place among its occupation's hits, best first
    by_code = np.argsort(codes, kind="stable")
    grouped = codes[by_code]
    starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]]) if grouped.size else np.zeros(0, np.int64)
    place = np.empty_like(by_code)
    place[by_code] = np.arange(grouped.size) - np.repeat(starts, np.diff(np.r_[starts, grouped.size]))
    for r in range(top):  # in order of place, so each sum adds up best first
        at = place == r
        sums[codes[at]] += similarity[at]
        counts[codes[at]] += 1
    present = counts > 0
    out[:] = floor
    out[present] = (sums[present] + (top - counts[present]) * floor) / top
    return out


def sentence_alignment(rows: Sequence[Sequence], code_index: Mapping[str, int], n: int) -> np.ndarray:
    """Mean over the description's sentences of each occupation's best-matching task or DWA."""
    return sentence_alignment_indexed([hit_arrays(hits, code_index) for hits in rows], n)


def sentence_alignment_indexed(rows: Sequence[tuple[np.ndarray, np.ndarray]], n: int) -> np.ndarray:
    """`sentence_alignment` over each sentence's hits given as arrays (`hit_arrays`)."""
    if not rows:
        return np.zeros(n, dtype=np.float32)
    total = np.zeros(n, dtype=np.float32)
    for codes, similarity in rows:
        if similarity.shape[0] == 0:
            continue
        best = np.full(n, float(similarity.min()), dtype=np.float32)
        known = codes >= 0
        np.maximum.at(best, codes[known], similarity[known].astype(np.float32))
        total += best
    return total / len(rows)


# ----- confidence ----------------------------------------------------------------------------------------

def query_mode(query: Query) -> str:
    if query.title and query.description:
        return "title_description"
    if query.description:
        return "description"
    return "title"


def confidence(fused: np.ndarray, top: np.ndarray, channels: Mapping[str, np.ndarray], query: Query,
               groups: conf.Groups | None = None) -> list[float]:
    """Probability that each returned candidate is the right code.

    The top answer's probability comes from the model per query mode in `retrieval.confidence`; what is
    left is shared among the other candidates in proportion to exp(fused score). Candidates tied on score
    share one value, probabilities never rise down the list and never add up to more than one. `groups`
    (the SOC groups of the engine's occupations) lets the model see how the top candidates spread over
    SOC groups; without it every occupation counts as its own group.
    """
    if len(top) == 0:
        return []
    return shared_confidence(conf.top_probability(confidence_features(fused, channels, query, groups),
                                                  query_mode(query)), fused, top)


def confidence_features(fused: np.ndarray, channels: Mapping[str, np.ndarray], query: Query,
                        groups: conf.Groups | None = None) -> np.ndarray:
    """What the confidence model reads of one ranking (a batch stacks them and scores all at once)."""
    if groups is None:
        own = np.arange(fused.shape[0], dtype=np.int32)
        groups = conf.Groups(own, own, own)
    return conf.features(fused, channels, groups, query.title)


def shared_confidence(p_top: float, fused: np.ndarray, top: np.ndarray) -> list[float]:
    """Each shown candidate's probability, given the top answer's (see `confidence`).

    What the top answer leaves is shared among the best `SHARED_POOL` runners-up by score, however many are
    shown: a candidate's probability does not depend on how many candidates the caller asked for. (Shared among
    the shown ones only, three runners-up of an unsure answer each took nearly a third of what it left, more
    than the answer itself, and all showed the answer's value: "I draw blood from patients" showed Production
    Workers, All Other as likely as Phlebotomists.)"""
    if len(top) == 0:
        return []
    scores = np.asarray([float(fused[i]) for i in top], dtype=np.float64)
    first = float(scores[0])
    # np.isclose's test (rtol 1e-5, atol 1e-8) on the few shown scores, without its per-call overhead
    tied = sum(1 for v in scores.tolist() if abs(v - first) <= 1e-08 + 1e-05 * abs(first))
    out = [p_top / tied] * tied
    rest = scores[tied:]
    if rest.size:
        # the pool's best scores, best first, less the top answer and those tied with it
        n = fused.shape[0]
        size = min(max(SHARED_POOL, len(top)), n)
        best = np.sort(np.partition(fused, n - size)[n - size:].astype(np.float64))[::-1][tied:]
        weights = np.exp(rest - first)
        shares = (1.0 - p_top) * weights / max(float(np.exp(best - first).sum()), float(weights.sum()))
        for value in shares:
            out.append(min(float(value), out[-1]))
    return out
