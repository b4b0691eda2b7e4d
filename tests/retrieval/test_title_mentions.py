"""A description meets the titles it names in other word forms: "assembles trophies" finds "Trophy Assembler",
"scores insoles" finds "Insole Scorer", while nouns that merely end in -er ("water", "paper") stay themselves."""

from __future__ import annotations

import pickle
import threading

import numpy as np
import pytest

from retrieval.lexical import TitleDoc, TitleIndex, WordStems
from retrieval.normalize import normalize_title

VERBS = ["assemble", "score", "cut", "operate", "sew", "inspect", "tend"]


def doc(code: int, text: str) -> TitleDoc:
    return TitleDoc(code, "alternate_title", text, normalize_title(text))


DOCS = [
    doc(0, "Trophy Assembler"), doc(0, "Plaque Maker"),
    doc(1, "Insole Scorer"), doc(1, "Heel Trimmer"),
    doc(2, "Water Treatment Plant Operator"),
    doc(3, "Paper Cutter"), doc(3, "Cloth Cutter"),
    doc(4, "Sewer Pipe Cleaner"),
]


@pytest.fixture(scope="module")
def index() -> TitleIndex:
    return TitleIndex(DOCS, 5, VERBS)


def test_agent_nouns_meet_the_verbs_they_name() -> None:
    stems = WordStems(VERBS)
    assert stems("scorer") == stems("scores") == stems("scoring")
    assert stems("cutter") == stems("cuts") == stems("cut")
    assert stems("assembler") == stems("assembles")
    assert stems("operator") == stems("operates")
    # an -er noun whose stripped form is no verb O*NET's tasks begin with keeps its own stem
    assert stems("water") != stems("wat") and stems("water") == stems("waters")
    assert stems("paper") == stems("papers")


def test_a_description_finds_the_title_it_describes_in_other_word_forms(index: TitleIndex) -> None:
    scores = index.mention_scores("Assembles trophies to customers' specifications, using drill press and handtools.")
    assert int(np.argmax(scores)) == 0
    scores = index.mention_scores("Tends machine that scores insole of shoe to guide installation of heel.")
    assert int(np.argmax(scores)) == 1
    scores = index.mention_scores("Cuts paper and cloth to size with a power cutter.")
    assert int(np.argmax(scores)) == 3


def test_words_no_title_uses_score_nothing(index: TitleIndex) -> None:
    assert not index.mention_scores("Plays the violin in an orchestra.").any()
    assert not index.mention_scores("").any()


def test_the_stemmer_survives_pickling_and_threads(index: TitleIndex) -> None:
    """The index is pickled beside the vector store and batch coding ranks from two threads at once."""
    copy = pickle.loads(pickle.dumps(index))
    text = "Assembles trophies and scores insoles."
    assert np.array_equal(copy.mention_scores(text), index.mention_scores(text))
    results: list[np.ndarray] = []
    threads = [threading.Thread(target=lambda: results.append(copy.mention_scores(text))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4 and all(np.array_equal(r, results[0]) for r in results)


def test_a_title_document_pickles_as_its_fields_and_comes_back_equal() -> None:
    doc = TitleDoc(3, "alt_title", "Staff Nurse", "staff nurse", frozenset({"02", "08"}))
    assert doc.__reduce__() == (TitleDoc, (3, "alt_title", "Staff Nurse", "staff nurse", frozenset({"02", "08"})))
    back = pickle.loads(pickle.dumps([doc, doc], protocol=pickle.HIGHEST_PROTOCOL))
    assert back == [doc, doc] and back[0] is back[1]  # a repeat is stored once
    with pytest.raises(AttributeError):
        back[0].text = "x"  # still frozen


def test_the_verb_do_names_no_title_but_the_abbreviation_do_does() -> None:
    index = TitleIndex([doc(0, "DO"), doc(0, "Osteopathic Physician"), doc(1, "Do All Operator"),
                        doc(2, "Payroll Clerk")], 3, VERBS)
    for text in ("I do payroll.", "Does payroll for a small firm.", "Did the payroll and all the filing."):
        scores = index.mention_scores(text)
        assert scores[0] == scores[1] == 0, text
        assert scores[2] > 0, text
        assert 0 not in index.mentioned(text, [0, 1, 2]) and 1 not in index.mentioned(text, [0, 1, 2])
    assert index.mention_scores("She is a DO in a family practice.")[0] > 0


def test_a_title_met_only_in_what_qualifies_its_worker_counts_less() -> None:
    """"I repair cars and trucks" names the objects of "Truck, Car, and Bus Cleaner" but not the cleaner; "Car
    Repairer" it meets whole."""
    index = TitleIndex([doc(0, "Truck, Car, and Bus Cleaner"), doc(1, "Car Repairer"), doc(1, "Brake Adjuster"),
                        doc(2, "Director of Nursing"), doc(3, "Salesperson, Shoes"), doc(4, "Nurse")], 5,
                       ["repair", "clean", "adjust", "direct"])
    heads = [index.bm25.vocab_dict.get(index._head_stem(d.text)) for d in index.docs]
    assert heads == [index.bm25.vocab_dict[index.stems(w)] for w in
                     ("cleaner", "repairer", "adjuster", "director", "salesperson", "nurse")]
    scores = index.mention_scores("I repair cars and trucks.")
    assert int(np.argmax(scores)) == 1
    # named: "nursing" meets "Director of Nursing" at half, "Nurse" whole
    scores = index.mention_scores("Nurses care for patients.")
    assert scores[4] > scores[2] > 0
    shown = index.mentioned("I repair cars and trucks.", [0, 1])
    assert shown[1][0].text == "Car Repairer" and shown[0][0].text == "Truck, Car, and Bus Cleaner"


def test_a_job_title_given_beside_the_description_names_the_worker() -> None:
    """"Operator" with "I run a forklift": the customer's title names the worker of "Forklift Operator", which
    the description then meets whole, ahead of a title whose worker neither names."""
    index = TitleIndex([doc(0, "Forklift Operator"), doc(1, "Forklift Mechanic"), doc(2, "Crane Operator")], 5,
                       ["operate", "run"])
    alone = index.mention_scores("I run a forklift in a warehouse.")
    titled = index.mention_scores("I run a forklift in a warehouse.", worker="Operator")
    assert alone[0] == pytest.approx(alone[1])  # neither worker named: both at half
    assert titled[0] == pytest.approx(2 * alone[0]) and titled[1] == pytest.approx(alone[1])
    assert titled[2] == alone[2] == 0  # the title alone meets nothing: it only names, it is not matched
    shown = index.mentioned("I run a forklift in a warehouse.", [0, 1], worker="Operator")
    assert shown[0][0].text == "Forklift Operator" and shown[0][1] == ["forklift"]
    # a worker word the titles never use changes nothing
    assert np.array_equal(index.mention_scores("I run a forklift.", worker="Zookeeper"),
                          index.mention_scores("I run a forklift."))
