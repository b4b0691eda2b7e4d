"""A write-in that names the work ("Truck Driving", "Cooking") is ranked as the worker O*NET's titles name
("truck driver", "cook"), while titles where the activity only qualifies the worker are left alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval import engine as engine_module
from retrieval.engine import Engine
from retrieval.models import CodingResult


@pytest.fixture()
def engine(fixture_release: Path, fixture_taxonomy: Path, tmp_path: Path) -> Engine:
    return Engine.open(fixture_release, fixture_taxonomy, tmp_path, progress=False)


@pytest.fixture()
def few_titles(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fixture release is small: one occupation's titles ending in a word is enough here."""
    monkeypatch.setattr(engine_module, "MIN_DOER_TITLES", 1)


def ranked(result: CodingResult) -> list[tuple[str, float]]:
    return [(c.code, c.confidence) for c in result.candidates]


@pytest.mark.parametrize(("title", "read_as"), [
    ("Truck Driving", "truck driver"),
    ("COOKING", "cook"),
    ("Sewing", "sewer"),
    ("nursing", "nurse"),
    ("Cooking and Cashiering", "cook and cashier"),
    ("SHIPPING/DRIVING", "shipping/driver"),
    ("Driving trucks", "trucks driver"),
])
def test_an_activity_is_ranked_as_its_worker(engine: Engine, few_titles: None, title: str, read_as: str) -> None:
    assert engine._doer_of(title) == read_as
    result = engine.code(title=title, industry="trucking")
    assert ranked(result) == ranked(engine.code(title=read_as, industry="trucking"))
    assert result.query.title == title  # shown as written
    assert ranked(engine.code_many([{"title": title}])[0]) == ranked(engine.code(title=read_as))


def test_truck_driving_finds_the_truck_drivers(engine: Engine, few_titles: None) -> None:
    assert engine.code(title="TRUCK DRIVING").candidates[0].code == "53-3032.00"


@pytest.mark.parametrize("title", [
    "Sewing Machine Operator",  # listed as it stands
    "Sewing Machine Repair",  # a listed title says "sewing machine": the activity qualifies the machine
    "Director of Nursing",  # the activity follows a stop word: the director is the worker
    "Supervisor, Driving",  # inverted: a driving supervisor
    "Manager",  # no activity
    "Bookkeeping",  # no title ends in "bookkeeper" here
])
def test_titles_whose_activity_names_no_worker_are_left_alone(engine: Engine, few_titles: None, title: str) -> None:
    assert engine._doer_of(title) == title


def test_a_worker_word_that_few_occupations_end_their_titles_with_is_not_taken(engine: Engine) -> None:
    """With the shipped threshold, one occupation saying "Sewer" is too few to read "Sewing" as a sewer."""
    assert engine._doer_of("Sewing") == "Sewing"


def test_an_activity_title_an_analyst_approved_keeps_its_code(engine: Engine, few_titles: None) -> None:
    engine.add_lay_titles([("Cooking", "35-1011.00")])
    assert engine._doer_of("Cooking") == "Cooking"
    assert engine.code(title="Cooking").candidates[0].code == "35-1011.00"


@pytest.fixture()
def one_title_joins(monkeypatch: pytest.MonkeyPatch) -> None:
    """Joining on one title's word, as a small release needs."""
    monkeypatch.setattr(engine_module, "MIN_JOINED_TITLES", 1)


@pytest.mark.parametrize(("title", "joined"), [
    ("Sales Person", "Salesperson"),
    ("SALES PERSON", "SALESPERSON"),
    ("retail sales person", "retail salesperson"),
])
def test_two_words_a_title_writes_as_one_are_joined(engine: Engine, one_title_joins: None, title: str,
                                                    joined: str) -> None:
    assert engine._joined(title) == joined
    assert ranked(engine.code(title=title)) == ranked(engine.code(title=joined))


@pytest.mark.parametrize("title", ["Line Cook", "Head Chef", "Check Out Clerk", "A P Clerk", "Sales"])
def test_words_listed_apart_or_initials_are_not_joined(engine: Engine, one_title_joins: None, title: str) -> None:
    assert engine._joined(title) == title


def test_a_joined_word_needs_enough_titles(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    assert engine._joined("Sales Person") == "Salesperson"  # two fixture titles write it as one word
    monkeypatch.setattr(engine_module, "MIN_JOINED_TITLES", 3)
    assert engine._joined("Sales Person") == "Sales Person"
