"""Agreement between coders: percent and Cohen's kappa by hand-checkable cases, and the blind re-coding
flow through the store."""

from __future__ import annotations

import pytest

from assistant.agreement import agreement, analyst_pairs, build_report, cohen_kappa, draft_pairs, format_report
from assistant.store import DecidedCase, Store, StoreError
from tests.storage.test_lifecycle import new_in


def test_kappa_corrects_agreement_for_chance() -> None:
    # observed 3/4; chance: first coder a,a,b,b / second a,b,b,b -> 0.5*0.25 + 0.5*0.75 = 0.5; kappa 0.5
    first, second = ["a", "a", "b", "b"], ["a", "b", "b", "b"]
    assert cohen_kappa(first, second) == 0.5
    assert cohen_kappa(first, first) == 1.0
    assert cohen_kappa(["a", "b"], ["b", "a"]) == -1.0
    assert cohen_kappa(["a", "a"], ["a", "a"]) is None  # one code only: chance agreement is total
    assert cohen_kappa([], []) is None


def test_codes_agree_at_the_soc_level_when_only_the_onet_suffix_differs() -> None:
    result = agreement([("29-1141.00", "29-1141.01"), ("11-9111.00", "11-9111.00")])
    assert result.pairs == 2
    assert result.percent == {"onetsoc": 50.0, "soc": 100.0}


def test_every_two_coders_of_a_submission_make_a_pair() -> None:
    cases = [DecidedCase(reference="A", decided_by="ann", code="1", draft_code="1", blind={"bob": "1", "cy": "2"}),
             DecidedCase(reference="B", decided_by="bob", code="3", draft_code=None, blind={"ann": "4"})]
    assert analyst_pairs(cases) == {("ann", "bob"): [("1", "1"), ("4", "3")], ("ann", "cy"): [("1", "2")],
                                    ("bob", "cy"): [("1", "2")]}
    assert draft_pairs(cases) == [("1", "1"), ("1", "1"), ("1", "2")]
    report = build_report(cases)
    assert report.decided == 2 and report.blind_reviews == 3
    assert report.between_analysts.pairs == 4 and report.analysts_vs_drafts.pairs == 3
    assert "between analysts" in format_report(report) and "ann~bob" in format_report(report)


def test_an_analyst_codes_a_blind_sample_of_other_analysts_decisions(store: Store) -> None:
    mine = new_in(store, "approved")  # decided by ann (see test_lifecycle.move)
    theirs = [new_in(store, "changed"), new_in(store, "approved")]
    new_in(store, "drafted")  # not decided: never sampled
    sample = store.blind_sample("bob", 10)
    assert {s.reference for s in sample} == {mine.reference, *(t.reference for t in theirs)}
    assert all(s.code is None and s.draft is None and s.decided_by is None for s in sample)
    assert store.blind_sample("ann", 10) == []  # ann decided them all
    assert len(store.blind_sample("bob", 2)) == 2
    assert store.blind_sample("bob", 2, seed=3) == store.blind_sample("bob", 2, seed=3)

    store.record_blind_code(mine.reference, "bob", "29-1141")
    store.record_blind_code(theirs[0].reference, "bob", "29-1141.00")
    assert {s.reference for s in store.blind_sample("bob", 10)} == {theirs[1].reference}
    with pytest.raises(StoreError, match="already coded"):
        store.record_blind_code(mine.reference, "bob", "29-1141.00")
    with pytest.raises(StoreError, match="someone else"):
        store.record_blind_code(mine.reference, "ann", "29-1141.00")

    report = build_report(store.decided_cases())
    # approved 29-1141.00 == bob's; changed to 11-9111.00 != bob's 29-1141.00
    assert report.between_analysts.pairs == 2 and report.between_analysts.percent["onetsoc"] == 50.0


def test_only_decided_submissions_are_coded_blind(store: Store) -> None:
    open_one = new_in(store, "drafted")
    with pytest.raises(StoreError, match="only decided submissions"):
        store.record_blind_code(open_one.reference, "bob", "29-1141.00")
