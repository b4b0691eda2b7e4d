"""Issue 8, the adapter side: whatever the LLM server does wrong, drafts and chat turns complete offline.

The real `openai` client talks to the scripted loopback server made to time out, refuse connections,
answer 429 or 500, hang up, send malformed or schema-breaking JSON, or choose a code that was not
retrieved. Each draft must come out exactly as the offline draft would, with the reason recorded, and
every conversation turn must give the offline reply; no contact detail reaches the server meanwhile.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from assistant import conversation as chat
from assistant.llm import LLM
from assistant.openai_llm import OpenAILLM
from assistant.parta import PartA
from assistant.partb import draft_part_b
from retrieval.engine import Engine
from tests.llm_server import Behaviour, ScriptedLLMServer, error, hang_up, reply

CONTACT = {"name": "Ana Ruiz", "email": "ana.ruiz@example.org", "phone": "202 555 0143",
           "address": {"street": "18 Quayside Lane", "city": "Port Weller", "postal_code": "20910"}}
NURSE = {
    "contact": CONTACT,
    "job_title": "Staff nurse",
    "industries": [{"name": "General hospital"}],
    "duties": [{"text": "Writes down each patient's temperature, pulse and treatment in the chart"},
               {"text": "Hands out the medicines doctors prescribe and looks out for side effects"}],
    "education": "Bachelor of Science in Nursing (BSN)",
}
CHAT = ["I'm a staff nurse on a hospital ward",
        "I give patients their medicines, record their temperature and pulse and update care plans",
        "a general hospital"]

FAILURES: dict[str, Behaviour | None] = {
    "timeout": reply({"code": "29-1141.00", "paragraphs": ["late"]}, delay=5),
    "refused": None,  # nothing listens at the URL
    "429": error(429, "rate limited"),
    "500": error(500, "model crashed"),
    "hang-up": hang_up(),
    "malformed JSON": reply('{"code": "29-1141.00", "paragraphs": ["The job'),
    "schema-breaking JSON": reply({"code": 29, "paragraphs": "one long string"}),
    "code not retrieved": reply({"code": "99-9999.00", "paragraphs": ["It is 99-9999.00 [E1]."]}),
}


@pytest.fixture(scope="module")
def engine(fixture_release: Path, fixture_taxonomy: Path, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return Engine.open(fixture_release, fixture_taxonomy, tmp_path_factory.mktemp("faults-home"), progress=False)


@pytest.fixture(params=sorted(FAILURES))
def failing_llm(request: pytest.FixtureRequest, llm_server: ScriptedLLMServer, refused_url: str) -> LLM:
    behaviour = FAILURES[request.param]
    if behaviour is not None:
        llm_server.default = behaviour
    url = refused_url if behaviour is None else llm_server.url
    return OpenAILLM(base_url=url, model="test-model", timeout_s=0.3, max_retries=1)


def test_every_draft_completes_offline_when_the_llm_fails(engine: Engine, failing_llm: LLM,
                                                          llm_server: ScriptedLLMServer) -> None:
    part_a = PartA.model_validate(NURSE)
    offline = draft_part_b(part_a, engine)

    started = time.monotonic()
    draft = draft_part_b(part_a, engine, llm=failing_llm)

    assert time.monotonic() - started < 5
    assert draft.written_by == "offline"
    assert draft.rationale == offline.rationale and draft.code == offline.code
    assert draft.fallback_reason  # the reason is kept for the analyst
    sent = llm_server.sent_text()
    assert not any(value in sent for value in ("Ana Ruiz", "ana.ruiz@example.org", "555 0143", "Quayside", "20910"))


def test_every_chat_turn_completes_with_the_offline_reply_when_the_llm_fails(engine: Engine, failing_llm: LLM,
                                                                             llm_server: ScriptedLLMServer) -> None:
    online, offline = chat.start(), chat.start()
    for text in CHAT:
        with_llm = chat.turn(online, text, engine, llm=failing_llm)
        without = chat.turn(offline, text, engine)
        assert without.reply in with_llm.reply  # the offline reply, perhaps with one sentence about the model
        assert len(with_llm.reply) - len(without.reply) < 200
        assert [c.code for c in with_llm.candidates] == [c.code for c in without.candidates]
        online, offline = with_llm.conversation, without.conversation
    assert online.part_a.job_title == offline.part_a.job_title
    assert online.complete == offline.complete
    assert "ana.ruiz" not in llm_server.sent_text()


def test_the_name_and_organization_said_in_a_chat_message_are_not_sent_with_it(engine: Engine,
                                                                              llm_server: ScriptedLLMServer):
    llm_server.default = reply("{}")
    llm = OpenAILLM(base_url=llm_server.url, model="test-model", timeout_s=2, max_retries=1)
    result = chat.turn(chat.start(), "Hi, my name is Ana Ruiz from Quayside Staffing. I bake bread and pastries.",
                       engine, llm=llm)
    assert result.conversation.part_a.contact.organization == "Quayside Staffing"
    sent = llm_server.sent_text()
    assert "bake bread and pastries" in sent  # the work did go to the model
    assert "Quayside" not in sent and "Ana" not in sent and "Ruiz" not in sent
