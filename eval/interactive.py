"""Simulated-customer evaluation: how much the assistant's questions add to the opening message.

A scripted customer opens with the first sentence of a case's description (the title is withheld) and
answers each question with the sentence of the rest of the description most similar to it (TF-IDF
cosine with O*NET's vocabulary; the earliest sentence when none shares a word). Asked for the industry,
it gives the case's industry when the case has one. Asked for the job title (withheld) or contact details,
or with no sentence left, it says it does not know.
Accuracy is read after the opening and after each of up to `questions` answers.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from assistant.conversation import ITEM_QUESTIONS, Conversation, TurnResult, start, turn
from assistant.rerank import profile_index
from eval.cases import Case
from eval.metrics import levels_from_taxonomy, percentile, score_case

_SENTENCES = re.compile(r"(?<=[.;:!?])\s+(?=[A-Z(])")
DONT_KNOW = "I don't know."
WITHHELD = frozenset({"job_title", "contact"})  # the title is what is being tested; cases have no contact details


class Step(BaseModel):
    question: str | None = Field(description="what the assistant asked before this answer (None: the opening)")
    kind: str | None = None
    answer: str
    codes: list[str]
    soc_hit: int | None = Field(description="rank (1-based) of the first right SOC detailed code, None if absent")
    elapsed_ms: float


class Dialogue(BaseModel):
    case_id: str
    steps: list[Step]


class InteractiveSummary(BaseModel):
    cases: str
    n: int
    questions: int
    top1: list[float] = Field(description="top-1 (SOC detailed) after 0, 1, ... questions")
    top5: list[float]
    question_kinds: dict[str, int]
    p50_ms: float | None
    p95_ms: float | None
    sample: str


def sentences(text: str | None) -> list[str]:
    return [s.strip() for s in _SENTENCES.split(text or "") if s.strip()]


class ScriptedCustomer:
    """Answers from a case's own words, never inventing any: the opening sentence, then the best-fitting rest."""

    def __init__(self, case: Case, similarity: Callable[[str, Sequence[str]], np.ndarray]) -> None:
        parts = sentences(case.description)
        self.opening = parts[0] if parts else (case.description or "")
        self.left = parts[1:]
        self.industry = case.industry
        self._similarity = similarity

    def answer(self, question: str, item: str | None) -> str:
        if item in WITHHELD:
            return DONT_KNOW
        if item == "industry" and self.industry:
            industry, self.industry = self.industry, None
            return f"The industry is {industry}."
        if not self.left:
            return DONT_KNOW
        sims = self._similarity(question, self.left)
        best = int(np.argmax(sims)) if len(sims) and float(np.max(sims)) > 0 else 0
        return self.left.pop(best)


def run_dialogue(case: Case, engine: Any, questions: int, similarity, soc_hit) -> Dialogue:
    customer = ScriptedCustomer(case, similarity)
    conv: Conversation = start()
    steps: list[Step] = []
    asked: str | None = None
    kind: str | None = None
    message = customer.opening
    for _ in range(questions + 1):
        began = time.perf_counter()
        result: TurnResult = turn(conv, message, engine)
        elapsed = (time.perf_counter() - began) * 1000
        codes = [c.code for c in result.candidates]
        steps.append(Step(question=asked, kind=kind, answer=message, codes=codes[:5], soc_hit=soc_hit(codes),
                          elapsed_ms=round(elapsed, 2)))
        conv = result.conversation
        pending = conv.pending_question
        item = pending.item if pending else conv.pending_item
        kind = pending.kind if pending else conv.pending_item
        asked = conv.question
        if asked is None:
            asked, kind, item = ITEM_QUESTIONS["duties"], "more duties", "duties"
        message = customer.answer(asked, item)
    return Dialogue(case_id=case.id, steps=steps)


def run_interactive(engine: Any, cases: Sequence[Case], questions: int = 3, *, name: str = "cases",
                    sample: str = "all", progress: Callable[[int, int], None] | None = None
                    ) -> tuple[InteractiveSummary, list[Dialogue]]:
    index = profile_index(engine.kb)  # built before the clock starts, as a running app has it

    def similarity(question: str, options: Sequence[str]) -> np.ndarray:
        matrix = index.vectorizer.transform([question, *options])
        return (matrix[1:] @ matrix[0].T).toarray().ravel()

    levels_of = levels_from_taxonomy(engine.kb.taxonomy)
    dialogues: list[Dialogue] = []
    for done, case in enumerate(cases, start=1):
        def soc_hit(codes: list[str], case: Case = case) -> int | None:
            scored = score_case(codes, [0.0] * len(codes), case.gold, case.gold_level, engine.kb.soc_of, levels_of)
            return scored.hit_rank.get("soc")

        dialogues.append(run_dialogue(case, engine, questions, similarity, soc_hit))
        if progress is not None:
            progress(done, len(cases))
    return summarize(dialogues, name, questions, sample), dialogues


def summarize(dialogues: Sequence[Dialogue], name: str, questions: int, sample: str) -> InteractiveSummary:
    n = len(dialogues)
    top1, top5 = [], []
    for step in range(questions + 1):
        hits = [d.steps[min(step, len(d.steps) - 1)].soc_hit for d in dialogues]
        top1.append(round(sum(h == 1 for h in hits) / n, 4) if n else 0.0)
        top5.append(round(sum(h is not None and h <= 5 for h in hits) / n, 4) if n else 0.0)
    kinds: dict[str, int] = {}
    for d in dialogues:
        for s in d.steps[1:]:
            kinds[s.kind or "none"] = kinds.get(s.kind or "none", 0) + 1
    times = [s.elapsed_ms for d in dialogues for s in d.steps]
    return InteractiveSummary(cases=name, n=n, questions=questions, top1=top1, top5=top5, question_kinds=kinds,
                              p50_ms=percentile(times, 50) if times else None,
                              p95_ms=percentile(times, 95) if times else None, sample=sample)


def format_summary(summary: InteractiveSummary) -> str:
    lines = [f"{summary.cases}: {summary.n} cases ({summary.sample}), simulated customer, title withheld",
             f"{'questions':>10} {'top-1 SOC':>10} {'top-5 SOC':>10}"]
    for i, (t1, t5) in enumerate(zip(summary.top1, summary.top5, strict=True)):
        lines.append(f"{i:>10} {t1 * 100:>9.1f}% {t5 * 100:>9.1f}%")
    if len(summary.top1) > 2:
        lines.append(f"top-1 after 2 questions - after the opening: {(summary.top1[2] - summary.top1[0]) * 100:+.1f} points")
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(summary.question_kinds.items(), key=lambda kv: -kv[1]))
    lines.append(f"questions asked: {kinds}")
    if summary.p50_ms is not None:
        lines.append(f"turn latency p50 {summary.p50_ms:.0f} ms, p95 {summary.p95_ms:.0f} ms")
    return "\n".join(lines)
