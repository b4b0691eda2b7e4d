"""The conversation with a language model: it reads what the offline reader missed and orders the retrieved
candidates, never more; any failure leaves the offline turn and one plain sentence."""

from __future__ import annotations

from assistant import conversation
from assistant.llm import LLMError
from retrieval.engine import Engine
from tests.fakes_llm import FakeLLM
from tests.ui.engines import small_engine  # noqa: F401 - a fixture

OPENING = "I work as a registered nurse in a hospital. I care for patients on the ward."


def offline(engine: Engine, text: str = OPENING) -> conversation.TurnResult:
    return conversation.turn(conversation.start(), text, engine)


def test_the_model_adds_items_the_offline_reader_missed(small_engine: Engine, monkeypatch):
    monkeypatch.setattr(conversation.llm_tasks, "rerank", lambda *args, **kwargs: None)  # ordering: below
    llm = FakeLLM({"tools": ["infusion pumps"], "licenses": [], "duties": ["care for patients"]})
    result = conversation.turn(conversation.start(), OPENING + " Infusion pumps all day.", small_engine, llm)
    assert "infusion pumps" in result.conversation.part_a.tools
    assert result.notice is None
    # The offline reader's duties win where both read some: the model only fills gaps.
    assert [d.text for d in result.conversation.part_a.duties] == [
        d.text for d in offline(small_engine, OPENING + " Infusion pumps all day.").conversation.part_a.duties]


def test_the_model_orders_only_the_retrieved_candidates(small_engine: Engine):
    before = [c.code for c in offline(small_engine).candidates]
    assert len(before) > 1
    flipped = [before[1], before[0]]
    llm = FakeLLM({}, {"codes": flipped})
    result = conversation.turn(conversation.start(), OPENING, small_engine, llm)
    after = [c.code for c in result.candidates]
    assert after[:2] == flipped and sorted(after) == sorted(before)
    assert [c.rank for c in result.candidates] == list(range(1, len(after) + 1))


def test_a_code_outside_the_candidates_is_refused_and_the_engine_order_kept(small_engine: Engine):
    before = [c.code for c in offline(small_engine).candidates]
    outside = next(code for code in small_engine.codes if code not in before)  # real, but not retrieved
    llm = FakeLLM({}, {"codes": [outside]}, {"codes": [outside, before[0]]})  # asked, then re-asked
    result = conversation.turn(conversation.start(), OPENING, small_engine, llm)
    assert [c.code for c in result.candidates] == before
    assert outside not in {c.code for c in result.candidates}
    assert result.notice and "language model" in result.notice


def test_a_failing_model_gives_the_offline_turn_and_one_sentence(small_engine: Engine):
    llm = FakeLLM(default=LLMError("down", kind="timeout"))
    result = conversation.turn(conversation.start(), OPENING, small_engine, llm)
    plain = offline(small_engine)
    assert result.reply == plain.reply
    assert result.conversation.part_a == plain.conversation.part_a
    assert result.notice == LLMError("down", kind="timeout").notice()
    assert len(llm.calls) == 1  # after the first failure, the turn does not wait on the model again


def test_the_model_can_reword_a_question_without_options(small_engine: Engine):
    plain = offline(small_engine)
    asked = plain.conversation.pending_item
    assert asked and plain.conversation.pending_question is None  # the offline turn asks for a Part A item
    reworded = "Which industry does your employer work in, for example a hospital or a care home?"
    llm = FakeLLM({}, {"codes": [c.code for c in plain.candidates]}, {"question": reworded})
    result = conversation.turn(conversation.start(), OPENING, small_engine, llm, phrase=True)
    assert result.reply.rstrip().endswith(reworded)
    assert result.reply.replace(reworded, "") == plain.reply.replace(conversation.ITEM_QUESTIONS[asked], "")
