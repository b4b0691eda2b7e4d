"""A learned second pass over the fused ranking: re-order the best few candidates from what each channel says.

The fixed-weight fusion (`rank.fuse`) finds a good pool; a linear model over per-candidate features (each
channel's raw and standardised score and rank, the lead of the fused score, how many of the other strong
candidates sit in the same SOC group, whether it supervises the work the strong candidates describe, ...)
re-orders that pool. The model is fitted by
`scripts/fit_reranker.py` on pseudo-queries built from O*NET itself (bundles of held-out tasks; held-out
titles for the title models, which are not shipped), never on the evaluation cases; its coefficients live
in `reranker.json` beside this module. A query whose model `reranker.json` lacks keeps the fused order.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from importlib import resources

import numpy as np
import Stemmer

from retrieval import rank
from retrieval.normalize import text_tokens

POOL = 40  # candidates the model re-orders; the rest keep their fused order below them
# The features (ranks within a channel, scores standardised against the best 50 and floored at the 200th)
# mean what they meant at fitting time only over a full release's ~1,000 occupations; a small or partial
# release (a test fixture, a subset) keeps the fused order.
MIN_OCCUPATIONS = 500
# Content words of a description past which its length no longer tells whether it is a job no detailed occupation
# describes (about one task statement: O*NET's median is 9). Held-out O*NET pseudo-queries: uncapped, queries of
# 13 or more words lost 1.4 points of top-1 to an "All Other" answer; capped at 8, 0.7.
RESIDUAL_WORDS = 8
CHANNELS = ("title", "title_support", "title_exact", "title_exact_share", "lexical_title", "dense_title",
            "lexical_description", "title_mentions", "dense_description", "dense_sentences", "lexical_industry",
            "supervision")
_CONSENSUS_TOP = 10
# Channels the models cannot weigh because their pseudo-queries never have them: the title read with the customer's
# industry ("Teller" at a bank meets "Bank Teller"). The model's scores get each as the fusion weighs it
# (`_with_setting`).
SETTING_CHANNELS = {"title_industry": rank.TITLE_INDUSTRY_WEIGHT}
TITLE_KINDS = ("alternate_title", "reported_title", "direct_match_title")


@dataclass(frozen=True)
class Pool:
    """What the model needs to know about the pool of one query: small enough to cache for thousands of queries."""

    index: np.ndarray  # occupation indices, fused order
    fused: np.ndarray  # fused score of each
    raw: np.ndarray  # (len(CHANNELS), pool) raw channel values, 0 where the channel is absent
    std: np.ndarray  # same, standardised against the whole channel
    rank: np.ndarray  # same, the candidate's rank within the channel (0 = best)
    present: np.ndarray  # (len(CHANNELS),) 1 where the query had the channel
    words: int = 0  # content words of the query's description (0 without one)
    endings: int = 0  # for a title several occupations list, how many others list a title ending in it


def description_words(description: str | None) -> int:
    """How many content words a query's description has (0 without one)."""
    return len(text_tokens(description)) if description else 0


def gather(channels: Mapping[str, np.ndarray], fused: np.ndarray, size: int = POOL,
           standardised: Mapping[str, np.ndarray] | None = None,
           overseer: Callable[[], np.ndarray] | None = None, words: int = 0) -> Pool:
    """The best `size` candidates by fused score, and, when the query reads as supervisory (`supervision`) and
    `overseer` is given, the supervisors of the best few of them: a supervisor described by the work of the
    people it supervises ranks far below them. `overseer` gives `Statics.overseer`, asked for only then.
    `words` is how many content words the query's description has."""
    n = fused.shape[0]
    size = min(size, n)
    part = np.argpartition(-fused, size - 1)[:size] if n > size else np.arange(n)
    index = part[np.argsort(-fused[part], kind="stable")]
    cue = channels.get("supervision")
    if overseer is not None and cue is not None and float(np.max(cue)) > 0:
        pooled = set(index.tolist())
        heads = dict.fromkeys(int(h) for h in overseer()[index[:_CONSENSUS_TOP]])
        extra = [h for h in heads if h >= 0 and h not in pooled]
        if extra:
            extra = np.array(extra, dtype=index.dtype)
            index = np.concatenate([index, extra[np.argsort(-fused[extra], kind="stable")]])
            size = index.shape[0]
    raw = np.zeros((len(CHANNELS), size), dtype=np.float32)
    std = np.zeros_like(raw)
    ranks = np.zeros_like(raw)
    present = np.zeros(len(CHANNELS), dtype=np.float32)
    for c, name in enumerate(CHANNELS):
        values = channels.get(name)
        if values is None:
            ranks[c] = n
            continue
        present[c] = 1.0
        values = np.asarray(values, dtype=np.float32)
        raw[c] = values[index]
        if standardised is not None and name in standardised:
            std[c] = standardised[name][index]
        else:
            std[c] = rank.standardise(values)[index] if name not in rank.RAW_CHANNELS else values[index]
        # how many occupations score strictly higher
        ranks[c] = n - np.searchsorted(np.sort(values), raw[c], side="right")
    return Pool(index.astype(np.int32), fused[index].astype(np.float32), raw, std, ranks, present, words)


@dataclass(frozen=True)
class Statics:
    """Per-occupation facts that do not depend on the query."""

    breadth: np.ndarray  # log number of titles O*NET lists
    kinds: np.ndarray  # (n, len(TITLE_KINDS)) log number of titles of each kind
    generic: np.ndarray  # 1 for the '.00' occupation of a SOC code
    vocabulary: np.ndarray  # log size of its word list: small for occupations O*NET has no tasks for
    detailed: np.ndarray  # index of its SOC detailed code (the ".00" occupation and its specialties share one)
    broad: np.ndarray  # index of its SOC broad group
    minor: np.ndarray  # index of its SOC minor group
    residual: np.ndarray  # 1 for a group's "All Other" occupation: titles but no tasks, the jobs no other one describes
    supervisor: np.ndarray  # 1 for a first-line supervisor occupation (its SOC minor group supervises)
    overseer: np.ndarray  # index of the supervisor occupation whose workers do this occupation's work, -1 if none


def is_all_other(title: str) -> bool:
    """Whether an occupation is its group's residual one ("Production Workers, All Other")."""
    return title.endswith("All Other")


def is_supervisor_group(title: str) -> bool:
    """Whether a SOC minor group is first-line supervisors ("Supervisors of Production Workers")."""
    return "Supervisors" in title


def supervisor_flags(soc_codes: list[str], taxonomy) -> np.ndarray:
    """1 for an occupation whose SOC minor group is one of first-line supervisors, else 0."""
    flag = np.zeros(len(soc_codes), dtype=np.float32)
    for i, soc in enumerate(soc_codes):
        minor = next((g for g in taxonomy.hierarchy(soc) if g.level == "minor"), None)
        flag[i] = float(minor is not None and is_supervisor_group(minor.title))
    return flag


def supervisors(soc_codes: list[str], taxonomy, vocab: list[frozenset[str]], codes: list[str],
                titles: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Which occupations supervise (their SOC minor group is one of supervisors), and for every other occupation
    the supervisor of its work: SOC files a first-line supervisor by the workers supervised, and those are in
    the supervisor's major group. Where a major group has several supervisor occupations (police, fire and
    security supervisors), a worker goes to the one whose O*NET words (titles, tasks, DWAs) share the most
    with its own, each word weighted by how few occupations use it.

    `codes` and `titles` are the occupations' O*NET-SOC codes and titles. A supervisor that is an O*NET specialty
    of a SOC code whose general occupation also supervises is the supervisor only of workers whose title names its
    specialty (its title's rarest word, stemmed: "Solar" for Solar Energy Installation Managers, "Recycling" for
    Recycling Coordinators). Otherwise a specialty's few words met any worker sharing one of them: Electricians,
    Carpet Installers and Earth Drillers had gone to Solar Energy Installation Managers, not to First-Line
    Supervisors of Construction Trades and Extraction Workers."""
    n = len(soc_codes)
    flag = supervisor_flags(soc_codes, taxonomy)
    overseer = np.full(n, -1, dtype=np.int32)
    counts: dict[str, int] = {}
    for words in vocab:
        for w in words:
            counts[w] = counts.get(w, 0) + 1
    idf = {w: float(np.log(n / c)) for w, c in counts.items()}
    mass = [sum(idf[w] for w in words) or 1.0 for words in vocab]
    by_major: dict[str, list[int]] = {}
    for i in np.flatnonzero(flag):
        by_major.setdefault(soc_codes[i][:2], []).append(int(i))
    stem = Stemmer.Stemmer("english").stemWord  # one per call: a Snowball stemmer is not shared between threads
    named = _specialty_words(soc_codes, flag, codes, titles, counts, stem)
    for i, soc in enumerate(soc_codes):
        heads = by_major.get(soc[:2])
        if flag[i] or not heads:
            continue
        if any(h in named for h in heads):  # a specialty supervisor: only of workers whose title names it
            own = {stem(w) for w in text_tokens(titles[i])}
            heads = [h for h in heads if h not in named or named[h] in own]
        if len(heads) == 1:
            overseer[i] = heads[0]
            continue
        shared = [sum(idf[w] for w in vocab[i] & vocab[h]) / np.sqrt(mass[i] * mass[h]) for h in heads]
        overseer[i] = heads[int(np.argmax(shared))]
    return flag, overseer


def _specialty_words(soc_codes: list[str], flag: np.ndarray, codes: list[str], titles: list[str],
                     counts: Mapping[str, int], stem: Callable[[str], str]) -> dict[int, str]:
    """Each supervisor occupation that is a specialty of a SOC code whose general (".00") occupation also
    supervises, with the stem of its title's rarest word (fewest occupations use it)."""
    general = {soc_codes[i] for i in np.flatnonzero(flag) if codes[i].endswith(".00")}
    out = {}
    for i in np.flatnonzero(flag):
        words = [w for w in text_tokens(titles[i]) if w in counts]
        if not codes[i].endswith(".00") and soc_codes[i] in general and words:
            out[int(i)] = stem(min(words, key=lambda w: (counts[w], w)))
    return out


SUPERVISION_COVERAGE = 0.5  # share of the supervisor occupations whose statements use a word
SUPERVISION_MIN_RATIO = 0.5  # log of how much likelier a supervisor's statement is to use it than another's


def supervision_words(statements: list[list[str]], supervisor: np.ndarray) -> dict[str, float]:
    """Words of supervising, from O*NET's own statements: those that most first-line supervisor occupations use
    in their tasks and DWAs (so not the trade of any one of them: "inmate", "menu") and that a supervisor's
    statement uses clearly more often than another occupation's ("assign", "worker", "hire"), each weighted by
    that log ratio. `statements` holds each occupation's task and DWA texts."""
    uses = {True: {}, False: {}}  # word -> statements using it, of supervisors and of the others
    totals = {True: 0, False: 0}
    coverage: dict[str, int] = {}  # word -> supervisor occupations using it
    heads = 0
    for texts, head in zip(statements, (supervisor > 0).tolist()):
        seen: set[str] = set()
        for text in texts:
            words = set(text_tokens(text))
            seen |= words
            for w in words:
                uses[head][w] = uses[head].get(w, 0) + 1
        totals[head] += len(texts)
        if head and texts:
            heads += 1
            for w in seen:
                coverage[w] = coverage.get(w, 0) + 1
    out: dict[str, float] = {}
    if not heads or not totals[False]:
        return out
    for w, count in coverage.items():
        if count < SUPERVISION_COVERAGE * heads:
            continue
        ratio = (np.log((uses[True].get(w, 0) + 1) / (totals[True] + 2))
                 - np.log((uses[False].get(w, 0) + 1) / (totals[False] + 2)))
        if ratio > SUPERVISION_MIN_RATIO:
            out[w] = round(float(ratio), 4)
    return out


def soc_groups(soc_codes: list[str], taxonomy) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each occupation's SOC detailed code, broad group and minor group, as indices (occupations that share one
    share its index)."""
    detailed_ids: dict[str, int] = {}
    broad_ids: dict[str, int] = {}
    minor_ids: dict[str, int] = {}
    detailed = np.array([detailed_ids.setdefault(soc, len(detailed_ids)) for soc in soc_codes], dtype=np.int32)
    broad = np.zeros(len(soc_codes), dtype=np.int32)
    minor = np.zeros(len(soc_codes), dtype=np.int32)
    for i, soc in enumerate(soc_codes):
        levels = {g.level: g.code for g in taxonomy.hierarchy(soc)}
        broad[i] = broad_ids.setdefault(levels.get("broad", soc), len(broad_ids))
        minor[i] = minor_ids.setdefault(levels.get("minor", soc[:4]), len(minor_ids))
    return detailed, broad, minor


def build_statics(codes: list[str], soc_codes: list[str], taxonomy, titles,
                  vocab: list[frozenset[str]], occupation_titles: list[str],
                  groups: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> Statics:
    """`titles` is the engine's `TitleIndex`: how many names O*NET and BLS give an occupation, and of which kind,
    stands in for how common it is (O*NET pseudo-queries drawn one title at a time carry that prior). `groups` is
    `soc_groups`'s answer where the caller has it already."""
    detailed, broad, minor = groups if groups is not None else soc_groups(soc_codes, taxonomy)
    generic = np.array([c.endswith(".00") for c in codes], dtype=np.float32)
    vocabulary = np.log1p(np.array([len(v) for v in vocab], dtype=np.float32))
    n = len(codes)
    breadth = np.log1p(np.bincount(titles.doc_codes, minlength=n)).astype(np.float32)
    kinds = np.zeros((n, len(TITLE_KINDS)), dtype=np.float32)
    column = {k: j for j, k in enumerate(TITLE_KINDS)}
    for doc in titles.docs:
        j = column.get(doc.kind)
        if j is not None:
            kinds[doc.code_index, j] += 1
    residual = np.array([is_all_other(t) for t in occupation_titles], dtype=np.float32)
    supervisor, overseer = supervisors(soc_codes, taxonomy, vocab, codes, occupation_titles)
    return Statics(breadth, np.log1p(kinds), generic, vocabulary, detailed, broad, minor, residual, supervisor,
                   overseer)


def _consensus(groups: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """For each candidate, the share of the top candidates' weight that falls in its own group (itself excluded)."""
    top = min(_CONSENSUS_TOP, groups.shape[0])
    same = groups[:, None] == groups[None, :top]
    mass = (same * weights[None, :top]).sum(axis=1)
    mass[:top] -= weights[:top]
    return mass / max(float(weights[:top].sum()), 1e-6)


def general_first(index: np.ndarray, scores: np.ndarray, statics: Statics) -> np.ndarray:
    """`scores` of a pool (fused order) with the order the fusion gave the occupations of one SOC detailed code kept
    when it put the code's general (".00") occupation first: the model's group features lift whichever occupation
    stands behind a strong one of its own group, which between a general occupation and its specialties says nothing
    ("Staff nurse" with a hospital's nursing duties had come out Critical Care Nurses). Held-out O*NET shared-title
    queries: top-1 at O*NET-SOC 0.575 with the model's order, 0.571 kept so; SOC detailed the same by construction."""
    out = scores.copy()
    groups = statics.detailed[index]
    for group in np.unique(groups):
        members = np.flatnonzero(groups == group)  # in fused order
        if members.size > 1 and statics.generic[index[members[0]]]:
            out[members] = np.sort(out[members])[::-1]
    return out


def _supervised_share(index: np.ndarray, overseer: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """For each candidate, the share of the top candidates' weight that falls on occupations it supervises."""
    top = min(_CONSENSUS_TOP, index.shape[0])
    heads = overseer[index[:top]]
    share = ((heads[None, :] == index[:, None]) * weights[None, :top]).sum(axis=1)
    return share / max(float(weights[:top].sum()), 1e-6)


def features(pool: Pool, statics: Statics) -> np.ndarray:
    """(pool, F) feature matrix; the column order is `feature_names()`."""
    size = pool.index.shape[0]
    lead = pool.fused - pool.fused[0]
    soft = np.exp(np.clip(lead, -30, 0)).astype(np.float32)
    cols = [
        lead,
        np.log1p(np.arange(size, dtype=np.float32)),
        soft / soft.sum(),
    ]
    for c in range(len(CHANNELS)):
        cols.append(pool.raw[c])
        cols.append(pool.std[c])
        cols.append(np.log1p(pool.rank[c]) * pool.present[c])
        cols.append(pool.raw[c] - pool.raw[c].max())
    idx = pool.index
    cols += [statics.kinds[idx, j] for j in range(len(TITLE_KINDS))]
    supervised = _supervised_share(idx, statics.overseer, soft)
    cue = float(pool.raw[CHANNELS.index("supervision")].max())
    cols += [statics.breadth[idx], statics.generic[idx], statics.vocabulary[idx], statics.residual[idx],
             _consensus(statics.broad[idx], soft), _consensus(statics.minor[idx], soft),
             statics.supervisor[idx], supervised, cue * supervised,
             # a job no detailed occupation describes needs a description long enough to rule them out: "I clean
             # offices" is too short to say that no cleaning occupation fits
             statics.residual[idx] * np.float32(np.log1p(min(pool.words, RESIDUAL_WORDS))),
             # a title several occupations list is one of theirs more surely when no other occupation has a title
             # ending in it ("Table Hand") than when many have ("Installer": 21 list it, 64 more "... Installer")
             (pool.raw[CHANNELS.index("title_exact_share")] > 0) * np.float32(np.log1p(pool.endings))]
    return np.stack(cols, axis=1).astype(np.float32)


def _with_setting(scores: np.ndarray, index: np.ndarray, channels: Mapping[str, np.ndarray], fused: np.ndarray,
                  standardised: Mapping[str, np.ndarray]) -> np.ndarray:
    """The model's scores of a pool with the `SETTING_CHANNELS` the query has added as the fusion adds them, brought
    from the fusion's spread over the pool to the model's: the share of the ranking the fusion gives the industry is
    kept. On the DOT cases with every field, top-1 at SOC detailed moved from 80.2% to 80.7% ("Teller" with "I count
    cash, take deposits" at a bank: Cashiers 79% before, Tellers 59% now); a query without both a title and an
    industry is not changed."""
    names = [name for name in SETTING_CHANNELS if name in channels]
    if not names:
        return scores
    setting = sum(SETTING_CHANNELS[name] * np.asarray(standardised[name], dtype=np.float64)[index] for name in names)
    spread = float((fused[index].astype(np.float64) - setting).std())
    if spread <= 1e-9:
        return scores
    return (scores + float(scores.std()) / spread * setting).astype(np.float32)


def feature_names() -> list[str]:
    names = ["fused_lead", "fused_rank", "fused_share"]
    for name in CHANNELS:
        names += [f"{name}.raw", f"{name}.std", f"{name}.rank", f"{name}.gap"]
    names += [f"{kind}s" for kind in TITLE_KINDS]
    return names + ["breadth", "generic", "vocabulary", "residual", "broad_consensus", "minor_consensus",
                    "supervisor", "supervised_share", "supervision_x_supervised", "residual_x_words",
                    "listed_x_endings"]


def model_key(mode: str, pool: Pool) -> str:
    """Which model scores this pool. A title that some occupations list word for word is a different problem
    (which of those occupations?) from one nobody lists (who has a title like it?), and one that several list
    ("Gluer": three occupations) from one that one lists (it is that one's, with rare exceptions), so each has its
    own model: `mode`, `mode:exact` (one lister) and `mode:shared` (several)."""
    share = float(pool.raw[CHANNELS.index("title_exact_share")].max())  # 1/m for the m listing occupations
    if mode != "description" and share > 0:
        return f"{mode}:exact" if share >= 1.0 else f"{mode}:shared"
    return mode


def possible_keys(mode: str, channels: Mapping[str, np.ndarray]) -> tuple[str, ...]:
    """The keys `model_key` can give the pool of a query, read off the whole ranking before the pool is gathered: a
    pool holds some of the occupations listing the title (each with the same share) or none of them."""
    share = channels.get("title_exact_share")
    top = float(share.max()) if share is not None and mode != "description" else 0.0
    if top <= 0:
        return (mode,)
    return (mode, f"{mode}:exact" if top >= 1.0 else f"{mode}:shared")


class Reranker:
    """Linear scores per query mode; a mode the file lacks leaves the fused order as it is."""

    def __init__(self, params: Mapping) -> None:
        self.modes = {}
        names = feature_names()
        for mode, p in params.get("modes", {}).items():
            if p.get("features") != names:
                continue  # fitted on another feature set: ignore rather than mis-score
            self.modes[mode] = (np.asarray(p["mean"], dtype=np.float32), np.asarray(p["scale"], dtype=np.float32),
                                np.asarray(p["coef"], dtype=np.float32), float(p.get("bias", 0.0)))

    @classmethod
    def packaged(cls) -> Reranker:
        path = resources.files("retrieval").joinpath("reranker.json")
        if not path.is_file():
            return cls({})
        return cls(json.loads(path.read_text()))

    def score(self, X: np.ndarray, mode: str) -> np.ndarray | None:
        params = self.modes.get(mode)
        if params is None:
            return None
        mean, scale, coef, bias = params
        return ((X - mean) / scale) @ coef + bias

    def rerank(self, channels: Mapping[str, np.ndarray], fused: np.ndarray, mode: str,
               statics: Callable[[], Statics], standardised: Mapping[str, np.ndarray] | None = None,
               description: str | None = None, endings: Callable[[], int] | None = None) -> np.ndarray:
        """Fused scores with the pool re-scored by the model and kept above every other occupation; `description`
        is the query's, whose length in content words the model reads (counted only when a model applies), and
        `endings` gives, for its title, `TitleIndex.endings` (asked only when the shared-title model applies).

        `statics` is called only when a model could apply (and, for the pool, when the query supervises), so queries
        the reranker leaves alone never pay for it."""
        if fused.shape[0] < MIN_OCCUPATIONS or not any(key in self.modes for key in possible_keys(mode, channels)):
            return fused  # no model could apply: the pool need not be gathered
        pool = gather(channels, fused, standardised=standardised, overseer=lambda: statics().overseer,
                      words=description_words(description))
        key = model_key(mode, pool)
        if key not in self.modes:
            return fused
        shared = key.endswith(":shared")
        if shared and endings is not None:
            pool = replace(pool, endings=endings())
        scores = self.score(features(pool, statics()), key)
        if standardised is not None:
            scores = _with_setting(scores, pool.index, channels, fused, standardised)
        if shared:
            scores = general_first(pool.index, scores, statics())
        out = fused - float(fused.max()) + float(scores.min()) - 1.0
        out[pool.index] = scores
        return out.astype(np.float32)
