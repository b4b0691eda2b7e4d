"""The review workflow over the store, the engine and the Part B drafting: submit, decide, and what the
customer sees afterwards.

Deciding to approve or change a code also teaches the engine: when the customer's job title is not yet
one of that occupation's O*NET titles, it becomes a lay title (stored, and added to the running engine at
once, so the next search for that title ranks the code first).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from assistant.lifecycle import DECISION_STATE, DECISIONS, State, TransitionError, change_reason
from assistant.parta import PartA
from assistant.rerank import RANKED, rank_part_a
from assistant.store import Coding, LayTitle, Store, Submission
from retrieval.errors import OcaError

if TYPE_CHECKING:
    from retrieval.engine import Engine
    from retrieval.models import CodingResult

log = logging.getLogger(__name__)
REVIEWER_ROLES = frozenset({"analyst", "admin"})
SYSTEM_ACTOR = "system"
CUSTOMER_ACTOR = "customer"

# What the customer reads for each state (the private page and `oca show --customer`).
CUSTOMER_MESSAGES: dict[State, str] = {
    "in_progress": "Your description is not sent yet.",
    "submitted": "We have your description; an analyst will review the suggested code.",
    "drafted": "We have your description; an analyst will review the suggested code.",
    "approved": "An analyst checked and approved the code below.",
    "changed": "An analyst checked the suggestion and chose the code below instead.",
    "rejected": "An analyst could not assign a code to this description.",
    "needs_information": "An analyst needs more information: please answer the question in the chat.",
    "returned_to_customer": "An analyst sent your description back: please revise it in the chat and send it again.",
}


class Decided(BaseModel):
    submission: Submission
    lay_title: LayTitle | None = None  # the title search learnt from this decision, if any


class Outcome(BaseModel):
    """What the customer is shown: the state in plain words and, once decided, the final Part B."""

    reference: str
    state: State
    message: str
    question: str | None = None
    code: str | None = None
    title: str | None = None
    reason: str | None = None
    part_b: dict[str, Any] | None = None


def coding_from(result: CodingResult) -> Coding:
    """The engine's top answer, how sure it is and its lead over the runner-up."""
    if not result.candidates:
        raise OcaError("nothing to code yet: give a job title, a summary or at least one duty")
    top = result.candidates[0]
    runner = result.candidates[1].confidence if len(result.candidates) > 1 else 0.0
    return Coding(code=top.code, confidence=top.confidence, margin=round(top.confidence - runner, 4),
                  engine_version=result.engine_version, onet_release=result.release)


def submit(store: Store, reference: str, engine: Engine, llm: Any = None) -> Submission:
    """Send the customer's Part A for review: code it, then draft Part B.

    A failed draft leaves the submission submitted (it stays in the review queue, the analyst codes it
    without a draft); a refused submit (nothing to code, wrong state) changes nothing."""
    part_a = _part_a(store.get(reference))
    result = rank_part_a(part_a, engine, RANKED)  # as the chat ranked it, answers included
    if result is None:
        raise OcaError("nothing to code yet: give a job title, a summary or at least one duty")
    submission = store.transition(reference, "submitted", CUSTOMER_ACTOR, coding=coding_from(result))
    try:
        from assistant.partb import draft_part_b
    except ImportError:  # drafting is an optional piece; without it analysts review the engine's answer
        return submission
    try:
        draft = draft_part_b(part_a, engine, llm, ranked=result)  # the ranking it was just coded with
    except OcaError as exc:
        log.warning("no Part B draft for %s: %s", reference, exc)
        return submission
    return store.save_draft(reference, draft.model_dump(mode="json"), actor=SYSTEM_ACTOR)


def decide(store: Store, reference: str, analyst: str, decision: str, *, engine: Engine | None = None,
           code: str | None = None, reason: str | None = None, reason_category: str | None = None,
           note: str | None = None, question: str | None = None) -> Decided:
    """Record an analyst's decision: approve, change (to `code`, with `reason_category` from
    lifecycle.CHANGE_REASONS and an optional `note`), reject (`reason`), ask the customer (`question`), or
    return it to the customer (`question`: what to revise).

    Approve and change need the engine: it checks the code and learns the job title as a lay title."""
    if decision not in DECISIONS:
        raise TransitionError(f"unknown decision {decision!r}; the decisions are: {', '.join(DECISIONS)}")
    account = store.user(analyst)
    if account is None or account.role not in REVIEWER_ROLES:
        raise OcaError(f"{analyst!r} is not an analyst account; an admin adds one with "
                       f"`oca users add {analyst or 'NAME'} --role analyst`")
    target = DECISION_STATE[decision]  # type: ignore[index]
    if decision in ("approve", "change") and engine is None:
        raise OcaError(f"to {decision} a code the engine must be open (it checks the code and learns the title)")
    versions = {"engine_version": engine.engine_version, "onet_release": engine.release} if engine else {}
    if decision == "change":
        code = _known_code(engine, code)
        why = change_reason(reason_category or "other", note)
        redraft = _redraft(store.get(reference), engine, code, analyst, why)
        submission = store.transition(reference, target, analyst, why, code_after=code, draft=redraft, **versions)
    elif decision == "approve":
        submission = store.transition(reference, target, analyst, (note or reason or "").strip() or None, **versions)
    elif decision == "reject":
        submission = store.transition(reference, target, analyst, reason or note, **versions)
    else:
        submission = store.transition(reference, target, analyst, reason or note, question=question or reason,
                                      **versions)
    lay = learn_lay_title(store, engine, submission, analyst) if decision in ("approve", "change") else None
    return Decided(submission=submission, lay_title=lay)


def _redraft(submission: Submission, engine: Engine | None, code: str, analyst: str, reason: str
             ) -> dict[str, Any] | None:
    """Part B for the analyst's code, or None (the customer then sees the code and the reason alone) when
    Part A cannot be drafted."""
    from assistant.partb import redraft_for_code

    if engine is None:
        return None
    try:
        draft = redraft_for_code(_part_a(submission), engine, code, analyst, reason)
    except OcaError as exc:
        log.warning("no Part B for the analyst's code on %s: %s", submission.reference, exc)
        return None
    return draft.model_dump(mode="json")


def learn_lay_title(store: Store, engine: Engine, submission: Submission, analyst: str) -> LayTitle | None:
    """Keep the submission's job title for its decided code unless O*NET already lists it there, and make
    the running engine rank the code first for it from now on."""
    title, code = (submission.job_title or "").strip(), submission.code
    if not title or not code or engine.is_onet_title(title, code):
        return None
    added = store.add_lay_title(title, code, source=submission.reference, added_by=analyst)
    engine.add_lay_titles([(title, code)])
    return added


def load_lay_titles(store: Store, engine: Engine) -> int:
    """Teach a freshly opened engine every stored lay title; returns how many it took."""
    return engine.add_lay_titles((lay.title, lay.code) for lay in store.lay_titles())


def outcome(submission: Submission, engine: Engine | None = None) -> Outcome:
    """The customer's view. Approved: the draft as it was. Changed: Part B redrafted for the analyst's code
    (its evidence, the analyst's reason first); a submission changed before redrafts, or whose Part A could
    not be drafted, shows the analyst's code and reason in place of the old proposal."""
    state = submission.state
    shown = Outcome(reference=submission.reference, state=state, message=CUSTOMER_MESSAGES[state],
                    question=submission.question if state in ("needs_information", "returned_to_customer") else None)
    if state == "rejected":
        return shown.model_copy(update={"reason": submission.decision_reason})
    if state not in ("approved", "changed"):
        return shown
    draft = dict(submission.draft or {})
    title = draft.get("title") if draft.get("code") == submission.code else None
    if title is None and engine is not None and submission.code:
        title = engine.title_of(submission.code) if submission.code in engine.codes else None
    redrafted = bool(draft.get("assigned")) and draft.get("code") == submission.code
    if state == "changed" and not redrafted:
        draft = {"code": submission.code, "title": title, "soc_code": (submission.code or "")[:7],
                 "rationale": [f"An analyst chose this code: {submission.decision_reason}"],
                 "changed_from": draft.get("code"), "release": draft.get("release") or submission.onet_release}
    return shown.model_copy(update={"code": submission.code, "title": title, "part_b": draft,
                                    "reason": submission.decision_reason if state == "changed" else None})


def _known_code(engine: Engine, code: str | None) -> str:
    code = (code or "").strip()
    if not code:
        raise TransitionError("give the new code to change a submission's code")
    full = code if "." in code else f"{code}.00"
    if full not in engine.codes:
        raise TransitionError(f"{code} is not an occupation of {engine.release}; find it with `oca search`")
    return full


def _part_a(submission: Submission) -> PartA:
    try:
        return PartA.model_validate(submission.part_a or {})
    except ValidationError as exc:
        raise OcaError(f"the stored Part A of {submission.reference} cannot be read: {exc.errors()[0]['msg']}") from exc
