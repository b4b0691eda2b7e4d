"""The review workflow with the real engine over the fixture release: submit codes and drafts, analysts
decide, approved titles teach search at once, and the customer sees the outcome."""

from __future__ import annotations

import pytest

from assistant import review
from assistant.store import Store
from retrieval.engine import Engine
from retrieval.errors import OcaError
from tests.storage.conftest import ANALYST, part_a

LAY_TITLE = "ward boss"


def filled(store: Store, title: str | None = LAY_TITLE, **items: object) -> str:
    ref = store.create_submission().reference
    store.save_conversation(ref, {"messages": [{"role": "user", "content": "hello"}]}, part_a(title, **items))
    return ref


def test_submit_codes_the_job_and_drafts_part_b(store: Store, engine: Engine) -> None:
    ref = filled(store, "charge nurse")
    sub = review.submit(store, ref, engine)
    assert sub.state == "drafted"
    assert sub.code == "29-1141.00" and sub.major_group == "29"
    assert sub.draft["code"] == sub.code and sub.draft["rationale"]
    assert 0 < sub.confidence <= 1 and sub.margin is not None
    entries = store.audit(ref)
    assert [(e.actor, e.to_state) for e in entries] == [("customer", "in_progress"), ("customer", "submitted"),
                                                        ("system", "drafted")]
    assert {(e.engine_version, e.onet_release) for e in entries[1:]} == {(engine.engine_version, engine.release)}
    assert store.queue()[0].reference == ref


def test_submit_ranks_part_a_once_for_its_coding_and_its_draft(store: Store, engine: Engine,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The draft proposes what the submission was coded with, from the same ranking, not a second one."""
    calls: list[str | None] = []
    code = engine.code

    def counted(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        calls.append(kwargs.get("title"))  # type: ignore[arg-type]
        return code(*args, **kwargs)

    monkeypatch.setattr(engine, "code", counted)
    sub = review.submit(store, filled(store, "charge nurse"), engine)
    assert sub.state == "drafted" and sub.draft["code"] == sub.code
    assert calls == ["charge nurse"]


def test_submitting_nothing_is_refused_and_changes_nothing(store: Store, engine: Engine) -> None:
    ref = store.create_submission().reference
    with pytest.raises(OcaError, match="nothing to code"):
        review.submit(store, ref, engine)
    assert store.get(ref).state == "in_progress" and len(store.audit(ref)) == 1


def test_an_approved_lay_title_ranks_its_code_first_at_once(store: Store, engine: Engine,
                                                            analysts: tuple[str, str]) -> None:
    """The next query already knows the title (how soon, in seconds, is scripts/bench.py's figure)."""
    ref = filled(store, LAY_TITLE)
    review.submit(store, ref, engine)
    # The title alone does not lead to the code the analyst will give it.
    assert engine.code(title=LAY_TITLE).candidates[0].code != "11-9111.00"
    review.decide(store, ref, ANALYST, "change", engine=engine, code="11-9111.00", reason_category="level",
                  note="manages the ward's budget and staff")
    result = engine.code(title="Ward Bosses")
    assert result.candidates[0].code == "11-9111.00"
    assert result.candidates[0].evidence[0].kind == "lay_title"
    assert engine.search(LAY_TITLE)[0].code == "11-9111.00"
    lay = store.lay_titles()
    assert [(t.title, t.code, t.source, t.added_by) for t in lay] == [(LAY_TITLE, "11-9111.00", ref, ANALYST)]


def test_a_new_engine_learns_the_stored_lay_titles_when_it_opens(store: Store, engine: Engine,
                                                                 analysts: tuple[str, str], fixture_release,
                                                                 fixture_taxonomy, engine_home, minilm) -> None:
    ref = filled(store, LAY_TITLE)
    review.submit(store, ref, engine)
    review.decide(store, ref, ANALYST, "change", engine=engine, code="11-9111", reason_category="level")
    fresh = Engine.open(fixture_release, fixture_taxonomy, engine_home, embedder=minilm, progress=False)
    assert fresh.code(title=LAY_TITLE).candidates[0].code != "11-9111.00"
    assert review.load_lay_titles(store, fresh) == 1
    assert fresh.code(title=LAY_TITLE).candidates[0].code == "11-9111.00"


def test_a_title_onet_already_lists_is_not_kept_as_a_lay_title(store: Store, engine: Engine,
                                                               analysts: tuple[str, str]) -> None:
    ref = filled(store, "Registered Nurses")
    sub = review.submit(store, ref, engine)
    assert sub.code == "29-1141.00"
    done = review.decide(store, ref, ANALYST, "approve", engine=engine)
    assert done.submission.state == "approved" and done.lay_title is None
    assert store.lay_titles() == []


def test_approving_a_lay_title_keeps_it_for_the_approved_code(store: Store, engine: Engine,
                                                              analysts: tuple[str, str]) -> None:
    ref = filled(store, "nurse in charge of the night shift")
    sub = review.submit(store, ref, engine)
    done = review.decide(store, ref, ANALYST, "approve", engine=engine, note="clear duties")
    assert done.lay_title is not None and done.lay_title.code == sub.code
    assert store.audit(ref)[-1].reason == "clear duties"


def test_a_change_records_the_picked_reason_and_the_note(store: Store, engine: Engine,
                                                         analysts: tuple[str, str]) -> None:
    ref = filled(store)
    before = review.submit(store, ref, engine).code
    review.decide(store, ref, ANALYST, "change", engine=engine, code="11-9111.00", reason_category="level",
                  note="runs the ward")
    last = store.audit(ref)[-1]
    assert (last.from_state, last.to_state, last.actor) == ("drafted", "changed", ANALYST)
    assert (last.code_before, last.code_after) == (before, "11-9111.00")
    assert last.reason.startswith("level: ") and last.reason.endswith("runs the ward")


def test_a_code_outside_the_release_is_refused(store: Store, engine: Engine, analysts: tuple[str, str]) -> None:
    ref = filled(store)
    review.submit(store, ref, engine)
    with pytest.raises(OcaError, match="not an occupation"):
        review.decide(store, ref, ANALYST, "change", engine=engine, code="99-9999.00", reason_category="other")
    assert store.get(ref).state == "drafted"


def test_only_analyst_accounts_decide(store: Store, engine: Engine) -> None:
    store.add_user("eve", "evaluator password", "evaluator")
    ref = filled(store)
    review.submit(store, ref, engine)
    for who in ("eve", "mallory"):
        with pytest.raises(OcaError, match="not an analyst account"):
            review.decide(store, ref, who, "approve", engine=engine)
    assert store.get(ref).state == "drafted"


def test_asking_the_customer_then_their_answer_is_coded_again(store: Store, engine: Engine,
                                                              analysts: tuple[str, str]) -> None:
    ref = filled(store, "nurse")
    review.submit(store, ref, engine)
    review.decide(store, ref, ANALYST, "ask", question="Do you supervise other nurses?")
    sub = store.get(ref)
    assert sub.state == "needs_information"
    shown = review.outcome(sub)
    assert shown.question == "Do you supervise other nurses?" and "more information" in shown.message
    messages = sub.conversation["messages"] + [{"role": "user", "content": "Yes, I lead the ward's nurses"}]
    store.save_conversation(ref, {"messages": messages}, part_a("charge nurse"))
    again = review.submit(store, ref, engine)
    assert again.state == "drafted" and again.question is None
    assert [e.to_state for e in store.audit(ref)] == ["in_progress", "submitted", "drafted", "needs_information",
                                                      "submitted", "drafted"]


def test_the_customer_sees_the_decision_and_the_final_part_b(store: Store, engine: Engine,
                                                             analysts: tuple[str, str]) -> None:
    approved, changed, rejected = filled(store, "charge nurse"), filled(store), filled(store)
    for ref in (approved, changed, rejected):
        review.submit(store, ref, engine)
    review.decide(store, approved, ANALYST, "approve", engine=engine)
    review.decide(store, changed, ANALYST, "change", engine=engine, code="11-9111.00", reason_category="level")
    review.decide(store, rejected, ANALYST, "reject", reason="This describes two different jobs.")

    seen = review.outcome(store.get(approved), engine)
    assert seen.state == "approved" and seen.code == "29-1141.00" and seen.title == "Registered Nurses"
    assert seen.part_b["rationale"] == store.get(approved).draft["rationale"]

    seen = review.outcome(store.get(changed), engine)
    assert seen.code == "11-9111.00" and seen.title == "Medical and Health Services Managers"
    assert seen.reason.startswith("level")
    # Part B is redrafted for the analyst's code: its own evidence, the analyst's reason first
    part_b = seen.part_b
    assert part_b["code"] == "11-9111.00" and part_b["title"] == "Medical and Health Services Managers"
    assert part_b["assigned"]["analyst"] == ANALYST and part_b["assigned"]["engine_code"] != "11-9111.00"
    assert part_b["rationale"][0].startswith("Assigned by an analyst: 11-9111.00")
    assert part_b["rationale"][1].startswith("The engine ranked it") and "level" in part_b["rationale"][1]
    assert part_b["citations"] and {c["code"] for c in part_b["citations"]} >= {"11-9111.00"}
    assert part_b["assigned"]["engine_code"] in [r["code"] for r in part_b["runners_up"]]
    assert not any(p.startswith("For the analyst:") for p in part_b["rationale"])
    assert store.get(changed).confidence == part_b["confidence"]

    seen = review.outcome(store.get(rejected))
    assert seen.state == "rejected" and seen.reason == "This describes two different jobs." and seen.part_b is None


def test_a_change_whose_part_a_cannot_be_redrafted_shows_the_code_and_the_reason(
        store: Store, engine: Engine, analysts: tuple[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant import partb

    ref = filled(store)
    review.submit(store, ref, engine)
    proposed = store.get(ref).code

    def cannot(*args: object, **kwargs: object) -> None:
        raise partb.DraftError("nothing to draft")

    monkeypatch.setattr(partb, "redraft_for_code", cannot)
    review.decide(store, ref, ANALYST, "change", engine=engine, code="11-9111.00", reason_category="level")
    seen = review.outcome(store.get(ref), engine)
    assert store.get(ref).state == "changed" and seen.code == "11-9111.00"
    assert seen.part_b["changed_from"] == proposed
    assert seen.part_b["rationale"] == [f"An analyst chose this code: {store.get(ref).decision_reason}"]


def test_the_submission_and_part_b_follow_the_answers_as_the_chat_did(store: Store, engine: Engine) -> None:
    """A licence named in Part A moves Licensed Practical Nurses ahead in the chat's panel; the submission's
    code and Part B must propose what the customer last saw, not the engine's ranking without the answer."""
    from assistant.conversation import Conversation, rank
    from assistant.parta import PartA

    items = {"summary": None, "duties": [], "industries": [], "licenses": ["LPN license"]}
    ref = filled(store, "charge nurse", **items)
    assert engine.code(title="charge nurse").candidates[0].code == "29-1141.00"  # without the answer
    shown = rank(Conversation(part_a=PartA.model_validate(part_a("charge nurse", **items))), engine)
    assert shown[0].code == "29-2061.00"
    submission = review.submit(store, ref, engine)
    assert submission.code == "29-2061.00" and submission.draft["code"] == "29-2061.00"
    assert submission.confidence == pytest.approx(shown[0].confidence)
    assert submission.draft["checks"]["licence"]["status"] == "agree"
