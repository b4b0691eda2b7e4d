"""Misspelt title and industry words put right towards O*NET's vocabulary (retrieval.spelling)."""

from __future__ import annotations

import pytest

from retrieval.spelling import Speller

VOCABULARY = ["clerical", "clarifying", "cashier", "washer", "manager", "manner", "chainman", "floor", "worker",
              "profession", "nonferrous", "personal", "personnel", "blogger", "programmer", "computer"]


@pytest.fixture()
def speller() -> Speller:
    return Speller(VOCABULARY)


@pytest.mark.parametrize(("written", "meant"), [
    ("CLARICAL", "clerical"),  # nearer "clarifying" by its letters, one edit from "clerical"
    ("COMPUTER PROGRAMER", "COMPUTER programmer"),
    ("manger", "manager"),  # an English word, but "manager" is far commoner, as is it than "manner"
])
def test_a_misspelt_word_becomes_the_vocabulary_word_it_meant(speller: Speller, written: str, meant: str) -> None:
    assert speller.correct(written) == meant


@pytest.mark.parametrize("written", [
    "Clerical Worker",  # known words
    "casher",  # as near "washer" as "cashier", neither clearly commoner: left to the title matching
    "personell",  # two edits from both "personal" and "personnel"
    "chairman",  # common English, not a misspelling of O*NET's "chainman"
    "profess. & kin.",  # abbreviations marked by their full stop
    "floorworker",  # two known words run together
    "mgr hvac",  # short words and abbreviations the normaliser expands
])
def test_words_that_are_not_clear_misspellings_stay_as_written(speller: Speller, written: str) -> None:
    assert speller.correct(written) == written


def test_words_of_approved_lay_titles_are_learnt(speller: Speller) -> None:
    assert speller.correct("vlogger") == "blogger"
    speller.learn("Vlogger")
    assert speller.correct("vlogger") == "vlogger"


def test_empty_text_passes_through(speller: Speller) -> None:
    assert speller.correct(None) is None
    assert speller.correct("") == ""
