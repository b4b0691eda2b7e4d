"""A write-in that names only a field ("Kitchen", "CONSTRUCTION") is ranked as that field's worker when a detailed
occupation lists "<field> Worker"; a catch-all "All Other" listing does not count."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from retrieval.engine import Engine
from retrieval.models import CodingResult

LINE_COOK, CHEF = "35-2014.00", "35-1011.00"


@pytest.fixture()
def engine(fixture_release: Path, fixture_taxonomy: Path, tmp_path: Path) -> Engine:
    release = tmp_path / "release"
    shutil.copytree(fixture_release, release)
    with (release / "Alternate Titles.txt").open("a", encoding="utf-8") as out:
        out.write(f"{LINE_COOK}\tCooks, Restaurant\tKitchen Worker\t\t04\n")
        out.write("29-1229.00\tPhysicians, All Other\tClinic Worker\t\t04\n")
    return Engine.open(release, fixture_taxonomy, tmp_path / "home", progress=False)


def ranked(result: CodingResult) -> list[tuple[str, float]]:
    return [(c.code, c.confidence) for c in result.candidates]


@pytest.mark.parametrize("title", ["Kitchen", "KITCHEN", "kitchen "])
def test_a_field_is_ranked_as_its_worker(engine: Engine, title: str) -> None:
    assert engine._worker_in(title) == f"{title.strip()} Worker"
    result = engine.code(title=title, industry="hospital")
    assert ranked(result) == ranked(engine.code(title="Kitchen Worker", industry="hospital"))
    assert result.candidates[0].code == LINE_COOK
    assert result.query.title == title.strip()  # shown as written


@pytest.mark.parametrize("title", [
    "Clinic",  # only an "All Other" occupation lists "Clinic Worker"
    "Cashier",  # names the worker already
    "Kitchen Manager",  # listed as it stands
    "Bakery",  # nobody lists "Bakery Worker"
])
def test_other_titles_are_left_alone(engine: Engine, title: str) -> None:
    assert engine._worker_in(title) == title


def test_a_field_title_an_analyst_approved_keeps_its_code(engine: Engine) -> None:
    engine.add_lay_titles([("Kitchen", CHEF)])
    assert engine._worker_in("Kitchen") == "Kitchen"
    assert engine.code(title="Kitchen").candidates[0].code == CHEF
