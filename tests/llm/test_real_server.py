"""Against a real OpenAI-compatible server (llama.cpp with SmolLM2-135M from ../shared/tools/llm-server.sh).

Skipped unless OCA_TEST_LLM_BASE_URL names a running server (and OCA_TEST_LLM_MODEL its model). The
model is far too small to code jobs, so these tests check that whatever it answers, every step ends in a
validated answer or the offline path, never an exception or a code that was not retrieved.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from assistant import conversation as chat
from assistant import llm_tasks
from assistant.llm import LLMError
from assistant.openai_llm import OpenAILLM
from assistant.parta import PartA
from assistant.partb import draft_part_b
from retrieval.engine import Engine
from tests.llm.samples import CANDIDATES, CODES, full_part_a

BASE_URL = os.environ.get("OCA_TEST_LLM_BASE_URL")
pytestmark = pytest.mark.skipif(not BASE_URL, reason="set OCA_TEST_LLM_BASE_URL to a running OpenAI-compatible server")


@pytest.fixture
def llm(monkeypatch: pytest.MonkeyPatch) -> OpenAILLM:
    import assistant.llm

    monkeypatch.setattr(assistant.llm, "ALLOW_REQUESTS", True)
    return OpenAILLM(base_url=BASE_URL or "", model=os.environ.get("OCA_TEST_LLM_MODEL", "smollm2-135m"),
                     timeout_s=60, max_tokens=200)


def test_each_step_gives_a_valid_answer_or_none(llm: OpenAILLM) -> None:
    order = llm_tasks.rerank(llm, full_part_a(), CANDIDATES)
    assert order is None or (order and set(order) <= set(CODES))
    items = llm_tasks.extract_part_a(llm, "I bake bread and pastries in a deck oven at a small bakery.")
    assert items is None or PartA.model_validate(items)
    question = llm_tasks.phrase_question(llm, "What are the main duties of the job?", CANDIDATES, full_part_a())
    assert question is None or question.endswith("?")
    assert llm.usage.total.requests >= 3 and llm.usage.total.prompt_tokens > 0


def test_a_chat_reply_streams_and_its_first_chunk_comes_quickly(llm: OpenAILLM) -> None:
    started = time.monotonic()
    chunks = llm_tasks.stream_reply(llm, "This looks like Bakers. What are the main duties of the job?",
                                    full_part_a(), CANDIDATES)
    try:
        next(chunks)
        first = time.monotonic() - started
        list(chunks)
    except (LLMError, StopIteration):
        return  # the offline reply is shown
    assert first < 10, f"first chunk after {first:.1f} s"


def test_a_draft_and_a_chat_complete_with_the_real_server(llm: OpenAILLM, fixture_release: Path,
                                                          fixture_taxonomy: Path, tmp_path: Path) -> None:
    engine = Engine.open(fixture_release, fixture_taxonomy, tmp_path, progress=False)
    part_a = PartA.model_validate({"contact": full_part_a().contact.model_dump(), "job_title": "Staff nurse",
                                   "duties": [{"text": "Gives patients their medicines and records their pulse"}],
                                   "industries": [{"name": "hospital"}]})
    draft = draft_part_b(part_a, engine, llm=llm)
    assert draft.code == draft_part_b(part_a, engine).code and draft.rationale
    result = chat.turn(chat.start(), "I'm a staff nurse on a hospital ward", engine, llm=llm)
    assert result.reply and result.candidates
