"""Every move between the fixed states, allowed or refused, through a real database; each allowed move
leaves one audit entry, each refused one changes nothing."""

from __future__ import annotations

import pytest

from assistant.lifecycle import ALLOWED, STATES, TransitionError, change_reason, check_transition
from assistant.store import Coding, Store, Submission
from tests.storage.conftest import part_a

CODING = Coding(code="29-1141.00", confidence=0.42, margin=0.08, engine_version="test-engine",
                onet_release="O*NET 29.3")
# How to reach each state from a new submission, and what each move needs.
PATHS: dict[str, list[str]] = {
    "in_progress": [],
    "submitted": ["submitted"],
    "drafted": ["submitted", "drafted"],
    "approved": ["submitted", "drafted", "approved"],
    "changed": ["submitted", "changed"],
    "rejected": ["submitted", "rejected"],
    "needs_information": ["submitted", "needs_information"],
    "returned_to_customer": ["submitted", "drafted", "returned_to_customer"],
}


def move(store: Store, reference: str, to_state: str) -> Submission:
    details: dict = {
        "submitted": {"actor": "customer", "coding": CODING},
        "drafted": {"actor": "system", "code_after": "29-1141.00"},
        "approved": {"actor": "ann", "reason": "fits"},
        "changed": {"actor": "ann", "reason": "duties: supervises", "code_after": "11-9111.00"},
        "rejected": {"actor": "ann", "reason": "not a job"},
        "needs_information": {"actor": "ann", "question": "How many nurses do you supervise?"},
        "returned_to_customer": {"actor": "ann", "question": "Describe one job only, please."},
        "in_progress": {"actor": "customer"},
    }[to_state]
    return store.transition(reference, to_state, **details)


def new_in(store: Store, state: str) -> Submission:
    sub = store.create_submission()
    store.save_conversation(sub.reference, {"messages": [{"role": "user", "content": "I run a ward"}]}, part_a())
    for step in PATHS[state]:
        move(store, sub.reference, step)
    return store.get(sub.reference)


def test_every_state_has_a_path_and_a_rule() -> None:
    assert set(PATHS) == set(STATES) == set(ALLOWED)


@pytest.mark.parametrize("from_state", STATES)
def test_every_move_from_a_state_is_allowed_or_refused_as_the_rules_say(store: Store, from_state: str) -> None:
    for to_state in STATES:
        sub = new_in(store, from_state)
        assert sub.state == from_state
        before = store.audit(sub.reference)
        if to_state in ALLOWED[from_state]:
            after = move(store, sub.reference, to_state)
            assert after.state == to_state
            entries = store.audit(sub.reference)
            assert len(entries) == len(before) + 1
            last = entries[-1]
            assert (last.from_state, last.to_state) == (from_state, to_state)
            assert last.code_before == sub.code
            assert last.code_after == after.code
        else:
            with pytest.raises(TransitionError):
                move(store, sub.reference, to_state)
            assert store.get(sub.reference) == sub
            assert store.audit(sub.reference) == before


def test_the_audit_log_tells_the_whole_story(store: Store) -> None:
    sub = new_in(store, "changed")
    entries = store.audit(sub.reference)
    assert [(e.from_state, e.to_state) for e in entries] == [
        (None, "in_progress"), ("in_progress", "submitted"), ("submitted", "changed")]
    created, submitted, changed = entries
    assert created.actor == "customer" and created.code_after is None
    assert submitted.code_before is None and submitted.code_after == "29-1141.00"
    assert (submitted.engine_version, submitted.onet_release) == ("test-engine", "O*NET 29.3")
    assert changed.actor == "ann"
    assert (changed.code_before, changed.code_after) == ("29-1141.00", "11-9111.00")
    assert changed.reason == "duties: supervises"
    assert created.at <= submitted.at <= changed.at


def test_a_decided_submission_is_final_and_says_so(store: Store) -> None:
    sub = new_in(store, "approved")
    with pytest.raises(TransitionError, match="already approved"):
        store.transition(sub.reference, "changed", "bob", reason="second thoughts", code_after="11-9111.00")


def test_two_analysts_deciding_the_same_submission_cannot_both_win(db_url: str, store: Store) -> None:
    sub = new_in(store, "drafted")
    other = Store.open(db_url)
    try:
        other.transition(sub.reference, "approved", "bob")
        with pytest.raises(TransitionError, match="already approved"):
            store.transition(sub.reference, "rejected", "ann", reason="not a job")
    finally:
        other.close()
    assert [e.to_state for e in store.audit(sub.reference)][-1] == "approved"


@pytest.mark.parametrize(("to_state", "details", "message"), [
    ("changed", {"reason": "duties"}, "new code"),
    ("changed", {"code_after": "11-9111.00"}, "reason"),
    ("changed", {"reason": "duties", "code_after": "29-1141.00"}, "approve it instead"),
    ("changed", {"reason": "duties", "code_after": "nurse"}, "not an O\\*NET-SOC code"),
    ("rejected", {}, "reason"),
    ("needs_information", {}, "question"),
    ("returned_to_customer", {"reason": "  "}, "question"),
    ("archived", {}, "unknown state"),
])
def test_a_move_without_what_it_needs_is_refused_and_changes_nothing(store: Store, to_state: str, details: dict,
                                                                     message: str) -> None:
    sub = new_in(store, "drafted")
    with pytest.raises(TransitionError, match=message):
        store.transition(sub.reference, to_state, "ann", **details)
    assert store.get(sub.reference) == sub


def test_a_submission_with_nothing_to_code_cannot_be_submitted(store: Store) -> None:
    sub = store.create_submission()
    with pytest.raises(TransitionError, match="no job title or duties"):
        store.transition(sub.reference, "submitted", "customer")
    assert store.get(sub.reference).state == "in_progress"


def test_a_move_needs_an_actor(store: Store) -> None:
    sub = new_in(store, "drafted")
    with pytest.raises(TransitionError, match="who"):
        store.transition(sub.reference, "approved", " ")


def test_a_new_submission_can_only_start_in_progress() -> None:
    assert check_transition(None, "in_progress") == "in_progress"
    with pytest.raises(TransitionError):
        check_transition(None, "approved")


def test_a_change_reason_is_picked_from_the_list_with_free_text_beside_it() -> None:
    assert change_reason("level", "leads a team of 12").startswith("level: ")
    assert change_reason("level", "leads a team of 12").endswith("leads a team of 12")
    with pytest.raises(TransitionError, match="pick one of"):
        change_reason("whim", None)
