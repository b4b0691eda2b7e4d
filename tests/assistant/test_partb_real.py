"""Part B drafts over the real O*NET release: the profile checks agree where a coder would expect them to, and
every draft cites only evidence that exists. Skipped without ../shared; OCA_TEST_HOME reuses a built index."""

from __future__ import annotations

import pytest

from assistant.parta import PartA
from assistant.partb import draft_part_b
from retrieval.engine import Engine
from tests.assistant.test_partb import assert_grounded

pytestmark = pytest.mark.real_data

JOBS = {
    "nurse": dict(job_title="Staff nurse", industries=[{"name": "Hospital"}],
                  duties=[{"text": "Gives patients their medication and records any reactions"},
                          {"text": "Writes nursing care plans"}],
                  education="Associate degree in nursing", licenses=["RN license"], supervision_given="none"),
    "truck driver": dict(job_title="Long haul truck driver",
                         duties=[{"text": "Drives an 18-wheeler across states to deliver freight"},
                                 {"text": "Inspects the truck's brakes and tires before each trip"}],
                         licenses=["CDL Class A"], education="High school diploma", supervision_given="No one"),
    "cashier": dict(job_title="Cashier", industries=[{"name": "Supermarket"}],
                    duties=[{"text": "Scans groceries and takes payment"},
                            {"text": "Counts the cash drawer at the end of the shift"}],
                    education="none", supervision_given="none"),
    "supervisor": dict(job_title="Front end supervisor", industries=[{"name": "Supermarket"}],
                       duties=[{"text": "Schedules the cashiers' shifts and assigns their duties"},
                               {"text": "Resolves customer complaints"}],
                       supervision_given="Supervises 12 cashiers", education="High school diploma"),
}
EXPECTED = {  # code, education, licence, supervision
    "nurse": ("29-1141.00", "agree", "agree", "agree"),
    "truck driver": ("53-3032.00", "agree", "agree", "agree"),
    "cashier": ("41-2011.00", "agree", "unknown", "agree"),
    "supervisor": ("41-1011.00", "agree", "unknown", "agree"),
}


@pytest.mark.parametrize("job", sorted(JOBS))
def test_real_drafts_agree_with_the_occupations_profile_and_cite_only_real_evidence(
        real_engine: Engine, job: str) -> None:
    part_a = PartA.model_validate(JOBS[job])
    draft = draft_part_b(part_a, real_engine)
    checks = draft.checks
    assert (draft.code, checks.education.status, checks.licence.status, checks.supervision.status) == EXPECTED[job]
    assert draft.duties_matched >= 1
    assert_grounded(draft, part_a, real_engine.kb)


def test_a_registered_nurse_licence_agrees_with_registered_nurses_and_is_cited(real_engine: Engine) -> None:
    draft = draft_part_b(PartA.model_validate(JOBS["nurse"]), real_engine)
    licence = draft.citation(draft.checks.licence.citation)
    assert licence.customer_text == "RN license" and licence.onet_text == "Licensing or registration required."
    assert f"[{licence.id}]" in " ".join(draft.rationale)
    # Critical Care Nurses share SOC 29-1141: the runner-up says the confidence cannot separate them
    siblings = [r for r in draft.runners_up if r.soc_code == "29-1141"]
    assert siblings and all("shares SOC 29-1141" in r.reasons[0] for r in siblings)


@pytest.mark.parametrize(("licence", "code", "status"), [
    ("Journeyman electrician license", "47-2111.00", "agree"),
    ("Plumber license", "47-2152.00", "agree"),
    ("CDL Class A", "53-3032.00", "agree"),
    ("CDL-B", "53-3052.00", "agree"),  # the class joined on (a bus driver title spells CDL out)
    ("Driver's license", "53-3032.00", "unknown"),  # O*NET asks for a commercial licence
    ("Commercial Pilot certificate", "53-2012.00", "agree"),
    ("RN license", "29-1141.00", "agree"),
    ("none", "29-2061.00", "disagree"),  # "Licensing required."
])
def test_licences_against_onet_licensing_statements_and_titles(real_engine: Engine, licence: str, code: str,
                                                               status: str) -> None:
    from assistant.evidence import check_licence

    assert check_licence(PartA(licenses=[licence]), real_engine.kb.occupations[code]).status == status


def test_a_supervisor_who_says_whom_they_supervise_in_the_chat_is_offered_the_supervisors(real_engine: Engine) -> None:
    """The work supervised is said in the supervision item, not in the duties: it still reaches the engine."""
    from assistant import conversation

    said = ("I supervise the workers who assemble chairs in a furniture factory. I assign their work, train new "
            "hires and check the finished chairs.")
    result = conversation.turn(conversation.start(), said, real_engine)
    assert result.conversation.part_a.supervision_given  # the intake kept it as the supervision item
    assert result.candidates[0].code == "51-1011.00", [c.title for c in result.candidates]


@pytest.mark.parametrize(("said", "soc"), [
    ("I lead a crew of roofers: I assign the jobs, train new roofers and check that the shingles are laid right.",
     "47-1011"),
    ("I supervise the welders who build steel trailer frames. I assign their work and inspect the welds.",
     "51-1011"),
])
def test_a_crew_lead_who_supervises_is_coded_by_the_work_supervised(real_engine: Engine, said: str, soc: str) -> None:
    """The words are about the crew's trade (roofing, welding); saying they supervise it moves the
    chat to the supervisor of that work, which the engine ranked below the trade itself."""
    from assistant import conversation

    result = conversation.turn(conversation.start(), said, real_engine)
    assert result.conversation.part_a.supervision_given
    assert result.candidates[0].soc_code == soc, [c.title for c in result.candidates]
    worker = conversation.turn(conversation.start(), "I put shingles on roofs and tear off old roofing.", real_engine)
    assert "Supervisors" not in worker.candidates[0].title


def test_the_supervisor_of_an_occupation_s_work_on_the_real_taxonomy(real_engine: Engine) -> None:
    assert real_engine.supervisor_of("47-2181.00").startswith("47-1011")  # roofers
    assert real_engine.supervisor_of("51-4031.00") == "51-1011.00"
    assert real_engine.supervisor_of("51-1011.00") is None  # a supervisor is nobody's worker
    assert real_engine.supervisor_of("29-1141.00") is None  # SOC has no first-line supervisors of nurses
    assert real_engine.supervisor_of("99-9999.00") is None


def test_a_supervisor_specialty_supervises_only_the_work_its_title_names(real_engine: Engine) -> None:
    """Solar Energy Installation Managers (47-1011.03) is a specialty of the construction trades' first-line
    supervisors: the supervisor of solar installers, not of electricians, carpet installers or earth drillers."""
    general = "47-1011.00"
    for worker in ("47-2111.00", "47-2041.00", "47-5023.00", "47-2031.00"):
        assert real_engine.supervisor_of(worker) == general, real_engine.title_of(worker)
    assert real_engine.supervisor_of("47-2231.00") == "47-1011.03"  # Solar Photovoltaic Installers
    assert real_engine.supervisor_of("53-7081.00") == "53-1042.01"  # refuse and recyclable material collectors


@pytest.mark.parametrize(("said", "first"), [
    ("I supervise an apprentice", "47-2111.00"),
    ("I supervise two apprentices", "47-2111.00"),
    ("I supervise a crew of 8 electricians", "47-1011.00"),
])
def test_an_electrician_who_directs_apprentices_stays_an_electrician(real_engine: Engine, said: str,
                                                                     first: str) -> None:
    """SOC codes apprentices with their trade, and a lead worker who does the work with the workers; only someone
    who supervises the electricians is their first-line supervisor (the general one, nothing solar was said).
    "I supervise an apprentice" had given Helpers--Electricians 79%, "two apprentices" and "8 electricians" Solar
    Energy Installation Managers."""
    from assistant import conversation

    conv = conversation.turn(conversation.start(), "electrician", real_engine).conversation
    before = conversation.turn(conv, "I wire new houses and install panels", real_engine)
    assert before.candidates[0].code == "47-2111.00"
    result = conversation.turn(before.conversation, said, real_engine)
    assert result.conversation.part_a.supervision_given == said
    assert result.candidates[0].code == first, [c.title for c in result.candidates]


def test_a_teacher_who_names_the_school_is_coded_as_a_teacher(real_engine: Engine) -> None:
    """'I teach high school math' had become the education, leaving the chat with nothing to code."""
    from assistant import conversation

    result = conversation.turn(conversation.start(), "I teach high school math", real_engine)
    assert result.conversation.part_a.education is None
    assert result.candidates[0].code == "25-2031.00", [c.title for c in result.candidates]
