"""An owner is coded by the work done (the SOC's second classification principle): an owner who names no other work
runs the business, which is a manager's work, and one who names listed work is coded by that work."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.engine import Engine
from retrieval.models import CodingResult

CHIEF_EXECUTIVES, STORE_SUPERVISORS, LINE_COOK = "11-1011.00", "41-1011.00", "35-2014.00"


@pytest.fixture()
def engine(fixture_release: Path, fixture_taxonomy: Path, tmp_path: Path) -> Engine:
    return Engine.open(fixture_release, fixture_taxonomy, tmp_path, progress=False)


def ranked(result: CodingResult) -> list[tuple[str, float]]:
    return [(c.code, c.confidence) for c in result.candidates]


@pytest.mark.parametrize(("title", "read_as"), [
    ("Store Owner", "Store Manager"),
    ("Owner", "Manager"),
    ("CO-OWNER", "Manager"),
    ("part owner", "Manager"),
    ("Owner/Operator", "Manager"),
    ("Owner-Operator", "Manager"),
    ("Proprietor", "Manager"),
    ("Owner & Manager", "Manager"),
    ("Store Manager/Owner", "Store Manager"),
    ("Line Cook/Owner", "Line Cook"),
    ("OWNER, CASHIER", "CASHIER"),
])
def test_an_owner_is_ranked_by_the_work_done(engine: Engine, title: str, read_as: str) -> None:
    result = engine.code(title=title, industry="grocery store")
    assert ranked(result) == ranked(engine.code(title=read_as, industry="grocery store"))
    assert result.query.title == title  # shown as written
    assert ranked(engine.code_many([{"title": title}])[0]) == ranked(engine.code(title=read_as))


def test_a_store_owner_is_the_store_supervisor_and_a_cook_owner_the_cook(engine: Engine) -> None:
    assert engine.code(title="Store Owner").candidates[0].code == STORE_SUPERVISORS
    assert engine.code(title="Line Cook/Owner").candidates[0].code == LINE_COOK


@pytest.mark.parametrize("title", ["Homeowner Adviser", "Ownership Analyst", "Downer"])
def test_words_that_only_contain_owner_are_left_alone(engine: Engine, title: str) -> None:
    assert engine._run_by_owner(title) == title


def test_an_owner_title_an_analyst_approved_keeps_its_code(engine: Engine) -> None:
    assert ranked(engine.code(title="Owner")) == ranked(engine.code(title="Manager"))
    engine.add_lay_titles([("Owner", CHIEF_EXECUTIVES), ("Bakery Owner", LINE_COOK)])
    assert engine.code(title="Owner").candidates[0].code == CHIEF_EXECUTIVES
    assert engine.code(title="Bakery Owner").candidates[0].code == LINE_COOK
    assert ranked(engine.code(title="Store Owner")) == ranked(engine.code(title="Store Manager"))
