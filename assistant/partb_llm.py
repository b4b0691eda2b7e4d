"""The Part B rationale written by a language model, and the checks that decide whether it may be used.

The model sees the same numbered evidence the offline rationale cites (the job through `PartA.for_llm()`,
never the contact details, fenced as data) and answers with the code it explains and its paragraphs. The
checks run as a validator of the answer's type, so the adapter re-asks with the reasons like a schema
error, and once more on the final answer, so a model adapter that skips validation cannot slip one past.
"""

from __future__ import annotations

import json
import logging
import re
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field, model_validator

from assistant.evidence import CHECK_NAMES
from assistant.parta import PartA

if TYPE_CHECKING:
    from assistant.llm import LLM
    from assistant.partb import PartBDraft

log = logging.getLogger(__name__)

CITATION_RE = re.compile(r"\[\s*(E\d+(?:\s*[,;]\s*E\d+)*)\s*\]")  # [E1] or [E1, E2]
_MENTION_RE = re.compile(r"\bE(\d+)\b")
CODE_RE = re.compile(r"(?<![\d.-])\d{2}-\d{4}(?:\.\d{2})?(?![\d])")


class LLMRationale(BaseModel):
    """What the model answers: the code it explains and the paragraphs."""

    code: str = Field(description="the O*NET-SOC code the rationale explains")
    paragraphs: list[str] = Field(min_length=1, max_length=6)


def cited_ids(text: str) -> list[str]:
    """The evidence ids a text cites, in order: each [E#] or [E#, E#] group."""
    return [cid for group in CITATION_RE.findall(text) for cid in re.findall(r"E\d+", group)]


def rationale_problems(code: str, paragraphs: list[str], draft: PartBDraft) -> list[str]:
    """Why a rationale may not be used (empty when it may): it must explain the proposed code, cite only
    evidence ids of the draft and name no other occupation code."""
    problems = []
    text = "\n".join(paragraphs)
    if code.strip() not in (draft.code, draft.soc_code):
        problems.append(f"'code' is {code.strip()!r}, but the proposed code is {draft.code}")
    if draft.code not in text and draft.soc_code not in text:
        problems.append(f"the paragraphs do not name the proposed code {draft.code}")
    known = {c.id for c in draft.citations}
    cited = cited_ids(text)
    # Any mention of an id counts, bracketed or not: a model may not point at evidence that is not there.
    unknown = sorted({f"E{n}" for n in _MENTION_RE.findall(text)} - known, key=lambda c: int(c[1:]))
    if unknown:
        problems.append(f"cites evidence that does not exist: {', '.join(unknown)} (the evidence is "
                        f"{', '.join(sorted(known, key=lambda c: int(c[1:]))) or 'empty'})")
    if known and not cited:
        problems.append("cites no evidence: cite the items it relies on as [E1], [E2], ...")
    allowed = {draft.code, draft.soc_code} | {g.code for g in (draft.soc.major, draft.soc.minor, draft.soc.broad,
                                                               draft.soc.detailed) if g is not None}
    others = sorted(set(CODE_RE.findall(text)) - allowed)
    if others:
        problems.append(f"names other occupation codes ({', '.join(others)}): name only {draft.code}")
    import prompts

    if prompts.repeats_instructions(text):
        problems.append("repeats the drafting instructions: write the rationale in your own words")
    if any(len(p) > 2500 for p in paragraphs):
        problems.append("a paragraph is longer than 2500 characters")
    return problems


def _checked_model(draft: PartBDraft) -> type[LLMRationale]:
    """The output type with the grounding checks as a validator, so a failing answer is re-asked with the
    reasons, like a schema error."""

    class GroundedRationale(LLMRationale):
        @model_validator(mode="after")
        def _grounded(self) -> GroundedRationale:
            problems = rationale_problems(self.code, self.paragraphs, draft)
            if problems:
                raise ValueError("; ".join(problems))
            return self

    return GroundedRationale


def llm_messages(draft: PartBDraft, part_a: PartA) -> list[dict[str, str]]:
    """The system prompt and the drafting request: the job as `for_llm()` (never the contact details) and the
    numbered evidence, both fenced as data."""
    import prompts

    # Occupations are named by title here: the model is asked to write no code but the proposed one.
    titles = {r.code: f"{r.title} (runner-up)" for r in draft.runners_up} | {draft.code: f"{draft.title} (proposed)"}
    evidence = "\n".join(
        json.dumps({"about": titles.get(c.code, c.code)} | c.model_dump(exclude={"code"}, exclude_none=True),
                   ensure_ascii=False)
        for c in draft.citations
    )
    checks = {name: getattr(draft.checks, name).model_dump(include={"status", "explanation", "citation"})
              for name in CHECK_NAMES}
    runners = [{"title": r.title, "why_not": r.reasons} for r in draft.runners_up]
    user = prompts.render(
        "draft_part_b",
        code=draft.code,
        title=draft.title,
        confidence=f"{draft.confidence:.0%}",
        job=prompts.fence(json.dumps(part_a.for_llm(), ensure_ascii=False, indent=1, default=str)),
        evidence=prompts.fence(evidence),
        checks=json.dumps(checks, ensure_ascii=False, indent=1),
        runners_up=prompts.fence(json.dumps(runners, ensure_ascii=False, indent=1)),
    )
    from assistant.llm_tasks import redact  # contact details typed into a duty, not only those in Part A's contact

    return [{"role": "system", "content": prompts.render("system")},
            {"role": "user", "content": redact(user, part_a.contact)}]


def rewrite_with_llm(draft: PartBDraft, part_a: PartA, llm: LLM) -> None:
    """Replace the offline rationale with the model's when it passes the checks; otherwise keep it and
    record why."""
    try:
        answer = llm.generate(llm_messages(draft, part_a), _checked_model(draft))
        paragraphs = [p.strip() for p in answer.paragraphs if p and p.strip()]
        problems = rationale_problems(answer.code, paragraphs, draft) if paragraphs else ["no paragraphs"]
    except Exception as exc:  # any failure of an optional model keeps the offline draft
        log.warning("LLM rationale not used: %s", exc)
        reason = f"{type(exc).__name__}: {exc}"
        attempts = getattr(exc, "attempts", None)
        if attempts and attempts[-1].error not in reason:
            reason += f" (last answer: {attempts[-1].error})"
        draft.fallback_reason = _one_line(reason)
        return
    if problems:
        draft.fallback_reason = _one_line("; ".join(problems))
        return
    draft.rationale = paragraphs
    draft.written_by = "llm"


def _one_line(text: str, limit: int = 500) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = ["CITATION_RE", "CODE_RE", "LLMRationale", "cited_ids", "llm_messages", "rationale_problems",
           "rewrite_with_llm"]
