"""The conversation engine over the fixture release with the real engine: order, corrections, several items in a
message, re-ranking after answers, completion, and a state that survives JSON."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.conversation import Conversation, start, turn
from retrieval.engine import Engine

CASHIER, SALES, SALES_SUPERVISOR = "41-2011.00", "41-2031.00", "41-1011.00"
COOK, CHEF = "35-2014.00", "35-1011.00"


@pytest.fixture(scope="module")
def engine(fixture_release: Path, fixture_taxonomy: Path, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return Engine.open(fixture_release, fixture_taxonomy, tmp_path_factory.mktemp("conv-home"), progress=False)


def talk(engine: Engine, *messages: str) -> tuple[Conversation, list]:
    conv, results = start(), []
    for message in messages:
        result = turn(conv, message, engine)
        conv = result.conversation
        results.append(result)
    return conv, results


def test_several_items_in_one_message_are_all_understood(engine):
    conv, [result] = talk(engine, "I work as a cashier at a supermarket. I use a barcode scanner and a cash register. "
                                  "My e-mail is ana@example.org")
    part_a = conv.part_a
    assert part_a.job_title == "cashier"
    assert part_a.industry_text() == "supermarket"
    assert part_a.tools == ["barcode scanner", "cash register"]
    assert part_a.contact.email == "ana@example.org"
    assert "ana@example.org" not in part_a.job_text()
    assert result.candidates[0].code == CASHIER
    assert result.candidates[0].evidence  # the candidates come with what they matched on
    assert "Job title: cashier" in result.understood
    assert "Cashiers" in result.reply


def test_working_for_oneself_is_recorded_as_the_work_setting(engine):
    conv, results = talk(engine, "I work as a cashier", "I have my own business")
    assert conv.part_a.work_setting == "self-employed"
    assert [d.text for d in conv.part_a.duties] == [] and not conv.part_a.industries
    assert "work setting: self-employed" in results[-1].changes
    assert "Work setting: self-employed" in results[-1].understood
    assert results[-1].candidates[0].code == CASHIER


def test_answers_in_any_order_and_bare_answers_fill_what_was_asked(engine):
    conv = start()
    assert conv.pending_item == "job_title"
    result = turn(conv, "line cook", engine)  # a bare answer to the greeting's question
    assert result.conversation.part_a.job_title == "line cook"
    # volunteer the industry and duties before being asked for them
    result = turn(result.conversation, "We are a seafood restaurant. I prepare and cook fish dishes on the grill.",
                  engine)
    part_a = result.conversation.part_a
    assert part_a.industries and "restaurant" in part_a.industry_text()
    assert any("grill" in d.text for d in part_a.duties)
    assert part_a.job_title == "line cook"  # nothing given before is lost


def test_a_correction_replaces_the_earlier_answer_and_reranks(engine):
    conv, results = talk(engine, "I'm a cashier.", "Actually my title is retail salesperson.")
    assert conv.part_a.job_title == "retail salesperson"
    assert any("changed from 'cashier'" in change for change in results[1].changes)
    assert results[0].candidates[0].code == CASHIER
    assert results[1].candidates[0].code == SALES


def test_a_clarifying_answer_changes_the_ranking(engine):
    conv, [first] = talk(engine, "I'm a cook at a restaurant.")
    before = {c.code: c.confidence for c in first.candidates}
    conv.pending_question = None
    conv.pending_item = "supervision_given"
    result = turn(conv, "yes, I supervise the kitchen staff", engine)
    after = {c.code: c.confidence for c in result.candidates}
    assert result.conversation.part_a.supervision_given
    assert after[CHEF] / after[COOK] > 2 * before[CHEF] / before[COOK]


def test_close_candidates_get_a_clarifying_question_that_is_recorded(engine):
    conv, [result] = talk(engine, "I'm a nurse.")  # registered or licensed practical nurse?
    assert conv.pending_question is not None
    assert conv.pending_question.text in result.reply
    assert f"question:{conv.pending_question.kind}" in conv.asked


def test_the_conversation_keeps_the_question_its_reply_asks(engine):
    """What the simulated customer answers (and an LLM rewords): each reply's own question, word for word."""
    conv, results = talk(engine, "I'm a nurse.", "the first", "no")
    for result in results:
        question = result.conversation.question
        assert question and result.reply.endswith(question)
    conv, [result] = talk(engine, "I'm a cashier.")
    assert result.conversation.question and result.reply.endswith(result.conversation.question)


def test_complete_once_title_duties_and_industry_are_known_and_nothing_is_pending(engine):
    conv, results = talk(engine, "I work as a cashier at a supermarket. I scan groceries and take payments from "
                                 "customers at the till.")
    answers = iter(["the first", "no", "high school", "a cash register", "skip", "skip", "skip", "skip"])
    result, turns = results[-1], 0
    while not conv.complete:
        assert turns < 8, "the conversation never became complete"
        result = turn(conv, next(answers), engine)
        conv = result.conversation
        turns += 1
    assert result.complete
    assert "enough to draft" in result.reply
    assert conv.part_a.job_title and conv.part_a.duties and conv.part_a.industries


def test_a_title_alone_is_not_complete_and_the_next_item_is_asked(engine):
    conv, [result] = talk(engine, "I'm a cashier.")
    assert not result.complete
    assert conv.pending_item in {"duties", "industry"} or conv.pending_question is not None


def test_the_state_round_trips_through_json(engine):
    conv, _ = talk(engine, "I'm a cook at a restaurant.", "yes, I supervise two cooks")
    again = Conversation.model_validate_json(conv.model_dump_json())
    assert again == conv
    assert turn(again, "I use a grill", engine).conversation.part_a.tools == ["grill"]


def test_an_empty_message_loses_nothing(engine):
    conv, _ = talk(engine, "I'm a cashier at a supermarket.")
    result = turn(conv, "   ", engine)
    assert result.conversation.part_a == conv.part_a
    assert result.conversation.messages == conv.messages
    assert "did not get any text" in result.reply
    assert [c.code for c in result.candidates][:1] == [CASHIER]  # the candidates stay on show


def test_a_message_with_a_bad_email_keeps_the_rest(engine):
    conv, [result] = talk(engine, "I'm a cashier at a supermarket. Write to ana..ruiz@example.org please.")
    assert conv.part_a.job_title == "cashier"
    assert conv.part_a.contact.email is None
    assert "ana..ruiz@example.org" in result.reply


def test_contact_details_in_the_chat_leave_the_job_and_its_ranking_as_they_were(engine):
    conv, [intro, job, local] = talk(engine, "Hi, my name is Ana Ruiz from Acme Staffing",
                                     "I'm a cashier at a supermarket.", "You can call me at 555-1234")
    assert "Acme Staffing" not in (conv.part_a.job_title or "")  # the greeting and employer are not the title
    assert "organization: Acme Staffing" in intro.reply
    assert conv.part_a.duties == []  # "You can call me at ..." had been a duty, and moved the ranking
    assert [c.code for c in local.candidates] == [c.code for c in job.candidates]
    assert "no area code" in local.reply  # told, not silently dropped
    assert conv.part_a.contact.phone is None
    result = turn(conv, "Sorry, it's 202-555-0143", engine)
    assert result.conversation.part_a.contact.model_dump(include={"name", "organization", "phone"}) == {
        "name": "Ana Ruiz", "organization": "Acme Staffing", "phone": "(202) 555-0143"}
    assert "Contact: Ana Ruiz, Acme Staffing, (202) 555-0143" in result.understood


def test_a_bare_title_said_in_answer_to_a_duties_question_becomes_the_title(engine):
    conv, results = talk(engine, "I ring up groceries and take the money at the front of a supermarket.")
    assert conv.part_a.job_title is None
    conv.pending_question, conv.pending_item = None, "duties"  # whatever was asked about the work
    result = turn(conv, "Checker", engine)  # O*NET lists "Checker" as a title: the customer named the job
    assert result.conversation.part_a.job_title == "Checker"
    assert "job title: Checker" in result.reply
    assert all(d.text != "Checker" for d in result.conversation.part_a.duties)
    # a phrase O*NET does not list as a title stays what it was: here too short to be a duty, so nothing
    other = turn(conv, "Mostly evenings", engine).conversation.part_a
    assert other.job_title is None


def test_a_bare_answer_to_the_supervision_question_is_not_taken_for_a_title(engine):
    conv, _ = talk(engine, "I prepare the food and cook dishes on the grill in a restaurant kitchen.")
    conv.pending_question, conv.pending_item = None, "supervision_given"
    result = turn(conv, "Cook", engine)  # whom they supervise, though O*NET lists "Cook" as a title
    assert result.conversation.part_a.job_title is None
    assert result.conversation.part_a.supervision_given == "Cook"


def test_an_option_number_answering_the_tools_question_is_the_tool_offered(engine):
    conv, _ = talk(engine, "I'm a cashier at a supermarket.")
    from assistant.clarify import Question

    conv.pending_question = Question(kind="tools", text="Do you use any of these: cash register, forklift?",
                                     options=["cash register", "forklift"], codes=[CASHIER, SALES])
    result = turn(conv, "1", engine)
    assert result.conversation.part_a.tools == ["cash register"]
    assert "tools: cash register" in result.reply


@pytest.mark.parametrize(("answer", "picked"), [
    ("1 and 3", ["Scan items.", "Bag groceries."]),
    ("both 1 and 2", ["Scan items.", "Count the drawer."]),
    ("the first and third ones", ["Scan items.", "Bag groceries."]),
    ("all of them", ["Scan items.", "Count the drawer.", "Bag groceries."]),
    ("the first one", ["Scan items."]),
    ("No. 2", ["Count the drawer."]),
    ("No one", []),  # nobody, not "number one"
    ("none of them", []),
])
def test_an_answer_can_pick_several_of_the_duties_offered_and_names_nothing_else(engine, answer, picked):
    conv, _ = talk(engine, "I'm a cashier at a supermarket.")
    from assistant.clarify import Question

    conv.pending_question = Question(kind="duties", text="Which of these is closest to your work?",
                                     options=["Scan items.", "Count the drawer.", "Bag groceries."],
                                     codes=[CASHIER, SALES])
    result = turn(conv, answer, engine)
    part_a = result.conversation.part_a
    assert [d.text for d in part_a.duties] == picked
    assert [i.name for i in part_a.industries] == ["supermarket"]  # "the first one" is no business
    assert result.conversation.answers[-1].duties == picked


@pytest.mark.parametrize(("later", "title"), [
    ("I'm a journeyman, I have my state license", "journeyman plumber"),  # the plumber's grade
    ("Actually I'm a pipefitter", "pipefitter"),  # another title replaces it
])
def test_a_grade_said_on_its_own_joins_the_title_already_given(engine, later, title):
    conv, _ = talk(engine, "I'm a plumber.")
    result = turn(conv, later, engine)
    assert result.conversation.part_a.job_title == title


@pytest.mark.parametrize(("later", "title"), [
    ("Sorry, I meant head teller", "head teller"),  # shares a word with the title: its correction
    ("Sorry, I meant the second one", "teller"),  # no word of the title: not one
])
def test_i_meant_corrects_the_title_while_duties_are_asked(engine, later, title):
    conv, _ = talk(engine, "I'm a teller at a bank.", "I count cash, take deposits and cash checks")
    conv.pending_question, conv.pending_item = None, "duties"
    result = turn(conv, later, engine)
    assert result.conversation.part_a.job_title == title
    if title != "teller":
        assert later not in [d.text for d in result.conversation.part_a.duties]


def test_a_duty_that_starts_with_i_do_is_a_duty_not_a_yes(engine):
    conv, _ = talk(engine, "I'm a cook at a restaurant.")
    conv.pending_question, conv.pending_item = None, "duties"
    said = "I do the prep, grill the fish and plate the orders"
    assert [d.text for d in turn(conv, said, engine).conversation.part_a.duties] == [said]


def test_an_education_answering_the_tools_question_is_not_also_a_tool(engine):
    conv, _ = talk(engine, "I'm a cook at a restaurant.")
    conv.pending_question, conv.pending_item = None, "tools"
    part_a = turn(conv, "high school", engine).conversation.part_a
    assert part_a.education == "high school" and part_a.tools == []


def test_work_the_customer_then_says_they_do_not_do_is_taken_out_of_part_a(engine):
    conv, results = talk(engine, "I'm a cashier. I scan items, count the cash drawer and bag groceries.",
                         "Actually, I don't count the cash drawer, the manager does.")
    assert [d.text for d in conv.part_a.duties] == ["I scan items and bag groceries"]
    assert "taken out of the duties: count the cash drawer" in results[1].changes
    assert "Noted: taken out of the duties: count the cash drawer" in results[1].reply
    assert "manager" not in conv.part_a.job_text()  # the rest of the denial is no duty either


def test_a_denial_that_matches_no_duty_adds_nothing(engine):
    conv, results = talk(engine, "I'm a cashier. I scan items and bag groceries.", "I don't drive the truck.")
    assert [d.text for d in conv.part_a.duties] == ["I scan items and bag groceries."]
    assert results[1].changes == []
