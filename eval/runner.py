"""Put evaluation cases to the engine, one at a time, and score each answer at every level of the SOC hierarchy.

This is the only module of `eval` that calls the engine and reads the clock; the scoring itself is
`eval.metrics`. A prediction is an O*NET-SOC code; it is mapped to SOC 2018 through the release's
crosswalk, and it is right at a level when it agrees with any gold code at that level.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Protocol

from eval.cases import Case, QueryField
from eval.metrics import (
    LEVEL_LABELS,
    LEVELS,
    SOC_LEVELS,
    Level,
    LevelsOf,
    ScoredCase,
    levels_from_taxonomy,
    percentile,
    score_case,
)
from retrieval.models import Candidate, CodingResult
from retrieval.onet import KnowledgeBase

__all__ = [
    "LEVELS", "LEVEL_LABELS", "SOC_LEVELS", "Level", "CaseOutcome", "CodingEngine", "code_cases", "evidence_lines",
    "percentile",
]
TOP_WIDE = 5
EVIDENCE_SHOWN = 4


class CodingEngine(Protocol):
    kb: KnowledgeBase

    def code(
        self,
        title: str | None = None,
        description: str | None = None,
        industry: str | None = None,
        k: int = 10,
        only: Sequence[str] | None = None,
    ) -> CodingResult: ...


class CaseOutcome(ScoredCase):
    """One case's answer, kept whole so a report can show what the engine said, not only whether it was right."""

    case_id: str
    query: dict[str, str | None]
    elapsed_ms: float | None  # None when the masked query was empty and the engine was not asked


OnCase = Callable[[CaseOutcome, CodingResult | None], None]


def code_cases(
    engine: CodingEngine,
    cases: Sequence[Case],
    fields: Sequence[QueryField],
    *,
    k: int = TOP_WIDE,
    only: Sequence[str] | None = None,
    levels_of: LevelsOf | None = None,
    on_case: OnCase | None = None,
) -> list[CaseOutcome]:
    """Code every case from `fields` only (`only`: the channel groups to rank with, for ablations).

    `on_case` sees each outcome with the engine's full answer, for callers that keep more of it (evidence)
    than the outcome does.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    soc_of = engine.kb.soc_of
    levels_of = levels_of or levels_from_taxonomy(engine.kb.taxonomy)
    options: dict[str, object] = {"k": k} if only is None else {"k": k, "only": list(only)}
    outcomes: list[CaseOutcome] = []
    for case in cases:
        query = case.query(fields)
        result: CodingResult | None = None
        elapsed_ms: float | None = None
        if any((value or "").strip() for value in query.values()):
            start = time.perf_counter()
            result = engine.code(**query, **options)  # type: ignore[arg-type]
            elapsed_ms = (time.perf_counter() - start) * 1000
        candidates = result.candidates if result is not None else []
        scored = score_case(
            [c.code for c in candidates], [c.confidence for c in candidates], case.gold, case.gold_level,
            soc_of, levels_of,
        )
        outcome = CaseOutcome(case_id=case.id, query=dict(query), elapsed_ms=elapsed_ms, **scored.model_dump())
        outcomes.append(outcome)
        if on_case is not None:
            on_case(outcome, result)
    return outcomes


def evidence_lines(candidate: Candidate, width: int = 140) -> list[str]:
    """The strongest pieces of evidence of a candidate, one line each: 'alternate title: Charge Nurse [nurse]'."""
    lines = []
    for match in sorted(candidate.evidence, key=lambda m: -m.score)[:EVIDENCE_SHOWN]:
        words = f" [{', '.join(match.matched_words)}]" if match.matched_words else ""
        line = " ".join(f"{match.kind.replace('_', ' ')}: {match.text}{words}".split())
        lines.append(line if len(line) <= width else line[: width - 1] + "…")
    return lines
