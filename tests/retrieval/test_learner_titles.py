"""Apprentices and trainees are coded with the occupation they are being trained for (the SOC's classification
principles), unless their title is listed as it stands."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.engine import Engine
from retrieval.models import CodingResult

CASHIER, LINE_COOK, CHEF = "41-2011.00", "35-2014.00", "35-1011.00"


@pytest.fixture()
def engine(fixture_release: Path, fixture_taxonomy: Path, tmp_path: Path) -> Engine:
    return Engine.open(fixture_release, fixture_taxonomy, tmp_path, progress=False)


def ranked(result: CodingResult) -> list[tuple[str, float]]:
    return [(c.code, c.confidence) for c in result.candidates]


@pytest.mark.parametrize(("title", "trade"), [
    ("Cashier Trainee", "Cashier"),
    ("trainee cashier", "cashier"),
    ("Line Cook Apprentice", "Line Cook"),
    ("APPRENTICE, LINE COOK", "LINE COOK"),
    ("Cashier Trainees", "Cashier"),
])
def test_a_learner_of_a_listed_trade_is_ranked_as_the_trade(engine: Engine, title: str, trade: str) -> None:
    result = engine.code(title=title)
    assert ranked(result) == ranked(engine.code(title=trade))
    assert result.query.title == title  # shown as written
    assert ranked(engine.code_many([{"title": title, "industry": "restaurant"}])[0]) == ranked(
        engine.code(title=trade, industry="restaurant"))


def test_a_learner_title_an_analyst_approved_keeps_its_code(engine: Engine) -> None:
    assert [c.code for c in engine.code(title="Cook Trainee").candidates][0] == LINE_COOK
    engine.add_lay_titles([("Cook Trainee", CHEF)])
    assert [c.code for c in engine.code(title="Cook Trainee").candidates][0] == CHEF
    assert [c.code for c in engine.code(title="Cashier Trainee").candidates][0] == CASHIER


@pytest.mark.parametrize("title", ["Trainee", "Apprentice", "Sales Trainee", "Trainer"])
def test_a_learner_word_without_a_listed_trade_is_ranked_as_written(engine: Engine, title: str) -> None:
    assert engine._trained_for(title) == title
