"""Run the engine over evaluation cases and score it at every level of the SOC hierarchy.

Scoring is a set of pure functions over codes; only `run_eval` calls the engine and reads the clock.
A prediction is an O*NET-SOC code; it is mapped to SOC 2018 through the release's crosswalk, and it is
right at a level when it agrees with any gold code at that level.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Literal, Protocol

from pydantic import BaseModel
from tqdm.auto import tqdm

from eval.cases import Case, GoldLevel, QueryField
from retrieval.models import CodingResult
from retrieval.onet import KnowledgeBase

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
TOP_WIDE = 5


class CodingEngine(Protocol):
    kb: KnowledgeBase

    def code(
        self,
        title: str | None = None,
        description: str | None = None,
        industry: str | None = None,
        k: int = 10,
    ) -> CodingResult: ...


def soc_levels(code_soc: str) -> dict[Level, str]:
    """'51-6031' -> detailed '51-6031', broad '51-603', minor '51-6', major '51'."""
    return {"soc": code_soc[:7], "broad": code_soc[:6], "minor": code_soc[:4], "major": code_soc[:2]}


def match_levels(
    predicted: str, gold: Sequence[str], gold_level: GoldLevel, soc_of: Callable[[str], str]
) -> dict[Level, bool]:
    """The levels at which one predicted O*NET-SOC code agrees with some gold code.

    The O*NET-SOC level is only scored when the gold is O*NET-SOC: a SOC-level gold cannot tell
    29-1141.00 from 29-1141.01.
    """
    predicted_levels = soc_levels(soc_of(predicted))
    gold_levels = [soc_levels(soc_of(code) if gold_level == "onetsoc" else code) for code in gold]
    hits: dict[Level, bool] = {
        level: any(predicted_levels[level] == g[level] for g in gold_levels) for level in SOC_LEVELS
    }
    if gold_level == "onetsoc":
        hits = {"onetsoc": predicted in gold, **hits}
    return hits


def score_ranking(
    predicted: Sequence[str],
    gold: Sequence[str],
    gold_level: GoldLevel,
    soc_of: Callable[[str], str],
    top: int,
) -> dict[Level, bool]:
    """Whether any of the first `top` predictions is right, at each level the gold supports."""
    levels = LEVELS if gold_level == "onetsoc" else SOC_LEVELS
    matches = [match_levels(code, gold, gold_level, soc_of) for code in predicted[:top]]
    return {level: any(m[level] for m in matches) for level in levels}


def share(hits: Sequence[bool]) -> float | None:
    return sum(hits) / len(hits) if hits else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (as numpy's default); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


class CasePrediction(BaseModel):
    """One case's answer, kept whole so a report can show what the engine said, not only whether it was right."""

    case_id: str
    gold: list[str]
    gold_level: GoldLevel
    query: dict[str, str | None]
    codes: list[str]
    soc_codes: list[str]
    confidences: list[float]
    top1: dict[Level, bool]
    top5: dict[Level, bool]
    elapsed_ms: float | None  # None when the masked query was empty and the engine was not asked


class FileResult(BaseModel):
    cases: str
    n: int
    fields: list[QueryField]
    k: int
    top1: dict[Level, float | None]
    top5: dict[Level, float | None]
    p50_ms: float | None
    p95_ms: float | None
    release: str = ""
    engine_version: str = ""
    predictions: list[CasePrediction]

    def summary(self) -> dict[str, object]:
        """The `oca eval --json` record of this file."""
        return {
            "cases": self.cases,
            "n": self.n,
            "fields": list(self.fields),
            "top1": {level: self.top1.get(level) for level in LEVELS},
            "top5": {level: self.top5.get(level) for level in LEVELS},
            "p50_ms": self.p50_ms,
            "p95_ms": self.p95_ms,
        }


def summarize(predictions: Sequence[CasePrediction], key: Literal["top1", "top5"]) -> dict[Level, float | None]:
    """Share of cases right at each level; O*NET-SOC over the cases whose gold is at that level only."""
    out: dict[Level, float | None] = {}
    for level in LEVELS:
        scored = [getattr(p, key)[level] for p in predictions if level in getattr(p, key)]
        out[level] = share(scored)
    return out


def run_eval(
    engine: CodingEngine,
    cases: Sequence[Case],
    fields: Sequence[QueryField],
    k: int = TOP_WIDE,
    progress: bool = True,
    *,
    path: str = "",
) -> FileResult:
    """Code every case from `fields` only, and score the top-1 and top-5 answers (top-k when k < 5)."""
    if k < 1:
        raise ValueError("k must be at least 1")
    soc_of = engine.kb.soc_of
    predictions: list[CasePrediction] = []
    release = engine_version = ""
    for case in tqdm(cases, desc=f"eval {path}".strip(), unit="case", disable=not progress):
        query = case.query(fields)
        codes: list[str] = []
        confidences: list[float] = []
        elapsed_ms: float | None = None
        if any((value or "").strip() for value in query.values()):
            start = time.perf_counter()
            result = engine.code(**query, k=k)
            elapsed_ms = (time.perf_counter() - start) * 1000
            codes = [c.code for c in result.candidates]
            confidences = [c.confidence for c in result.candidates]
            release, engine_version = result.release, result.engine_version
        predictions.append(
            CasePrediction(
                case_id=case.id,
                gold=list(case.gold),
                gold_level=case.gold_level,
                query=dict(query),
                codes=codes,
                soc_codes=[soc_of(code) for code in codes],
                confidences=confidences,
                top1=score_ranking(codes, case.gold, case.gold_level, soc_of, 1),
                top5=score_ranking(codes, case.gold, case.gold_level, soc_of, TOP_WIDE),
                elapsed_ms=elapsed_ms,
            )
        )
    timings = [p.elapsed_ms for p in predictions if p.elapsed_ms is not None]
    p50, p95 = percentile(timings, 50), percentile(timings, 95)
    return FileResult(
        cases=path,
        n=len(predictions),
        fields=list(fields),
        k=k,
        top1=summarize(predictions, "top1"),
        top5=summarize(predictions, "top5"),
        p50_ms=round(p50, 3) if p50 is not None else None,
        p95_ms=round(p95, 3) if p95 is not None else None,
        release=release,
        engine_version=engine_version,
        predictions=predictions,
    )


def format_table(result: FileResult) -> str:
    """A plain-text table of one file's scores, for the terminal."""

    def pct(value: float | None) -> str:
        return "—" if value is None else f"{value * 100:5.1f}%"

    def ms(value: float | None) -> str:
        return "—" if value is None else f"{value:.1f} ms"

    lines = [
        f"{result.cases}: {result.n} cases, fields {', '.join(result.fields)}, k={result.k}",
        f"  {'level':<14}{'top-1':>8}{'top-5':>8}",
    ]
    for level in LEVELS:
        lines.append(f"  {LEVEL_LABELS[level]:<14}{pct(result.top1.get(level)):>8}{pct(result.top5.get(level)):>8}")
    lines.append(f"  latency p50 {ms(result.p50_ms)}, p95 {ms(result.p95_ms)}")
    return "\n".join(lines)
