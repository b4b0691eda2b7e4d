"""Issue 8.1 end to end: the chat page and the review workflow with a language model that fails in every way.

The real `openai` client talks to the scripted loopback server (tests/llm_server.py) made to time out,
refuse connections, answer 429 or 500, hang up, stream half an answer, send malformed or schema-breaking
JSON, or name a code that was not retrieved. Through the chat page (AppTest) and `review.submit`, every
turn and every draft must complete the offline way, the customer sees one plain sentence about it, and
the database holds each submission once, each message once and exactly one audit entry per transition.
(The adapter-side paths are tests/llm/test_fault_paths.py.)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from assistant import conversation, review
from assistant.llm import LLMError
from assistant.openai_llm import OpenAILLM
from assistant.parta import PartA
from assistant.partb import draft_part_b
from assistant.store import Store
from retrieval.engine import Engine
from tests.llm_server import Behaviour, ScriptedLLMServer, error, hang_up, raw_body, reply, stream
from tests.ui.engines import small_engine  # noqa: F401 - a fixture
from ui import customer
from ui.views import chat

CONTACT_VALUES = ("Ana Ruiz", "ana.ruiz@example.org", "555 0143", "Quayside", "20910")
NURSE = {
    "contact": {"name": "Ana Ruiz", "email": "ana.ruiz@example.org", "phone": "202 555 0143",
                "address": {"street": "18 Quayside Lane", "city": "Port Weller", "postal_code": "20910"}},
    "job_title": "Staff nurse",
    "industries": [{"name": "General hospital"}],
    "duties": [{"text": "Records each patient's temperature, pulse and treatment in the chart"},
               {"text": "Hands out the medicines doctors prescribe and looks out for side effects"}],
}

# What the server does wrong to a structured request (the Part B rationale) ...
DRAFT_FAULTS: dict[str, Behaviour | None] = {
    "timeout": reply({"code": "29-1141.00", "paragraphs": ["late"]}, delay=5),
    "refused": None,
    "429": error(429, "rate limited"),
    "500": error(500, "model crashed"),
    "hang-up": hang_up(),
    "malformed JSON": reply('{"code": "29-1141.00", "paragraphs": ["The job'),
    "schema-breaking JSON": reply({"code": 29, "paragraphs": "one long string"}),
    "code not retrieved": reply({"code": "99-9999.00", "paragraphs": ["It is 99-9999.00 [E1]."]}),
}
# ... and to a streamed chat reply.
STREAM_FAULTS: dict[str, Behaviour | None] = {
    "timeout": stream(["Thanks"], first_delay=5),
    "refused": None,
    "429": error(429, "rate limited"),
    "500": error(500, "model crashed"),
    "hang-up": hang_up(),
    "half an answer": stream(["Thanks, so far it looks like ", "Registered Nurses and"], break_after=1),
    "half an answer, clean end": stream(["Thanks, so far ", "it looks"], break_after=1, close="eof"),
    "code not retrieved": stream(["It is 47-2111.00, Electricians. ", "What industry is it?"]),
    "malformed events": raw_body(b"data: {not json\n\n", content_type="text/event-stream"),
}
NOTICE_START = "The language model "


def failing(server: ScriptedLLMServer, refused_url: str, behaviour: Behaviour | None) -> OpenAILLM:
    if behaviour is not None:
        server.default = behaviour
    url = refused_url if behaviour is None else server.url
    return OpenAILLM(base_url=url, model="test-model", timeout_s=0.3, max_retries=1)


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'oca.sqlite3'}"
    monkeypatch.setenv("OCA_DATABASE_URL", url)
    return url


@pytest.fixture
def store(db_url: str) -> Store:
    opened = Store.open(db_url)
    yield opened
    opened.close()


def submission_count(store: Store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(text("SELECT COUNT(*) FROM submissions")).scalar_one()


def moves(store: Store, reference: str) -> list[tuple[str | None, str]]:
    return [(e.from_state, e.to_state) for e in store.audit(reference)]


# ----- review.submit: the Part B draft -----------------------------------------------------------------------

@pytest.mark.parametrize("fault", sorted(DRAFT_FAULTS))
def test_submit_drafts_offline_once_whatever_the_model_does(fault: str, small_engine: Engine, store: Store,
                                                            llm_server: ScriptedLLMServer, refused_url: str) -> None:
    llm = failing(llm_server, refused_url, DRAFT_FAULTS[fault])
    part_a = PartA.model_validate(NURSE)
    reference = store.create_submission().reference
    store.save_conversation(reference, {"messages": [{"role": "user", "content": "staff nurse"}]},
                            part_a.model_dump(mode="json"))

    started = time.monotonic()
    submitted = review.submit(store, reference, small_engine, llm)

    assert time.monotonic() - started < 10
    assert submitted.state == "drafted"
    offline = draft_part_b(part_a, small_engine)
    assert submitted.draft["written_by"] == "offline" and submitted.draft["fallback_reason"]
    assert submitted.draft["rationale"] == offline.rationale and submitted.code == offline.code
    assert moves(store, reference) == [(None, "in_progress"), ("in_progress", "submitted"), ("submitted", "drafted")]
    assert submission_count(store) == 1
    assert not any(value in llm_server.sent_text() for value in CONTACT_VALUES)


def test_a_draft_that_raises_leaves_the_submission_submitted_once(small_engine: Engine, store: Store,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Drafting itself failing (not only the model) still keeps the one submission in the queue."""
    import assistant.partb

    def broken(*args: object, **kwargs: object) -> None:
        raise LLMError("down", kind="server")

    monkeypatch.setattr(assistant.partb, "draft_part_b", broken)
    reference = store.create_submission().reference
    store.save_conversation(reference, None, PartA.model_validate(NURSE).model_dump(mode="json"))
    assert review.submit(store, reference, small_engine).state == "submitted"
    assert moves(store, reference) == [(None, "in_progress"), ("in_progress", "submitted")]
    assert submission_count(store) == 1


# ----- conversation.turn with a model that fails ---------------------------------------------------------------

@pytest.mark.parametrize("fault", sorted(STREAM_FAULTS))
def test_stream_reply_failures_are_one_llm_error_with_a_plain_sentence(
        fault: str, small_engine: Engine, llm_server: ScriptedLLMServer, refused_url: str) -> None:
    from assistant.llm_tasks import stream_reply

    llm = failing(llm_server, refused_url, STREAM_FAULTS[fault])
    result = conversation.turn(conversation.start(), "I am a registered nurse in a hospital", small_engine, llm)
    started = time.monotonic()
    with pytest.raises(LLMError) as caught:
        list(stream_reply(llm, result.reply, result.conversation.part_a, result.candidates))
    assert time.monotonic() - started < 10
    sentence = caught.value.notice()
    assert sentence.startswith(NOTICE_START) and sentence.count(".") == 1 and "\n" not in sentence


# ----- the chat page ---------------------------------------------------------------------------------------------

@pytest.fixture
def open_chat(app: Callable[..., AppTest], small_engine: Engine, db_url: str,
              monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    def make(llm: object) -> AppTest:
        monkeypatch.setattr(customer, "get_llm", lambda: (llm, None))
        return app(small_engine).run()

    return make


def notices(at: AppTest) -> list[str]:
    shown = [str(e.value) for kind in ("caption", "warning", "error", "info", "markdown") for e in getattr(at, kind)]
    return [s for s in shown if s.replace("\\", "").startswith(NOTICE_START)]


@pytest.mark.parametrize("fault", sorted(STREAM_FAULTS))
def test_every_chat_turn_and_the_draft_complete_offline_with_one_sentence(
        fault: str, open_chat: Callable[..., AppTest], store: Store, small_engine: Engine,
        llm_server: ScriptedLLMServer, refused_url: str) -> None:
    llm = failing(llm_server, refused_url, STREAM_FAULTS[fault])
    at = open_chat(llm)
    offline = conversation.start()
    for said in ("I work as a registered nurse", "I give medicines to patients on the ward", "a general hospital"):
        at.chat_input(key=chat.INPUT_KEY).set_value(said).run()
        assert not at.exception, at.exception
        offline = conversation.turn(offline, said, small_engine).conversation
        assert not at.error, [e.value for e in at.error]
        shown = notices(at)
        assert len(shown) == 1, shown  # one plain sentence about the model ...
        assert shown[0].replace("\\", "").startswith(NOTICE_START)
        last = at.chat_message[-1]
        assert last.name == "assistant"
        reply = "\n".join(m.value for m in last.markdown).replace("\\", "")
        assert "Closest occupations so far" in reply  # ... and the offline reply, not half a model's
        assert "47-2111" not in reply and "Registered Nurses and" not in reply

    reference = at.query_params[customer.REF_PARAM]
    saved = store.get(reference).conversation
    assert [m["role"] for m in saved["messages"]] == ["assistant"] + ["user", "assistant"] * 3
    assert [m["content"] for m in saved["messages"]] == [m["content"] for m in offline.messages]

    at.button(key="chat.submit").click().run()
    assert not at.exception
    submitted = store.get(reference)
    assert submitted.state == "drafted" and submitted.draft["written_by"] == "offline"
    assert moves(store, reference) == [(None, "in_progress"), ("in_progress", "submitted"), ("submitted", "drafted")]
    assert submission_count(store) == 1
    assert not any(m in llm_server.sent_text() for m in ("ana.ruiz", "555 0143"))
