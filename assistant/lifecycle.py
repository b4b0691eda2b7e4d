"""The submission lifecycle: its fixed states, who may move a submission between them, and why.

Pure rules, no storage: `Store.transition` asks `check_transition` before it writes anything, so a refused
move changes nothing.
"""

from __future__ import annotations

from typing import Literal, get_args

from retrieval.errors import OcaError

State = Literal[
    "in_progress",  # the customer is still talking to the assistant
    "submitted",  # the customer sent Part A; waiting for the draft
    "drafted",  # Part B drafted; waiting for an analyst
    "approved",  # an analyst accepted the draft's code
    "changed",  # an analyst gave another code
    "rejected",  # an analyst refused to code it (not a job, several jobs, abuse, ...)
    "needs_information",  # an analyst asked the customer a question; waiting for the answer
    "returned_to_customer",  # an analyst sent it back for the customer to revise and submit again
]
STATES: tuple[State, ...] = get_args(State)

Decision = Literal["approve", "change", "reject", "ask", "return"]
DECISIONS: tuple[Decision, ...] = get_args(Decision)
DECISION_STATE: dict[Decision, State] = {
    "approve": "approved",
    "change": "changed",
    "reject": "rejected",
    "ask": "needs_information",
    "return": "returned_to_customer",
}

# States the customer may still edit (the conversation is saved only in these).
CUSTOMER_STATES: frozenset[State] = frozenset({"in_progress", "needs_information", "returned_to_customer"})
# States waiting for an analyst: the review queue.
REVIEW_STATES: frozenset[State] = frozenset({"submitted", "drafted"})
FINAL_STATES: frozenset[State] = frozenset({"approved", "changed", "rejected"})

ALLOWED: dict[State, frozenset[State]] = {
    "in_progress": frozenset({"submitted"}),
    "submitted": frozenset({"drafted"}) | frozenset(DECISION_STATE.values()),
    "drafted": frozenset(DECISION_STATE.values()),
    "needs_information": frozenset({"submitted"}),
    "returned_to_customer": frozenset({"submitted"}),
    "approved": frozenset(),
    "changed": frozenset(),
    "rejected": frozenset(),
}

# Staff accounts; customers have none (they reach a submission through its private link).
Role = Literal["analyst", "evaluator", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)

# Why an analyst changes a code: picked from this short list, with free text beside it.
CHANGE_REASONS: dict[str, str] = {
    "duties": "the duties fit another occupation better",
    "level": "the level of the job (supervision, responsibility, training) differs",
    "industry": "the industry or setting points to another occupation",
    "specialty": "a more specific occupation fits",
    "generic": "a broader occupation fits better than the specific one",
    "other": "other (see the note)",
}


class TransitionError(OcaError):
    """A move the lifecycle does not allow, or one made with missing details."""


def check_state(state: str) -> State:
    if state not in STATES:
        raise TransitionError(f"unknown state {state!r}; the states are: {', '.join(STATES)}")
    return state  # type: ignore[return-value]


def check_transition(from_state: State | None, to_state: str) -> State:
    """The target state when the move from `from_state` is allowed; TransitionError otherwise."""
    target = check_state(to_state)
    if from_state is None:
        if target != "in_progress":
            raise TransitionError(f"a new submission starts in_progress, not {target}")
        return target
    allowed = ALLOWED[from_state]
    if target not in allowed:
        if from_state in FINAL_STATES:
            raise TransitionError(f"the submission is already {from_state}; a decided submission is final")
        options = ", ".join(sorted(allowed)) or "nothing"
        raise TransitionError(f"cannot move a submission from {from_state} to {target}; from {from_state} "
                              f"it can go to: {options}")
    return target


def change_reason(category: str, note: str | None) -> str:
    """The stored reason for a changed code: the picked category, then the analyst's own words."""
    if category not in CHANGE_REASONS:
        raise TransitionError(f"unknown reason {category!r} for a change; pick one of: {', '.join(CHANGE_REASONS)}")
    note = (note or "").strip()
    return f"{category}: {CHANGE_REASONS[category]}" + (f" — {note}" if note else "")
