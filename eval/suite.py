"""One evaluation run over several case files: every metric, the worst failures, speed, and ablations.

`run_suite` is what `oca eval` and the app's evaluation page call; its `SuiteResult` is plain data
(JSON-serialisable) that `eval.report` renders and `eval.store` keeps.
"""

from __future__ import annotations

import heapq
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from eval.cases import QUERY_FIELDS, Case, KnownCodes, QueryField, in_fit_half, load_cases, sample_cases
from eval.memory import peak_memory_mb
from eval.metrics import (
    LEVELS,
    Bin,
    Confusion,
    GroupScore,
    Headline,
    LevelsOf,
    Point,
    calibration_inputs,
    confusions,
    coverage_curve,
    headline_metrics,
    levels_from_taxonomy,
    per_major_group,
    percentile,
    reliability,
    thin_curve,
)
from eval.runner import TOP_WIDE, CaseOutcome, CodingEngine, code_cases, evidence_lines
from retrieval.models import CodingResult
from retrieval.onet import KnowledgeBase

Half = Literal["all", "report"]
Progress = Callable[[int, int], None]
# Each evidence family alone, against the full ranking (retrieval.rank.CHANNEL_GROUPS).
ABLATIONS: tuple[str, ...] = ("title", "lexical", "dense")
# Ablations triple the engine's work; on a deterministic sample of each file they keep a full run of
# both dev sets inside the time budget while still separating the channels by several points.
ABLATION_SAMPLE = 500
FAILURES_KEPT = 10
CONFUSIONS_KEPT = 15
CALIBRATION_BINS = 10


class Timing(BaseModel):
    coded: int = Field(description="cases the engine was asked (an empty masked query is not asked)")
    wall_s: float
    p50_ms: float | None
    p95_ms: float | None
    throughput_per_s: float | None
    peak_memory_mb: float | None = Field(description="peak resident memory of the process, index included")
    tokens_per_case: float | None = Field(None, description="LLM tokens per case; None while no LLM is used")


class Failure(BaseModel):
    """A wrong top answer (SOC detailed), with what the engine matched on to choose it."""

    case_id: str
    query: dict[str, str | None]
    gold: list[str]
    gold_titles: list[str]
    predicted: str
    predicted_title: str
    predicted_soc: str
    confidence: float
    gold_rank: int | None = Field(description="rank of the first right answer at SOC detailed; None if not listed")
    evidence: list[str]


class FileReport(BaseModel):
    name: str = Field(description="the file's stem, unique within the run; names the plots")
    path: str
    fields: list[QueryField]
    n: int = Field(description="cases scored, after --half, --limit and --sample")
    loaded: int = Field(description="valid cases in the file")
    problems: list[str] = Field(description="lines skipped, with their line numbers")
    multi_gold: int = Field(description="scored cases with several acceptable codes (any of them counts)")
    unanswered: int = Field(description="scored cases whose masked query was empty")
    headline: Headline
    groups: list[GroupScore]
    confusions: list[Confusion]
    reliability: list[Bin]
    coverage: list[Point] = Field(description="coverage/precision curve, thinned to at most 200 points")
    failures: list[Failure]
    timing: Timing
    ablations: dict[str, Headline] | None = Field(None, description="'full' and each channel group alone")
    ablation_n: int | None = None
    titles: dict[str, str] = Field(default_factory=dict, description="titles of the SOC codes the report names")
    release: str = ""
    engine_version: str = ""
    cases: list[CaseOutcome]

    def summary(self) -> dict[str, object]:
        """The `oca eval --json` record of this file (a stable schema; see README)."""
        return {
            "cases": self.path,
            "n": self.n,
            "fields": list(self.fields),
            "top1": {level: self.headline.top1.get(level) for level in LEVELS},
            "top5": {level: self.headline.top5.get(level) for level in LEVELS},
            "p50_ms": None if self.timing.p50_ms is None else round(self.timing.p50_ms, 3),
            "p95_ms": None if self.timing.p95_ms is None else round(self.timing.p95_ms, 3),
        }


class SuiteResult(BaseModel):
    id: str
    created: datetime
    release: str
    engine_version: str
    k: int
    half: Half
    limit: int | None
    sample: int | None
    seed: int
    compare: bool
    ablation_sample: int | None
    wall_s: float
    files: list[FileReport]

    def file(self, name: str) -> FileReport:
        for report in self.files:
            if name in (report.name, report.path, Path(report.path).name):
                return report
        raise KeyError(name)


def run_suite(
    engine: CodingEngine,
    paths: list[Path],
    fields: list[str],
    *,
    limit: int | None = None,
    sample: int | None = None,
    seed: int = 0,
    compare: bool = False,
    half: Half = "all",
    progress: Progress | None = None,
    k: int = TOP_WIDE,
    fields_by_file: Mapping[str, Sequence[str]] | None = None,
    ablation_sample: int = ABLATION_SAMPLE,
) -> SuiteResult:
    """Score the engine on each case file.

    Cases are taken as: valid lines (bad ones are listed in `problems`), then with half="report" only those
    not used to fit calibration, then the first `limit`, then a deterministic `sample` (by seed). `fields`
    is what the engine is shown; `fields_by_file` (keyed by file name, stem or path) overrides it per file.
    """
    started = time.perf_counter()
    kb = engine.kb
    known = KnownCodes.from_kb(kb)
    levels_of = levels_from_taxonomy(kb.taxonomy)
    check_overrides(paths, fields_by_file)
    plans = []
    for path, name in zip(paths, unique_names(paths)):
        cases, problems = load_cases(path, known)
        chosen = select_cases(cases, half=half, limit=limit, sample=sample, seed=seed)
        plans.append(FilePlan(path, name, file_fields(path, fields, fields_by_file), len(cases),
                              [str(p) for p in problems], chosen,
                              sample_cases(chosen, ablation_sample, seed) if compare else []))
    total = sum(len(plan.cases) + len(ABLATIONS) * len(plan.ablated) for plan in plans)
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    reports = []
    for plan in plans:
        failures = FailureKeeper(kb, FAILURES_KEPT)
        meta: dict[str, str] = {}

        def on_case(outcome: CaseOutcome, result: CodingResult | None) -> None:
            failures.offer(outcome, result)
            if result is not None:
                meta.update(release=result.release, engine_version=result.engine_version)
            tick()

        file_started = time.perf_counter()
        outcomes = code_cases(engine, plan.cases, plan.fields, k=k, levels_of=levels_of, on_case=on_case)
        wall_s = time.perf_counter() - file_started
        ablations = run_ablations(engine, plan, outcomes, k, levels_of, tick) if compare else None
        reports.append(build_file_report(kb, plan, outcomes, failures.worst(), wall_s, ablations, **meta))
    return SuiteResult(
        id=uuid.uuid4().hex[:8],
        created=datetime.now(UTC).replace(microsecond=0),
        release=next((r.release for r in reports if r.release), getattr(engine, "release", "")),
        engine_version=next((r.engine_version for r in reports if r.engine_version),
                            getattr(engine, "engine_version", "")),
        k=k, half=half, limit=limit, sample=sample, seed=seed, compare=compare,
        ablation_sample=ablation_sample if compare else None,
        wall_s=round(time.perf_counter() - started, 3),
        files=reports,
    )


@dataclass
class FilePlan:
    """One case file's cases as they will be run, and the sample the ablations use."""

    path: Path
    name: str
    fields: list[QueryField]
    loaded: int
    problems: list[str]
    cases: list[Case]
    ablated: list[Case]


def select_cases(cases: Sequence[Case], *, half: Half = "all", limit: int | None = None,
                 sample: int | None = None, seed: int = 0) -> list[Case]:
    chosen = [c for c in cases if not in_fit_half(c.id)] if half == "report" else list(cases)
    if limit is not None:
        chosen = chosen[:limit]
    if sample is not None:
        chosen = sample_cases(chosen, sample, seed)
    return chosen


def unique_names(paths: Sequence[Path]) -> list[str]:
    """File stems, numbered when two files share one, so each file's plots get their own names."""
    stems = [Path(p).stem for p in paths]
    return [stem if stems.count(stem) == 1 else f"{stem}-{i + 1}" for i, stem in enumerate(stems)]


def file_fields(path: Path, default: Sequence[str], overrides: Mapping[str, Sequence[str]] | None) -> list[QueryField]:
    chosen = default
    for key, value in (overrides or {}).items():
        if key in (str(path), Path(path).name, Path(path).stem):
            chosen = value
    unknown = [f for f in chosen if f not in QUERY_FIELDS]
    if unknown or not chosen:
        raise ValueError(f"fields must be a non-empty subset of {', '.join(QUERY_FIELDS)}; got {list(chosen)}")
    return [f for f in QUERY_FIELDS if f in chosen]


def check_overrides(paths: Sequence[Path], overrides: Mapping[str, Sequence[str]] | None) -> None:
    names = {str(p) for p in paths} | {Path(p).name for p in paths} | {Path(p).stem for p in paths}
    stray = sorted(set(overrides or {}) - names)
    if stray:
        raise ValueError(f"fields given for {', '.join(stray)}, which is not one of the case files")


def run_ablations(engine: CodingEngine, plan: FilePlan, outcomes: Sequence[CaseOutcome], k: int,
                  levels_of: LevelsOf, tick: Callable[[], None]) -> dict[str, Headline]:
    """Headline metrics of each channel group alone, and of the full ranking, on the plan's ablation sample."""
    ids = {case.id for case in plan.ablated}
    out = {"full": headline_metrics([o for o in outcomes if o.case_id in ids], CALIBRATION_BINS)}
    for group in ABLATIONS:
        alone = code_cases(engine, plan.ablated, plan.fields, k=k, only=[group], levels_of=levels_of,
                           on_case=lambda outcome, result: tick())
        out[group] = headline_metrics(alone, CALIBRATION_BINS)
    return out


class FailureKeeper:
    """The most confident wrong answers seen so far, with the evidence of the answer chosen."""

    def __init__(self, kb: KnowledgeBase, keep: int) -> None:
        self._kb = kb
        self._keep = keep
        self._heap: list[tuple[float, int, Failure]] = []
        self._seen = 0

    def offer(self, outcome: CaseOutcome, result: CodingResult | None) -> None:
        self._seen += 1
        if result is None or not result.candidates or outcome.right("soc", 1):
            return
        top = result.candidates[0]
        key = (top.confidence, -self._seen)
        if len(self._heap) >= self._keep and key <= self._heap[0][:2]:
            return
        failure = Failure(
            case_id=outcome.case_id, query=outcome.query, gold=outcome.gold,
            gold_titles=[title_of(self._kb, code) for code in outcome.gold],
            predicted=top.code, predicted_title=top.title, predicted_soc=top.soc_code, confidence=top.confidence,
            gold_rank=outcome.hit_rank.get("soc"), evidence=evidence_lines(top),
        )
        heapq.heappush(self._heap, (*key, failure))
        if len(self._heap) > self._keep:
            heapq.heappop(self._heap)

    def worst(self) -> list[Failure]:
        return [failure for *_, failure in sorted(self._heap, key=lambda item: (-item[0], -item[1]))]


def title_of(kb: KnowledgeBase, code: str) -> str:
    """The title of an O*NET-SOC code or of a SOC group; '' when the release does not know it."""
    occupation = kb.occupations.get(code)
    if occupation is not None:
        return occupation.title
    group = kb.taxonomy.groups.get(code)
    if group is not None:
        return group.title
    occupation = kb.occupations.get(f"{code}.00")
    return occupation.title if occupation is not None else ""


def build_file_report(
    kb: KnowledgeBase, plan: FilePlan, outcomes: list[CaseOutcome], failures: list[Failure], wall_s: float,
    ablations: dict[str, Headline] | None, release: str = "", engine_version: str = "",
) -> FileReport:
    confidences, correct = calibration_inputs(outcomes)
    majors = {o.major for o in outcomes}
    top_confusions = confusions(outcomes, CONFUSIONS_KEPT)
    named = majors | {code for c in top_confusions for code in [*c.gold, c.predicted]}
    timings = [o.elapsed_ms for o in outcomes if o.elapsed_ms is not None]
    p50, p95 = percentile(timings, 50), percentile(timings, 95)
    return FileReport(
        name=plan.name, path=str(plan.path), fields=plan.fields, n=len(outcomes), loaded=plan.loaded,
        problems=plan.problems,
        multi_gold=sum(len(o.gold) > 1 for o in outcomes),
        unanswered=sum(o.elapsed_ms is None for o in outcomes),
        headline=headline_metrics(outcomes, CALIBRATION_BINS),
        groups=per_major_group(outcomes, {code: title_of(kb, code) for code in majors}),
        confusions=top_confusions,
        reliability=reliability(confidences, correct, CALIBRATION_BINS),
        coverage=thin_curve(coverage_curve(confidences, correct)),
        failures=failures,
        timing=Timing(
            coded=len(timings), wall_s=round(wall_s, 3),
            p50_ms=None if p50 is None else round(p50, 3), p95_ms=None if p95 is None else round(p95, 3),
            throughput_per_s=round(len(outcomes) / wall_s, 2) if outcomes and wall_s > 0 else None,
            peak_memory_mb=peak_memory_mb(),
        ),
        ablations=ablations, ablation_n=len(plan.ablated) if ablations is not None else None,
        titles={code: title_of(kb, code) for code in sorted(named)},
        release=release, engine_version=engine_version, cases=outcomes,
    )

