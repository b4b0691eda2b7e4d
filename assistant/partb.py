"""OCA Form Part B: the proposed occupation for a Part A, with a rationale that cites the evidence behind it.

The draft is always built offline first: the engine's ranking, each duty aligned to the proposed
occupation's task statements, the education, licence and supervision checks, and a rationale written from
templates over that evidence. With a language model, the model rewrites only the rationale from the same
numbered evidence; its text is kept only when it names the proposed code, cites nothing but evidence ids
that exist and brings in no other occupation code. Anything else keeps the offline text and says why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from assistant import evidence as ev
from assistant.evidence import CHECK_NAMES, Check, Checks, Citation
from assistant.parta import PartA, naics_title
from assistant.partb_export import to_html, to_json, to_markdown
from assistant.partb_llm import CITATION_RE, LLMRationale, cited_ids, llm_messages, rationale_problems, rewrite_with_llm
from assistant.rerank import RANKED, rank_part_a
from retrieval.errors import OcaError
from retrieval.models import Candidate, CodingResult, SocHierarchy
from retrieval.onet import normalize_code

if TYPE_CHECKING:
    from assistant.llm import LLM
    from retrieval.engine import Engine

SCHEMA_VERSION = "1"
RUNNERS_UP = 4
CLOSE_CALL = 0.15  # confidence margin under which the rationale asks an analyst to decide
CALL_TO_ANALYST = "For the analyst:"


class DraftError(OcaError):
    """A Part A that cannot be drafted (nothing to code)."""


class RunnerUp(BaseModel):
    code: str
    title: str
    soc_code: str
    confidence: float
    reasons: list[str] = Field(description="why it was not chosen, each citing evidence as [E#] where it can")


class Assignment(BaseModel):
    """An analyst's code in place of the engine's proposal (a Part B redrafted for that code)."""

    analyst: str
    reason: str
    engine_code: str | None = Field(None, description="the code the engine had proposed")
    engine_title: str | None = None
    engine_rank: int | None = Field(None, description="where the engine ranked the analyst's code (1 = first)")


class PartBDraft(BaseModel):
    """What an analyst reviews and the customer receives: the code, how sure, and why."""

    schema_version: str = SCHEMA_VERSION
    code: str
    title: str
    soc_code: str
    soc: SocHierarchy
    confidence: float
    margin: float | None = Field(None, description="confidence above the best runner-up of another SOC code "
                                               "(None without one)")
    rationale: list[str] = Field(description="paragraphs; evidence cited as [E#]")
    citations: list[Citation]
    runners_up: list[RunnerUp]
    checks: Checks
    duties_matched: int = 0
    duties_total: int = 0
    written_by: Literal["offline", "llm"] = "offline"
    fallback_reason: str | None = Field(None, description="why a language model's rationale was not used")
    engine_version: str
    release: str
    created_at: dt.datetime
    assigned: Assignment | None = Field(None, description="set when an analyst chose the code")

    def citation(self, citation_id: str) -> Citation | None:
        return next((c for c in self.citations if c.id == citation_id), None)


# ----- drafting -------------------------------------------------------------------------------------------

def draft_part_b(part_a: PartA, engine: Engine, llm: LLM | None = None,
                 ranked: CodingResult | None = None) -> PartBDraft:
    """The Part B draft for `part_a`: offline from the evidence, its rationale rewritten by `llm` when one is
    given and its text passes `rationale_problems`. `ranked` is `rank_part_a(part_a, engine, RANKED)` when
    the caller has it already (a submission is coded with it just before it is drafted)."""
    # the chat's ranking: Part A's answers re-weigh the engine's
    result = ranked if ranked is not None else rank_part_a(part_a, engine, RANKED)
    if result is None or not result.candidates:
        raise DraftError("Part A has nothing to code yet: give a job title, a summary or at least one duty.")
    result = result.model_copy(update={"candidates": result.candidates[:1 + RUNNERS_UP]})
    draft = _draft(part_a, engine, result.candidates[0], result.candidates[1:], result)
    if note := suggestion_note(part_a.suggested_code, result.candidates, engine.kb):
        draft.rationale.insert(-1 if draft.rationale[-1].startswith(CALL_TO_ANALYST) else len(draft.rationale), note)
    if llm is not None:
        rewrite_with_llm(draft, part_a, llm)
    return draft


def redraft_for_code(part_a: PartA, engine: Engine, code: str, analyst: str, reason: str) -> PartBDraft:
    """Part B for the code an analyst chose instead of the engine's: the same evidence (title, duties against
    its tasks, the checks, tools, industry) for that occupation, the engine's best others as runners-up, and
    where the engine ranked the code and the analyst's reason after the lead. Offline only: the analyst's
    decision is not rewritten by a model."""
    result = rank_part_a(part_a, engine, len(engine.codes))
    chosen = next((c for c in result.candidates if c.code == code), None) if result is not None else None
    if chosen is None:
        raise DraftError(f"{code} is not an occupation of {engine.release}, or Part A has nothing to code yet.")
    others = [c for c in result.candidates if c.code != code][:RUNNERS_UP]
    engine_top = result.candidates[0]
    draft = _draft(part_a, engine, chosen, others, result, analyst_chose=True)
    draft.assigned = Assignment(analyst=analyst, reason=reason, engine_code=engine_top.code,
                                engine_title=engine_top.title, engine_rank=chosen.rank)
    ranked = ("The engine ranked it first too." if chosen.rank == 1 else
              f"The engine ranked it {chosen.rank}, after {engine_top.code} {engine_top.title}.")
    draft.rationale.insert(1, f"{ranked} The analyst's reason: {reason}")
    return draft


def _draft(part_a: PartA, engine: Engine, top: Candidate, others: list[Candidate], result: CodingResult,
           analyst_chose: bool = False) -> PartBDraft:
    """The offline draft proposing `top` against `others`; an analyst's choice needs no call to an analyst."""
    builder = _EvidenceBuilder(part_a, engine, [top.code, *(c.code for c in others)])
    proposed = builder.occupation_evidence(top, full=True)
    runners = [builder.runner_up(c, proposed, top) for c in others]
    checks = proposed.checks
    # Confidence is calibrated at the SOC level, so O*NET occupations of one SOC code share it: the margin
    # that means something is the one over the best occupation of another SOC code.
    rival = next((c for c in others if c.soc_code != top.soc_code), None)
    margin = round(top.confidence - rival.confidence, 4) if rival else None
    draft = PartBDraft(
        code=top.code, title=top.title, soc_code=top.soc_code, soc=top.soc, confidence=top.confidence,
        margin=margin, rationale=[], citations=builder.citations, runners_up=runners, checks=checks,
        duties_matched=len(proposed.alignment.matched), duties_total=len(proposed.alignment.matches),
        engine_version=result.engine_version, release=result.release,
        created_at=dt.datetime.now(dt.timezone.utc),
    )
    siblings = [c.title for c in others if c.soc_code == top.soc_code]
    label = "Assigned by an analyst" if analyst_chose else "Proposed"
    draft.rationale = offline_rationale(draft, proposed, rival, siblings, label)
    if analyst_chose:  # the analyst has decided: nothing is left to call them to
        draft.rationale = [p for p in draft.rationale if not p.startswith(CALL_TO_ANALYST)]
    return draft


@dataclass
class _OccupationEvidence:
    code: str
    alignment: ev.Alignment
    checks: Checks
    title_ids: list[str] = field(default_factory=list)
    title_score: float = 0.0
    title_industries: dict[str, str] = field(default_factory=dict)  # title citation -> the industry it was read with
    duty_ids: list[str] = field(default_factory=list)
    check_ids: dict[str, str] = field(default_factory=dict)
    tool_ids: list[str] = field(default_factory=list)
    industry_ids: list[str] = field(default_factory=list)


class _EvidenceBuilder:
    """Numbers evidence items in the order they are found, so ids are stable for a given Part A and engine."""

    def __init__(self, part_a: PartA, engine: Engine, candidate_codes: list[str]) -> None:
        self.part_a = part_a
        self.candidate_codes = candidate_codes
        self.engine = engine
        self.kb = engine.kb
        self.citations: list[Citation] = []
        self.duties = ev.customer_duties(part_a)
        self.duty_vectors = ev.embed_duties(engine, self.duties)

    def add(self, kind: ev.CitationKind, code: str, customer: str, onet: str, score: float | None = None,
            note: str = "") -> str:
        cid = f"E{len(self.citations) + 1}"
        self.citations.append(Citation(id=cid, kind=kind, code=code, customer_text=customer, onet_text=onet,
                                       score=None if score is None else round(score, 3), note=note))
        return cid

    def occupation_evidence(self, candidate: Candidate, *, full: bool) -> _OccupationEvidence:
        """Every kind of evidence for the proposed occupation (`full`); for a runner-up, its best title and
        duty match and whatever check disagrees."""
        occ = self.kb.occupations[candidate.code]
        code = occ.code
        alignment = ev.align_duties(self.duties, self.duty_vectors, occ, self.engine)
        rivals = [self.kb.occupations[c] for c in self.candidate_codes if c != code]
        checks = ev.check_all(self.part_a, occ, self.kb, rivals)
        out = _OccupationEvidence(code=code, alignment=alignment, checks=checks)
        titles = ev.title_matches(self.part_a, candidate, occ)
        for match in titles if full else titles[:1]:
            note = ev.TITLE_KINDS.get(match.kind, match.kind)
            cid = self.add("title", code, match.customer, match.onet, match.score, note)
            out.title_ids.append(cid)
            if match.industry:
                out.title_industries[cid] = match.industry
            out.title_score = max(out.title_score, match.score)
        matched = sorted(alignment.matched, key=lambda m: -m.similarity)
        for m in matched if full else matched[:1]:
            out.duty_ids.append(self.add("duty_task", code, m.duty, m.task, m.similarity,
                                         f"{m.task_kind} task" if m.task_kind else "task"))
        for name in CHECK_NAMES:
            check: Check = getattr(out.checks, name)
            if check.customer and check.onet and (full or check.status == "disagree"):
                check.citation = self.add(name, code, check.customer, check.onet, note=check.status)
                out.check_ids[name] = check.citation
        if full:
            for tool, example in ev.tool_matches(self.part_a.tools, occ):
                out.tool_ids.append(self.add("tool", code, tool, example))
            for industry in self.part_a.industries:
                # The NAICS title names the business in the census's words when the customer gave a code.
                naics = naics_title(industry.naics) if industry.naics else None
                for words in dict.fromkeys(w for w in (industry.name, naics) if w):
                    if sentence := ev.industry_match(words, occ):
                        out.industry_ids.append(self.add("industry", code, words, sentence))
                        break
        return out

    def runner_up(self, candidate: Candidate, proposed: _OccupationEvidence, top: Candidate) -> RunnerUp:
        mine = self.occupation_evidence(candidate, full=False)
        reasons: list[str] = []
        if candidate.soc_code == top.soc_code:
            reasons.append(f"It shares SOC {top.soc_code} with the proposed occupation, so the confidence does "
                           "not separate them; the title and duties do.")
        if proposed.title_score > mine.title_score + 0.05:
            cite = f" [{mine.title_ids[0]}]" if mine.title_ids else ""
            reasons.append(f"The job title matches it less closely ({mine.title_score:.2f} against "
                           f"{proposed.title_score:.2f}){cite}.")
        total = len(mine.alignment.matches)
        if total and len(mine.alignment.matched) < len(proposed.alignment.matched):
            cite = f" [{mine.duty_ids[0]}]" if mine.duty_ids else ""
            reasons.append(f"Fewer of the duties match its tasks ({len(mine.alignment.matched)} of {total}, "
                           f"against {len(proposed.alignment.matched)}){cite}.")
        if mine.alignment.unmentioned_core and total:
            shown = "; ".join(_quote(t) for t in mine.alignment.unmentioned_core[:2])
            reasons.append(f"Part A mentions none of its core tasks such as {shown}.")
        for name, label in (("education", "Education"), ("licence", "Licence"), ("supervision", "Supervision")):
            check: Check = getattr(mine.checks, name)
            if check.status == "disagree" and getattr(proposed.checks, name).status != "disagree":
                cite = f" [{mine.check_ids[name]}]" if name in mine.check_ids else ""
                reasons.append(f"{label}: {check.explanation}{cite}")
        if not reasons:
            reasons.append("The engine ranks it lower on the same evidence." if candidate.rank > top.rank else
                           "The engine ranks it higher on this evidence; the analyst's reason decided.")
        reasons.append(f"Confidence {candidate.confidence:.0%}.")
        return RunnerUp(code=candidate.code, title=candidate.title, soc_code=candidate.soc_code,
                        confidence=candidate.confidence, reasons=reasons)


# ----- the offline rationale ---------------------------------------------------------------------------------

def offline_rationale(draft: PartBDraft, proposed: _OccupationEvidence, rival: Candidate | None,
                      siblings: list[str], label: str = "Proposed") -> list[str]:
    """Deterministic paragraphs from the evidence. Other occupations are named by title only (their codes are
    in `runners_up`): `rival` is the best of another SOC code, `siblings` share the proposed SOC code."""
    cite = {c.id: c for c in draft.citations}
    groups = [g for g in (draft.soc.major, draft.soc.minor) if g is not None]
    where = f", in {groups[-1].code} {groups[-1].title}" if groups else ""
    lead = (f"{label}: {draft.code} {draft.title} (SOC {draft.soc_code}{where}). "
            f"The engine's confidence is {draft.confidence:.0%}")
    if rival is not None and draft.margin is not None and draft.margin >= 0:
        lead += f", {draft.margin * 100:.0f} points above the best occupation of another SOC code, {rival.title}."
    elif rival is not None and draft.margin is not None:  # an analyst's choice the engine ranked lower
        lead += f", {-draft.margin * 100:.0f} points below the best occupation of another SOC code, {rival.title}."
    else:
        lead += "."
    if siblings:
        lead += (f" O*NET divides SOC {draft.soc_code} further; {_join(siblings)} share it, and the choice among "
                 "them rests on the title and duties.")
    paragraphs = [lead]

    if proposed.title_ids:
        parts = []
        for cid in proposed.title_ids:
            c = cite[cid]
            how = "is" if (c.score or 0) >= 0.99 else "is close to" if (c.score or 0) >= 0.7 else "resembles"
            said = _quote(c.customer_text)
            if cid in proposed.title_industries:
                said += f" read with the industry {_quote(proposed.title_industries[cid])}"
            parts.append(f"the title {said} {how} {c.note} {_quote(c.onet_text)} [{cid}]")
        paragraphs.append("Title: " + "; ".join(parts) + ".")

    alignment = proposed.alignment
    if alignment.matches:
        n, total = len(alignment.matched), len(alignment.matches)
        if total == 1:
            verb = "matches a" if n else "matches no"
            text = f"Duties: the one duty in Part A {verb} task statement of this occupation"
        else:
            text = f"Duties: {n} of the {total} duties in Part A match task statements of this occupation"
        if proposed.duty_ids:
            pairs = [f"{_quote(cite[c].customer_text)} matches {_quote(cite[c].onet_text)} [{c}]"
                     for c in proposed.duty_ids[:6]]
            text += ": " + "; ".join(pairs)
        text += "."
        unmatched = [m.duty for m in alignment.matches if not m.matched]
        if unmatched:
            text += " Not matched to a task: " + "; ".join(_quote(d) for d in unmatched[:4]) + "."
        if alignment.unmentioned_core:
            text += (" Core tasks of the occupation that Part A does not mention: "
                     + "; ".join(_quote(t) for t in alignment.unmentioned_core[:3]) + ".")
        paragraphs.append(text)
    else:
        paragraphs.append("Duties: Part A lists no duties, so the draft rests on the title and industry.")

    checks = []
    for name, label in (("education", "Education"), ("licence", "Licence"), ("supervision", "Supervision")):
        check: Check = getattr(draft.checks, name)
        verdict = {"agree": "agrees", "disagree": "does not agree", "unknown": "cannot be checked"}[check.status]
        ref = f" [{check.citation}]" if check.citation else ""
        checks.append(f"{label} {verdict}: {check.explanation}{ref}")
    paragraphs.append(" ".join(checks))

    extras = []
    if proposed.tool_ids:
        extras.append("Tools: " + "; ".join(f"{_quote(cite[c].customer_text)} is listed by O*NET as "
                                             f"{_quote(cite[c].onet_text)} [{c}]" for c in proposed.tool_ids) + ".")
    if proposed.industry_ids:
        extras.append("Industry: " + "; ".join(f"{_quote(cite[c].customer_text)} fits {_quote(cite[c].onet_text)} [{c}]"
                                               for c in proposed.industry_ids) + ".")
    if extras:
        paragraphs.append(" ".join(extras))

    disagreements = [n for n in CHECK_NAMES if getattr(draft.checks, n).status == "disagree"]
    if rival is not None and draft.margin is not None and draft.margin < CLOSE_CALL:
        paragraphs.append(f"{CALL_TO_ANALYST} This is a close call: decide between {draft.title} and "
                          f"{rival.title} on the points above.")
    elif disagreements:
        paragraphs.append(f"{CALL_TO_ANALYST} The " + " and ".join(disagreements)
                          + " check does not agree with the occupation's profile.")
    return paragraphs


def suggestion_note(suggested: str | None, candidates: list[Candidate], kb) -> str | None:
    """Where the code the customer suggested stands against the proposal."""
    if not suggested:
        return None
    top = candidates[0]
    code = normalize_code(suggested)
    if code == top.code or suggested == top.soc_code:
        return f"The customer suggested {suggested}, the code proposed here."
    if code not in kb.occupations:
        return f"The customer suggested {suggested}, which is not an occupation of {kb.release}."
    title = kb.occupations[code].title
    rank = next((c.rank for c in candidates if c.code == code), None)
    if rank is not None:
        return f"The customer suggested {code} {title}, runner-up number {rank - 1} below."
    return (f"The customer suggested {code} {title}, which the engine does not rank among its first "
            f"{len(candidates)}; an analyst should compare it with the proposal.")


def _quote(text: str) -> str:
    """Quoted words inside a sentence, without their own full stop (it would end the sentence early) and with
    square brackets made round, so that no quoted text can pose as a citation."""
    return "'" + text.strip().rstrip(".").strip().replace("[", "(").replace("]", ")") + "'"


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


__all__ = [
    "CITATION_RE", "DraftError", "LLMRationale", "PartBDraft", "RunnerUp", "cited_ids", "draft_part_b", "llm_messages",
    "offline_rationale", "rationale_problems", "to_html", "to_json", "to_markdown",
]
