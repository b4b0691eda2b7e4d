"""Accuracy, ranking, calibration and auto-coding metrics: pure functions over scored cases.

A scored case is the gold of one evaluation case with the engine's ranked answer, reduced to the rank of
the first right answer at each level of the SOC hierarchy. Every metric here is computed from that, so it
can be checked by hand on a few lines and never touches the engine, the clock or the disk.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Literal

from pydantic import BaseModel

from retrieval.onet import Taxonomy

Level = Literal["onetsoc", "soc", "broad", "minor", "major"]
LEVELS: tuple[Level, ...] = ("onetsoc", "soc", "broad", "minor", "major")
SOC_LEVELS: tuple[Level, ...] = ("soc", "broad", "minor", "major")
LEVEL_LABELS: dict[Level, str] = {
    "onetsoc": "O*NET-SOC",
    "soc": "SOC detailed",
    "broad": "SOC broad",
    "minor": "SOC minor",
    "major": "SOC major",
}
GoldLevel = Literal["onetsoc", "soc"]
LevelsOf = Callable[[str], dict[Level, str]]
GROUP_LEVELS: dict[str, Level] = {"major": "major", "minor": "minor", "broad": "broad"}


# ----- levels of the SOC hierarchy ----------------------------------------------------------------------

def prefix_levels(soc_code: str) -> dict[Level, str]:
    """The groups of a SOC detailed code by the code pattern: '51-6031' -> 51-6031, 51-6030, 51-6000, 51-0000.

    Groups are named by their own codes (as in the SOC structure) so that this fallback and the
    taxonomy's groups can be compared with each other.
    """
    return {"soc": soc_code, "broad": soc_code[:6] + "0", "minor": soc_code[:4] + "000",
            "major": soc_code[:2] + "-0000"}


def levels_from_taxonomy(taxonomy: Taxonomy) -> LevelsOf:
    """Group codes from the SOC structure, which the pattern gets wrong for some groups.

    Broad group 29-1210 (Physicians) holds 29-1221 and 29-1229, and minor group 15-1200 holds 15-1252;
    levels the taxonomy does not know fall back to the code pattern.
    """
    cache: dict[str, dict[Level, str]] = {}

    def levels_of(soc_code: str) -> dict[Level, str]:
        found = cache.get(soc_code)
        if found is None:
            found = prefix_levels(soc_code)
            for group in taxonomy.hierarchy(soc_code):
                level = GROUP_LEVELS.get(group.level)
                if level is not None:
                    found[level] = group.code
            cache[soc_code] = found
        return found

    return levels_of


# ----- scoring one case -----------------------------------------------------------------------------------

class ScoredCase(BaseModel):
    """One case's gold and ranked answer, with the rank (1-based) of the first right answer at each level.

    `hit_rank` has a key for every level the gold supports (no 'onetsoc' for SOC-level gold); the value is
    None when no answer in the list is right at that level.
    """

    gold: list[str]
    gold_level: GoldLevel
    gold_soc: list[str]
    major: str
    codes: list[str]
    soc_codes: list[str]
    confidences: list[float]
    hit_rank: dict[Level, int | None]

    @property
    def top_confidence(self) -> float | None:
        return self.confidences[0] if self.confidences else None

    def right(self, level: Level = "soc", k: int = 1) -> bool:
        rank = self.hit_rank.get(level)
        return rank is not None and rank <= k


def hit_ranks(
    codes: Sequence[str],
    gold: Sequence[str],
    gold_level: GoldLevel,
    soc_of: Callable[[str], str],
    levels_of: LevelsOf = prefix_levels,
) -> dict[Level, int | None]:
    """The rank of the first prediction that agrees with any gold code, at each level the gold supports.

    The O*NET-SOC level is only scored when the gold is O*NET-SOC: a SOC-level gold cannot tell
    29-1141.00 from 29-1141.01.
    """
    gold_groups = [levels_of(soc_of(code) if gold_level == "onetsoc" else code) for code in gold]
    wanted: dict[Level, set[str]] = {level: {g[level] for g in gold_groups} for level in SOC_LEVELS}
    levels = LEVELS if gold_level == "onetsoc" else SOC_LEVELS
    ranks: dict[Level, int | None] = {level: None for level in levels}
    for rank, code in enumerate(codes, start=1):
        predicted = levels_of(soc_of(code))
        if gold_level == "onetsoc" and ranks["onetsoc"] is None and code in gold:
            ranks["onetsoc"] = rank
        for level in SOC_LEVELS:
            if ranks[level] is None and predicted[level] in wanted[level]:
                ranks[level] = rank
    return ranks


def score_case(
    codes: Sequence[str],
    confidences: Sequence[float],
    gold: Sequence[str],
    gold_level: GoldLevel,
    soc_of: Callable[[str], str],
    levels_of: LevelsOf = prefix_levels,
) -> ScoredCase:
    gold_soc = [soc_of(code) if gold_level == "onetsoc" else code for code in gold]
    return ScoredCase(
        gold=list(gold),
        gold_level=gold_level,
        gold_soc=gold_soc,
        major=levels_of(gold_soc[0])["major"],
        codes=list(codes),
        soc_codes=[soc_of(code) for code in codes],
        confidences=list(confidences),
        hit_rank=hit_ranks(codes, gold, gold_level, soc_of, levels_of),
    )


# ----- accuracy -------------------------------------------------------------------------------------------

def share(hits: Sequence[bool]) -> float | None:
    return sum(hits) / len(hits) if hits else None


def topk_by_level(cases: Sequence[ScoredCase], k: int) -> dict[Level, float | None]:
    """Share of cases with a right answer among the first k, per level; each level over the cases that have it."""
    return {level: share([c.right(level, k) for c in cases if level in c.hit_rank]) for level in LEVELS}


def mean_reciprocal_rank(cases: Sequence[ScoredCase], level: Level = "soc") -> float | None:
    """Mean of 1/rank of the first right answer (0 when none of the listed answers is right)."""
    ranks = [c.hit_rank[level] for c in cases if level in c.hit_rank]
    return sum(1 / r for r in ranks if r is not None) / len(ranks) if ranks else None


class GroupScore(BaseModel):
    code: str
    title: str
    n: int
    top1: float
    top5: float


def per_major_group(
    cases: Sequence[ScoredCase], titles: Mapping[str, str] | None = None, level: Level = "soc"
) -> list[GroupScore]:
    """Top-1 and top-5 accuracy at `level` by the SOC major group of each case's (first) gold code."""
    by_group: dict[str, list[ScoredCase]] = defaultdict(list)
    for case in cases:
        by_group[case.major].append(case)
    return [
        GroupScore(
            code=code,
            title=(titles or {}).get(code, ""),
            n=len(members),
            top1=sum(c.right(level, 1) for c in members) / len(members),
            top5=sum(c.right(level, 5) for c in members) / len(members),
        )
        for code, members in sorted(by_group.items())
    ]


class Confusion(BaseModel):
    gold: list[str]
    predicted: str
    count: int


def confusions(cases: Sequence[ScoredCase], top: int = 15) -> list[Confusion]:
    """The most frequent (gold SOC codes -> predicted SOC code) pairs among wrong top-1 answers.

    The gold side is the case's whole set of acceptable SOC codes: for a Census code that covers several
    SOC codes, that set is what the coder was asked to hit.
    """
    counts: Counter[tuple[tuple[str, ...], str]] = Counter()
    for case in cases:
        if case.soc_codes and not case.right("soc", 1):
            counts[(tuple(sorted(set(case.gold_soc))), case.soc_codes[0])] += 1
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [Confusion(gold=list(gold), predicted=predicted, count=n) for (gold, predicted), n in ordered[:top]]


# ----- calibration ----------------------------------------------------------------------------------------

def calibration_inputs(cases: Sequence[ScoredCase]) -> tuple[list[float | None], list[bool]]:
    """The top answer's confidence (None without an answer) and whether it is right at SOC detailed level."""
    return [c.top_confidence for c in cases], [c.right("soc", 1) for c in cases]


class Bin(BaseModel):
    low: float
    high: float
    n: int
    mean_confidence: float | None
    accuracy: float | None


def reliability(confidences: Sequence[float | None], correct: Sequence[bool], bins: int = 10) -> list[Bin]:
    """Equal-width confidence bins with their mean confidence and accuracy; cases without an answer are left out.

    Each bin holds low <= confidence < high, the last one also 1.0.
    """
    if len(confidences) != len(correct):
        raise ValueError("confidences and correct must have the same length")
    members: list[list[tuple[float, bool]]] = [[] for _ in range(bins)]
    for confidence, right in zip(confidences, correct):
        if confidence is not None:
            members[min(int(confidence * bins), bins - 1)].append((confidence, right))
    out = []
    for i, group in enumerate(members):
        n = len(group)
        out.append(Bin(
            low=i / bins,
            high=(i + 1) / bins,
            n=n,
            mean_confidence=sum(c for c, _ in group) / n if n else None,
            accuracy=sum(r for _, r in group) / n if n else None,
        ))
    return out


def expected_calibration_error(bins: Sequence[Bin]) -> float | None:
    """Mean |accuracy - confidence| over the bins, weighted by how many cases each holds."""
    total = sum(b.n for b in bins)
    if not total:
        return None
    gaps = [b.n * abs(b.accuracy - b.mean_confidence) for b in bins
            if b.accuracy is not None and b.mean_confidence is not None]
    return sum(gaps) / total


# ----- auto-coding: coverage against precision ------------------------------------------------------------

class Point(BaseModel):
    """Accepting the answers with confidence >= threshold auto-codes `coverage` of all cases at `precision`."""

    threshold: float
    accepted: int
    coverage: float
    precision: float


def coverage_curve(confidences: Sequence[float | None], correct: Sequence[bool]) -> list[Point]:
    """One point per distinct confidence, from the highest threshold (least coverage) down.

    Coverage is over all cases, including those without an answer, which are never auto-coded.
    """
    if len(confidences) != len(correct):
        raise ValueError("confidences and correct must have the same length")
    total = len(confidences)
    answered = sorted(((c, r) for c, r in zip(confidences, correct) if c is not None), key=lambda x: -x[0])
    points: list[Point] = []
    accepted = right = 0
    for i, (confidence, is_right) in enumerate(answered):
        accepted += 1
        right += is_right
        if i + 1 == len(answered) or answered[i + 1][0] != confidence:
            points.append(Point(threshold=confidence, accepted=accepted, coverage=accepted / total,
                                precision=right / accepted))
    return points


def threshold_for_precision(curve: Sequence[Point], target: float) -> Point | None:
    """The point that auto-codes the most cases while its precision is at least `target` (None if none is)."""
    reaching = [p for p in curve if p.precision >= target - 1e-12]
    return max(reaching, key=lambda p: (p.coverage, p.threshold)) if reaching else None


def thin_curve(curve: Sequence[Point], max_points: int = 200) -> list[Point]:
    """At most `max_points` points spread along the curve (first and last kept), for plots and JSON."""
    if len(curve) <= max_points:
        return list(curve)
    step = (len(curve) - 1) / (max_points - 1)
    return [curve[round(i * step)] for i in range(max_points)]


# ----- latency --------------------------------------------------------------------------------------------

def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (as numpy's default); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# ----- the figures a report leads with ------------------------------------------------------------------

class Headline(BaseModel):
    """The figures that say how good a ranking is, on one set of cases (shares in [0, 1])."""

    n: int
    top1: dict[Level, float | None]
    top5: dict[Level, float | None]
    mrr: float | None  # SOC detailed, over the answers listed (MRR@k)
    ece: float | None
    coverage_at_90: float | None  # share auto-coded at >= 90% precision (SOC detailed); None if unreachable
    threshold_at_90: float | None
    coverage_at_95: float | None
    threshold_at_95: float | None


def headline_metrics(cases: Sequence[ScoredCase], bins: int = 10) -> Headline:
    confidences, correct = calibration_inputs(cases)
    curve = coverage_curve(confidences, correct)
    at_90, at_95 = threshold_for_precision(curve, 0.90), threshold_for_precision(curve, 0.95)
    return Headline(
        n=len(cases),
        top1=topk_by_level(cases, 1),
        top5=topk_by_level(cases, 5),
        mrr=mean_reciprocal_rank(cases, "soc"),
        ece=expected_calibration_error(reliability(confidences, correct, bins)),
        coverage_at_90=at_90.coverage if at_90 else None,
        threshold_at_90=at_90.threshold if at_90 else None,
        coverage_at_95=at_95.coverage if at_95 else None,
        threshold_at_95=at_95.threshold if at_95 else None,
    )
