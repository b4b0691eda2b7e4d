"""How a write-in title is read before it is ranked: as O*NET would name the job. An apprentice or trainee is coded
with the trade being learnt, an owner by the work done and a lead as a supervisor (the SOC's classification
principles and the DOT's usage); an activity ("Truck Driving") is read as its worker, a bare field ("Kitchen") as
the field's worker, two words that O*NET's titles write as one are joined, and how the job is held ("Part-time
Cashier") is left out. A title listed as it stands, or approved by an analyst, keeps its listing, and results show
the title as written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from retrieval import engine as engine_module
from retrieval.engine import Engine
from retrieval.models import CodingResult

CASHIER, LINE_COOK, CHEF = "41-2011.00", "35-2014.00", "35-1011.00"
CHIEF_EXECUTIVES, STORE_SUPERVISORS = "11-1011.00", "41-1011.00"


@pytest.fixture(scope="module")
def built_home(fixture_release: Path, fixture_taxonomy: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture release's index, built once for this module (a build takes seconds, a copy a fraction)."""
    home = tmp_path_factory.mktemp("readings-home")
    Engine.open(fixture_release, fixture_taxonomy, home, progress=False)
    return home


def copy_of(home: Path, release: Path, taxonomy: Path, tmp_path: Path) -> Engine:
    """An engine of its own over a copy of a built home: an analyst's approval in one test stays in that test."""
    mine = tmp_path / "home"
    shutil.copytree(home, mine)
    return Engine.open(release, taxonomy, mine, progress=False)


@pytest.fixture(scope="module")
def engine(fixture_release: Path, fixture_taxonomy: Path, built_home: Path) -> Engine:
    """Shared by the module's tests that only read titles; a test that approves one takes `own_engine`."""
    return Engine.open(fixture_release, fixture_taxonomy, built_home, progress=False)


@pytest.fixture()
def own_engine(fixture_release: Path, fixture_taxonomy: Path, built_home: Path, tmp_path: Path) -> Engine:
    return copy_of(built_home, fixture_release, fixture_taxonomy, tmp_path)


def ranked(result: CodingResult) -> list[tuple[str, float]]:
    return [(c.code, c.confidence) for c in result.candidates]


# ----- how the job is held ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("title", "read_as"), [
    ("Part-time Cashier", "Cashier"),
    ("PART TIME CASHIER", "CASHIER"),
    ("self-employed line cook", "line cook"),
    ("Seasonal, temporary cashier", "cashier"),
])
def test_how_the_job_is_held_is_left_out_of_the_title(engine: Engine, title: str, read_as: str) -> None:
    assert engine._held_as(title) == read_as
    assert ranked(engine.code(title=title)) == ranked(engine.code(title=read_as))
    assert engine.code(title=title).query.title == title  # shown as written


@pytest.mark.parametrize("title", ["Temporary", "Part time / full time", "Cashier", "Temperature Tester"])
def test_an_arrangement_alone_or_a_word_that_starts_like_one_is_left_alone(engine: Engine, title: str) -> None:
    assert engine._held_as(title) == title


def test_a_held_title_an_analyst_approved_keeps_its_code(own_engine: Engine) -> None:
    own_engine.add_lay_titles([("Part-time Cashier", CHIEF_EXECUTIVES)])
    assert own_engine._held_as("Part-time Cashier") == "Part-time Cashier"
    assert own_engine.code(title="Part-time Cashier").candidates[0].code == CHIEF_EXECUTIVES


# ----- apprentices and trainees -------------------------------------------------------------------------------

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


def test_a_learner_title_an_analyst_approved_keeps_its_code(own_engine: Engine) -> None:
    assert [c.code for c in own_engine.code(title="Cook Trainee").candidates][0] == LINE_COOK
    own_engine.add_lay_titles([("Cook Trainee", CHEF)])
    assert [c.code for c in own_engine.code(title="Cook Trainee").candidates][0] == CHEF
    assert [c.code for c in own_engine.code(title="Cashier Trainee").candidates][0] == CASHIER


@pytest.mark.parametrize("title", ["Trainee", "Apprentice", "Sales Trainee", "Trainer"])
def test_a_learner_word_without_a_listed_trade_is_ranked_as_written(engine: Engine, title: str) -> None:
    assert engine._trained_for(title) == title


# ----- owners ---------------------------------------------------------------------------------------------------

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


def test_an_owner_title_an_analyst_approved_keeps_its_code(own_engine: Engine) -> None:
    assert ranked(own_engine.code(title="Owner")) == ranked(own_engine.code(title="Manager"))
    own_engine.add_lay_titles([("Owner", CHIEF_EXECUTIVES), ("Bakery Owner", LINE_COOK)])
    assert own_engine.code(title="Owner").candidates[0].code == CHIEF_EXECUTIVES
    assert own_engine.code(title="Bakery Owner").candidates[0].code == LINE_COOK
    assert ranked(own_engine.code(title="Store Owner")) == ranked(own_engine.code(title="Store Manager"))


# ----- leads --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("title", "read_as"), [
    ("Shift Lead", "Shift Supervisor"),
    ("Lead", "Supervisor"),
    ("LEAD MAN", "Supervisor"),
    ("Lead Person", "Supervisor"),
    ("Front End Lead", "Front End Supervisor"),
])
def test_a_lead_is_ranked_as_a_supervisor(engine: Engine, title: str, read_as: str) -> None:
    assert engine._led_by(title) == read_as
    assert ranked(engine.code(title=title, industry="grocery")) == ranked(engine.code(title=read_as,
                                                                                       industry="grocery"))


def test_a_shift_lead_is_the_stores_supervisor(engine: Engine) -> None:
    assert engine.code(title="Shift Lead").candidates[0].code == STORE_SUPERVISORS


@pytest.mark.parametrize("title", ["Lead Cook", "Lead Cashier", "Leader", "Lead Burner", "Misleading"])
def test_a_lead_before_the_work_or_in_another_word_is_left_alone(engine: Engine, title: str) -> None:
    assert engine._led_by(title) == title


# ----- activities and joined words -----------------------------------------------------------------------------

@pytest.fixture()
def small_release(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fixture release is small: one occupation's titles ending in a worker's word, or one title writing two
    words as one, is enough here."""
    monkeypatch.setattr(engine_module, "MIN_DOER_TITLES", 1)
    monkeypatch.setattr(engine_module, "MIN_JOINED_TITLES", 1)


@pytest.mark.parametrize(("title", "read_as"), [
    ("Truck Driving", "truck driver"),
    ("COOKING", "cook"),
    ("Sewing", "sewer"),
    ("nursing", "nurse"),
    ("Cooking and Cashiering", "cook and cashier"),
    ("SHIPPING/DRIVING", "shipping/driver"),
    ("Driving trucks", "trucks driver"),
])
def test_an_activity_is_ranked_as_its_worker(engine: Engine, small_release: None, title: str, read_as: str) -> None:
    assert engine._doer_of(title) == read_as
    result = engine.code(title=title, industry="trucking")
    assert ranked(result) == ranked(engine.code(title=read_as, industry="trucking"))
    assert result.query.title == title  # shown as written
    assert ranked(engine.code_many([{"title": title}])[0]) == ranked(engine.code(title=read_as))


def test_truck_driving_finds_the_truck_drivers(engine: Engine, small_release: None) -> None:
    result = engine.code(title="TRUCK DRIVING", industry="trucking")
    assert result.candidates[0].code == "53-3032.00"
    assert result.query.title == "TRUCK DRIVING"
    assert result.read_as is not None and result.read_as.title == "truck driver"
    assert result.read_as.industry == "trucking"


def test_a_title_read_as_written_has_no_reading(engine: Engine, small_release: None) -> None:
    assert engine.code(title="Truck Driver", industry="trucking").read_as is None
    assert engine.code_many([{"title": "Line Cook"}, {"title": "Cooking"}])[0].read_as is None
    assert engine.code_many([{"title": "Line Cook"}, {"title": "Cooking"}])[1].read_as.title == "cook"


@pytest.mark.parametrize("title", [
    "Sewing Machine Operator",  # listed as it stands
    "Sewing Machine Repair",  # a listed title says "sewing machine": the activity qualifies the machine
    "Director of Nursing",  # the activity follows a stop word: the director is the worker
    "Supervisor, Driving",  # inverted: a driving supervisor
    "Manager",  # no activity
    "Bookkeeping",  # no title ends in "bookkeeper" here
])
def test_titles_whose_activity_names_no_worker_are_left_alone(engine: Engine, small_release: None, title: str) -> None:
    assert engine._doer_of(title) == title


def test_a_worker_word_that_few_occupations_end_their_titles_with_is_not_taken(engine: Engine) -> None:
    """With the shipped threshold, one occupation saying "Sewer" is too few to read "Sewing" as a sewer."""
    assert engine._doer_of("Sewing") == "Sewing"


def test_an_activity_title_an_analyst_approved_keeps_its_code(own_engine: Engine, small_release: None) -> None:
    own_engine.add_lay_titles([("Cooking", "35-1011.00")])
    assert own_engine._doer_of("Cooking") == "Cooking"
    assert own_engine.code(title="Cooking").candidates[0].code == "35-1011.00"


@pytest.mark.parametrize(("title", "joined"), [
    ("Sales Person", "Salesperson"),
    ("SALES PERSON", "SALESPERSON"),
    ("retail sales person", "retail salesperson"),
])
def test_two_words_a_title_writes_as_one_are_joined(engine: Engine, small_release: None, title: str,
                                                    joined: str) -> None:
    assert engine._joined(title) == joined
    assert ranked(engine.code(title=title)) == ranked(engine.code(title=joined))


@pytest.mark.parametrize("title", ["Line Cook", "Head Chef", "Check Out Clerk", "A P Clerk", "Sales"])
def test_words_listed_apart_or_initials_are_not_joined(engine: Engine, small_release: None, title: str) -> None:
    assert engine._joined(title) == title


def test_words_an_analyst_approved_apart_are_not_joined(own_engine: Engine, small_release: None) -> None:
    own_engine.add_lay_titles([("Sales Person", CASHIER)])
    assert own_engine._joined("Sales Person") == "Sales Person"
    assert own_engine.code(title="Sales Person").candidates[0].code == CASHIER
    assert own_engine._joined("Retail Sales Person") == "Retail Salesperson"


def test_a_joined_word_needs_enough_titles(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    assert engine._joined("Sales Person") == "Salesperson"  # two fixture titles write it as one word
    monkeypatch.setattr(engine_module, "MIN_JOINED_TITLES", 3)
    assert engine._joined("Sales Person") == "Sales Person"


# ----- fields ---------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def field_release(fixture_release: Path, fixture_taxonomy: Path,
                  tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A release whose Cooks, Restaurant list "Kitchen Worker" and whose Physicians, All Other "Clinic Worker",
    and its index, built once for this module."""
    release = tmp_path_factory.mktemp("field") / "release"
    shutil.copytree(fixture_release, release)
    with (release / "Alternate Titles.txt").open("a", encoding="utf-8") as out:
        out.write(f"{LINE_COOK}\tCooks, Restaurant\tKitchen Worker\t\t04\n")
        out.write("29-1229.00\tPhysicians, All Other\tClinic Worker\t\t04\n")
    home = release.parent / "home"
    Engine.open(release, fixture_taxonomy, home, progress=False)
    return release, home


@pytest.fixture(scope="module")
def field_engine(field_release: tuple[Path, Path], fixture_taxonomy: Path) -> Engine:
    release, home = field_release
    return Engine.open(release, fixture_taxonomy, home, progress=False)


@pytest.mark.parametrize("title", ["Kitchen", "KITCHEN", "kitchen "])
def test_a_field_is_ranked_as_its_worker(field_engine: Engine, title: str) -> None:
    assert field_engine._worker_in(title) == f"{title.strip()} Worker"
    result = field_engine.code(title=title, industry="hospital")
    assert ranked(result) == ranked(field_engine.code(title="Kitchen Worker", industry="hospital"))
    assert result.candidates[0].code == LINE_COOK
    assert result.query.title == title.strip()  # shown as written


@pytest.mark.parametrize("title", [
    "Clinic",  # only an "All Other" occupation lists "Clinic Worker"
    "Cashier",  # names the worker already
    "Kitchen Manager",  # listed as it stands
    "Bakery",  # nobody lists "Bakery Worker"
])
def test_titles_other_than_a_bare_field_are_left_alone(field_engine: Engine, title: str) -> None:
    assert field_engine._worker_in(title) == title


def test_a_field_title_an_analyst_approved_keeps_its_code(field_release: tuple[Path, Path], fixture_taxonomy: Path,
                                                          tmp_path: Path) -> None:
    own = copy_of(field_release[1], field_release[0], fixture_taxonomy, tmp_path)
    own.add_lay_titles([("Kitchen", CHEF)])
    assert own._worker_in("Kitchen") == "Kitchen"
    assert own.code(title="Kitchen").candidates[0].code == CHEF


# ----- the grade a school teacher teaches ------------------------------------------------------------------------

@pytest.mark.parametrize(("title", "read_as"), [
    ("3rd Grade Teacher", "Elementary School Teacher"),
    ("7th grade science teacher", "Middle School science teacher"),
    ("Grade 11 English Teacher", "High School English Teacher"),
    ("Teacher, Third Grade", "Teacher, Elementary School"),
])
def test_a_teacher_of_a_grade_is_read_as_the_teacher_of_its_school(engine: Engine, title: str, read_as: str) -> None:
    assert engine._at_grade(title) == read_as
    assert ranked(engine.code(title=title)) == ranked(engine.code(title=read_as))
    assert engine.code(title=title).query.title == title  # shown as written


@pytest.mark.parametrize("title", ["Grade 2 Lumber Grader", "Grades 6-12 Teacher", "Kindergarten Teacher", "Grader"])
def test_a_grade_that_is_not_taught_or_spans_two_schools_is_left_alone(engine: Engine, title: str) -> None:
    assert engine._at_grade(title) == title


@pytest.mark.parametrize(("description", "read_as"), [
    ("I teach 3rd grade.", "I teach elementary school."),
    ("I teach seventh-grade science and coach track.", "I teach middle school science and coach track."),
    ("Teaches grades 9 through 12 in a public school.", "Teaches high school in a public school."),
    ("I tutor 2nd graders in reading.", "I tutor elementary school students in reading."),
])
def test_a_grade_taught_in_a_description_is_read_as_its_school(description: str, read_as: str) -> None:
    assert engine_module.with_school_level(description) == read_as


@pytest.mark.parametrize("description", [
    "Sorts grade 2 lumber by its defects.",  # no teaching said
    "I teach grades 6 through 12.",  # middle and high school
    "I teach kindergarten.",
])
def test_a_description_without_a_grade_taught_in_one_school_is_left_alone(description: str) -> None:
    assert engine_module.with_school_level(description) == description
