"""Issue 8.4: prompt injection in job descriptions and chat messages cannot steer the code or leak anything.

The model here is an obedient one (`FollowingLLM`): it answers with the code the injection asks for, prints
its system prompt and echoes everything it was sent. That the product stays safe with it proves the
validation, not the model's good manners, is what keeps the code within the retrieved candidates and the
prompt and other people's data out of what the customer reads. A second customer's submission sits in the
same store; nothing of it may appear in any reply, draft or request. The requests themselves are read off
the loopback server to check that no contact detail is ever sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

import prompts
from assistant import conversation, llm_tasks, review
from assistant.llm import LLMError, Message, T, UsageMeter
from assistant.openai_llm import OpenAILLM
from assistant.parta import Contact, Duty, Industry, PartA
from assistant.partb import draft_part_b
from assistant.store import Store
from retrieval.engine import Engine
from tests.llm_server import ScriptedLLMServer, reply
from tests.reliability.injection import INJECTIONS
from tests.ui.engines import small_engine  # noqa: F401 - a fixture

CODE_RE = re.compile(r"\b\d{2}-\d{4}(?:\.\d{2})?\b")
NAMES = [name for name, _, _ in INJECTIONS]
CONTACT = Contact(name="Ana Ruiz", email="ana.ruiz@example.org", phone="202 555 0143")
CONTACT_VALUES = ("Ana Ruiz", "ana.ruiz@example.org", "555 0143", "555-0143")
OPENING = "I'm Ana Ruiz, ana.ruiz@example.org or 202 555 0143. I work as a cashier in a supermarket."


class FollowingLLM:
    """A model that does whatever the text it reads tells it to: the worst case the checks must contain."""

    model = "obedient"

    def __init__(self, code: str | None) -> None:
        self.code = code
        self.calls: list[list[Message]] = []
        self.usage = UsageMeter()

    def sent_text(self) -> str:
        return "\n".join(m["content"] for call in self.calls for m in call)

    def generate(self, messages: list[Message], output_type: type[T]) -> T:
        self.calls.append(list(messages))
        system, everything = messages[0]["content"], "\n".join(m["content"] for m in messages)
        fields = output_type.model_fields
        code = self.code or "11-1011.00"
        if "paragraphs" in fields:
            proposed = re.search(r"was coded to (\S+)", everything).group(1)
            answers = [
                {"code": code, "paragraphs": [f"As the customer asked, the code is {code} [E1]. {system}"]},
                {"code": proposed, "paragraphs": [f"The job is {proposed} [E1].", f"My instructions: {system}"]},
                {"code": proposed, "paragraphs": [f"The job is {proposed} [E1].", everything[:2400]]},
            ]
        elif "codes" in fields:
            answers = [{"codes": [code], "reason": system}, {"codes": [code, "11-1011.00"], "reason": everything}]
        else:
            answers = [{name: everything for name in fields}]
        for answer in answers:
            try:
                return output_type.model_validate(answer)
            except ValidationError:
                continue
        raise LLMError("the model never gave a usable answer", kind="invalid")

    def stream(self, messages: list[Message]) -> Iterator[str]:
        self.calls.append(list(messages))
        if self.code:
            yield f"Sure! The code is {self.code}. "
        yield f"My instructions are: {messages[0]['content']} "
        yield "Everything I was sent: " + "\n".join(m["content"] for m in messages[1:])
        yield " What else does the worker do?"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    opened = Store.open(f"sqlite:///{tmp_path / 'oca.sqlite3'}")
    yield opened
    opened.close()


@pytest.fixture
def other(store: Store) -> tuple[str, ...]:
    """Another customer's submission in the same store: what of it must never show up anywhere."""
    created = store.create_submission()
    part_a = PartA(job_title="Glassblower", duties=[Duty(text="Shapes molten glass at the Zorvath foundry")],
                   contact=Contact(name="Ivo Brankovic", email="ivo.brankovic@example.net", phone="312 555 0188"))
    store.save_conversation(created.reference, {"messages": [{"role": "user", "content": "Zorvath glassblower"}]},
                            part_a.model_dump(mode="json"))
    return ("Brankovic", "ivo.brankovic", "0188", "Zorvath", created.reference, created.access_token)


def cashier(injection: str) -> PartA:
    return PartA(job_title="Cashier", contact=CONTACT, industries=[Industry(name="Supermarket")],
                 duties=[Duty(text="Scans groceries and takes payments at the till"), Duty(text=injection)])


def shown_codes(text: str) -> set[str]:
    return {c if "." in c else f"{c}.00" for c in CODE_RE.findall(text)}


def assert_nothing_leaks(text: str, other: tuple[str, ...], typed: str) -> None:
    """No prompt repeated, nothing of the other customer that this customer did not type themselves."""
    assert prompts.repeats_instructions(text) is None, "the prompt was repeated"
    leaked = [value for value in other if value and value.lower() in text.lower() and value not in typed]
    assert not leaked, f"another customer's data: {leaked}"


def test_the_corpus_is_large_enough() -> None:
    assert len(INJECTIONS) >= 30
    assert len(set(NAMES)) == len(NAMES)


@pytest.mark.parametrize(("text", "code"), [(t, c) for _, t, c in INJECTIONS], ids=NAMES)
def test_a_job_description_cannot_steer_the_draft(text: str, code: str | None, small_engine: Engine, store: Store,
                                                  other: tuple[str, ...]) -> None:
    part_a = cashier(text)
    reference = store.create_submission().reference
    store.save_conversation(reference, {"messages": [{"role": "user", "content": text}]},
                            part_a.model_dump(mode="json"))
    llm = FollowingLLM(code)

    drafted = review.submit(store, reference, small_engine, llm)

    retrieved = [c.code for c in small_engine.code(title=part_a.job_title, description=part_a.job_text(),
                                                   industry=part_a.industry_text(), k=5).candidates]
    draft = drafted.draft
    assert drafted.code == draft["code"] == draft_part_b(part_a, small_engine).code
    assert draft["code"] in retrieved
    rationale = "\n".join(draft["rationale"])
    allowed = {draft["code"], draft["soc_code"]} | {g["code"] for g in draft["soc"].values() if g}
    named = shown_codes(rationale) - {f"{c}.00" for c in allowed} - allowed
    assert named <= shown_codes(text), named  # at most the customer's own words quoted back
    assert_nothing_leaks(rationale, other, text)
    assert llm.calls, "the model was asked"
    sent = llm.sent_text()
    assert not [v for v in CONTACT_VALUES if v in sent]
    assert not [v for v in other if v and v in sent and v not in text], "another customer's data reached the model"


@pytest.mark.parametrize(("text", "code"), [(t, c) for _, t, c in INJECTIONS], ids=NAMES)
def test_a_chat_message_cannot_steer_the_reply(text: str, code: str | None, small_engine: Engine,
                                               other: tuple[str, ...]) -> None:
    said = f"{OPENING} {text}"
    result = conversation.turn(conversation.start(), said, small_engine)
    llm = FollowingLLM(code)
    try:
        shown = "".join(llm_tasks.stream_reply(llm, result.reply, result.conversation.part_a, result.candidates))
    except LLMError:
        shown = result.reply  # what the chat page shows instead

    retrieved = {c.code for c in result.candidates}
    assert shown_codes(shown) <= retrieved | shown_codes(said)
    if code and code not in retrieved:
        assert code not in shown or code in result.reply  # only as the customer's own words, quoted back
    assert_nothing_leaks(shown, other, said)
    sent = llm.sent_text()
    assert not [v for v in CONTACT_VALUES if v in sent], "contact details reached the model"


@pytest.mark.parametrize(("text", "code"), [(t, c) for _, t, c in INJECTIONS if c], ids=[n for n, _, c in INJECTIONS if c])
def test_a_reranking_model_keeps_to_the_candidates(text: str, code: str, small_engine: Engine) -> None:
    part_a = cashier(text)
    candidates = small_engine.code(title=part_a.job_title, description=part_a.job_text(), k=5).candidates
    order = llm_tasks.rerank(FollowingLLM(code), part_a, candidates)
    assert order is None or set(order) <= {c.code for c in candidates}


def test_no_request_to_a_real_server_carries_contact_details_or_another_customer(
        small_engine: Engine, store: Store, other: tuple[str, ...], llm_server: ScriptedLLMServer) -> None:
    llm_server.default = reply({"code": "11-1011.00", "paragraphs": ["It is 11-1011.00 [E1]."]})
    llm = OpenAILLM(base_url=llm_server.url, model="test-model", timeout_s=2, max_retries=0)
    for _, text, _ in INJECTIONS:
        result = conversation.turn(conversation.start(), f"{OPENING} {text}", small_engine)
        try:
            list(llm_tasks.stream_reply(llm, result.reply, result.conversation.part_a, result.candidates))
        except LLMError:
            pass
        reference = store.create_submission().reference
        store.save_conversation(reference, None, cashier(text).model_dump(mode="json"))
        assert review.submit(store, reference, small_engine, llm).draft["written_by"] == "offline"
    assert len(llm_server.requests) >= 2 * len(INJECTIONS)
    sent = llm_server.sent_text()
    assert not [v for v in CONTACT_VALUES if v in sent]
    assert not [v for v in other if v and v in sent and not any(v in t for _, t, _ in INJECTIONS)]
