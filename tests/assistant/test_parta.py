"""Part A: each item validated with a message that names the field and says what is wrong."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from assistant.parta import Contact, Duty, Industry, PartA, naics_title


def _error(**items: object) -> tuple[str, str]:
    with pytest.raises(ValidationError) as caught:
        PartA(**items)
    first = caught.value.errors()[0]
    return ".".join(str(p) for p in first["loc"]), first["msg"]


def test_a_complete_form_validates_and_normalises():
    part_a = PartA(
        contact=Contact(name="Ana Ruiz", email="Ana.Ruiz@Example.org", phone="202 555 0143", requester_type="employer"),
        industries=[Industry(name="Hospitals", naics="622110"), Industry(name="Clinics", naics="6211")],
        job_title="  Charge nurse ",
        duties=[Duty(text="Supervise the nurses on a shift", time_share=40)],
        licenses=["RN"],
        number_of_workers=12,
        suggested_code="29-1141.00",
    )
    assert part_a.job_title == "Charge nurse"
    assert part_a.contact.email == "Ana.Ruiz@example.org"
    assert part_a.contact.phone == "(202) 555-0143"
    assert part_a.industry_text() == "Hospitals; Clinics"


@pytest.mark.parametrize(
    ("items", "field", "words"),
    [
        ({"contact": {"email": "ana.example.org"}}, "contact.email", "not an e-mail address"),
        ({"contact": {"phone": "call me"}}, "contact.phone", "not a phone number"),
        ({"contact": {"phone": "12"}}, "contact.phone", "too few or too many digits"),
        ({"contact": {"phone": "555-1234"}}, "contact.phone", "no area code"),  # a local number nobody can call
        ({"industries": [{"naics": "99"}]}, "industries.0.naics", "does not exist"),
        ({"industries": [{"naics": "6221100"}]}, "industries.0.naics", "2 to 6 digits"),
        ({"industries": [{"naics": "abc"}]}, "industries.0.naics", "2 to 6 digits"),
        ({"suggested_code": "nurse"}, "suggested_code", "not an O*NET-SOC code"),
        ({"duties": [{"text": "x", "time_share": 140}]}, "duties.0.time_share", "less than or equal to 100"),
        ({"number_of_workers": 0}, "number_of_workers", "greater than or equal to 1"),
        ({"contact": {"requester_type": "alien"}}, "contact.requester_type", "Input should be"),
    ],
)
def test_each_bad_item_gets_a_message_naming_it(items, field, words):
    loc, msg = _error(**items)
    assert loc == field
    assert words in msg


def test_two_digit_sector_ranges_are_naics_codes():
    assert naics_title("31") == naics_title("33") == "Manufacturing"
    assert naics_title("45") is not None
    assert naics_title("722511") == "Full-Service Restaurants"
    assert naics_title("19") is None


def test_contact_details_never_in_the_llm_view_or_the_job_text():
    part_a = PartA(
        contact=Contact(name="Ana Ruiz", organization="St. Mary", email="ana@example.org", phone="2025550143"),
        job_title="Charge nurse",
        summary="Leads the nursing team on night shifts.",
        duties=[Duty(text="Assign patients to nurses")],
        tools=["Epic"],
    )
    shown = repr(part_a.for_llm()) + part_a.job_text()
    for secret in ("Ana Ruiz", "St. Mary", "ana@example.org", "555"):
        assert secret not in shown
    assert part_a.for_llm()["job_title"] == "Charge nurse"
    assert part_a.job_text() == "Leads the nursing team on night shifts. Assign patients to nurses. Uses Epic."


def test_each_duty_reaches_the_engine_as_a_sentence_of_its_own():
    """Duties are typed without full stops; run together, "...any reactions Writes nursing care plans" would be
    one sentence to the engine, matched against O*NET's tasks as one."""
    from retrieval.engine import split_sentences

    part_a = PartA(job_title="Staff nurse", duties=[Duty(text="Gives patients their medication and records any reactions"),
                                                    Duty(text="Writes nursing care plans"),
                                                    Duty(text="Checks vital signs and reports changes!")])
    assert split_sentences(part_a.job_text()) == [
        "Gives patients their medication and records any reactions.", "Writes nursing care plans.",
        "Checks vital signs and reports changes!"]


def test_whom_the_worker_supervises_reaches_the_engine_and_a_no_does_not():
    """A supervisor is coded by the work of the people supervised, often said only in the supervision item."""
    part_a = PartA(summary="Runs the assembly floor", supervision_given="the workers who assemble chairs",
                   duties=[Duty(text="Assigns work and trains new hires")])
    assert part_a.job_text() == ("Runs the assembly floor. Supervises the workers who assemble chairs. "
                                 "Assigns work and trains new hires.")
    said = PartA(supervision_given="I supervise 5 cooks and a dishwasher")
    assert said.job_text() == "I supervise 5 cooks and a dishwasher."
    # read from a duty that says it already: not said twice
    duty = "Supervises and coordinates activities of workers engaged in deburring clock parts"
    twice = PartA(supervision_given="Supervises and coordinates activities of workers", duties=[Duty(text=duty)])
    assert twice.job_text() == duty + "."
    for nothing in ("none", "No", "I do not supervise anyone", "yes", "5", "n/a"):
        assert PartA(supervision_given=nothing, duties=[Duty(text="Cooks meals")]).job_text() == "Cooks meals."


@pytest.mark.parametrize("learners", ["I supervise two apprentices", "an apprentice", "3 electrical apprentices",
                                      "I train new trainees", "one helper", "I have an assistant"])
def test_directing_learners_or_one_helper_adds_nothing_to_the_job_text(learners):
    """Whoever directs the trade's learners, or one helper, does the work: whom they direct says nothing of it, and
    its word would meet the titles O*NET lists under helpers ("Electrician Apprentice")."""
    part_a = PartA(supervision_given=learners, duties=[Duty(text="I wire new houses")])
    assert part_a.job_text() == "I wire new houses."


@pytest.mark.parametrize("people", ["two helpers", "I supervise 8 electricians", "two apprentices and 6 plumbers"])
def test_directing_workers_still_reaches_the_engine(people):
    part_a = PartA(supervision_given=people, duties=[Duty(text="I wire new houses")])
    assert part_a.job_text() != "I wire new houses."


def test_what_the_job_is_comes_first_and_whom_it_supervises_after_it():
    """The engine also ranks a description's first sentence alone: that is the summary, or else the first duty (in the
    chat, the customer's opening answer), never the supervision item put ahead of them."""
    from retrieval.engine import lead_query
    from retrieval.models import Query

    part_a = PartA(supervision_given="six packers", duties=[Duty(text="Runs the packing line at a bakery"),
                                                             Duty(text="Checks the labels")])
    assert part_a.job_text() == "Runs the packing line at a bakery. Supervises six packers. Checks the labels."
    assert lead_query(Query(description=part_a.job_text())).description == "Runs the packing line at a bakery."
    with_summary = part_a.model_copy(update={"summary": "Packing lead at a bakery"})
    assert with_summary.job_text().startswith("Packing lead at a bakery. Supervises six packers. Runs the packing")


def test_unknown_items_are_refused():
    loc, msg = _error(salary="lots")
    assert loc == "salary"
    assert "Extra inputs" in msg
