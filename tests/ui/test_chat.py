"""The Describe-a-job chat through AppTest: a real engine over the fixture release and a real SQLite store."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from assistant import conversation, llm_tasks
from assistant.llm import LLMError
from assistant.review import decide
from assistant.store import Store, StoreError
from retrieval.engine import Engine
from retrieval.errors import ReleaseError
from tests.fakes_llm import FakeLLM
from tests.ui.engines import small_engine  # noqa: F401 - a fixture
from ui import customer, parta_form, state
from ui.views import chat

CHAT = "views/chat.py"


def plain(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def texts(at: AppTest, *kinds: str) -> str:
    kinds = kinds or ("markdown", "caption", "info", "warning", "error", "success")
    return plain("\n".join(str(e.value) for kind in kinds for e in getattr(at, kind)))


def said(at: AppTest) -> list[tuple[str, str]]:
    """The chat as the customer reads it: (who, text) for each message."""
    return [(m.name, plain("\n".join(x.value for x in m.markdown))) for m in at.chat_message]


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


@pytest.fixture
def open_chat(app: Callable[..., AppTest], small_engine: Engine, db_url: str) -> Callable[..., AppTest]:
    """An AppTest on the chat page; `ref`/`token` put a private link in the URL, as a reload or a bookmark does."""
    def make(engine: object = small_engine, **params: str) -> AppTest:
        at = app(engine)
        for name, value in params.items():
            at.query_params[name] = value
        return at.run()

    return make


def form_version(at: AppTest) -> int:
    return at.session_state[parta_form.VERSION_KEY] if parta_form.VERSION_KEY in at.session_state else 0


def link_of(at: AppTest) -> dict[str, str]:
    """The private link's query parameters in the page's URL."""
    return {name: at.query_params[name] for name in (customer.REF_PARAM, customer.TOKEN_PARAM)}


def send(at: AppTest, text: str) -> AppTest:
    return at.chat_input(key=chat.INPUT_KEY).set_value(text).run()


def test_the_chat_opens_with_the_greeting_and_saves_nothing_yet(open_chat, store: Store) -> None:
    at = open_chat()
    assert not at.exception
    assert at.title[0].value == "Describe a job"
    assert said(at) == [("assistant", conversation.GREETING)]
    assert "The closest occupations appear here" in texts(at, "info")
    assert "saved as soon as you write the first message" in texts(at, "caption")
    assert store.queue(states=["in_progress"]) == []


def test_the_first_message_creates_the_request_and_every_turn_is_saved(open_chat, store: Store) -> None:
    at = open_chat()
    send(at, "I work as a registered nurse in a hospital")
    assert not at.exception, at.exception
    reference, token = link_of(at).values()
    saved = store.get_for_customer(reference, token)
    assert saved.state == "in_progress"
    messages = saved.conversation["messages"]
    assert [m["role"] for m in messages] == ["assistant", "user", "assistant"]
    assert messages[1]["content"] == "I work as a registered nurse in a hospital"
    assert said(at)[-1] == ("assistant", plain(chat.escape_paragraphs(messages[2]["content"])))
    assert saved.part_a["job_title"]
    # the live candidates, with what each matched
    assert at.expander[1].label.startswith("1\\. Registered Nurses")
    evidence = [m.value for m in at.expander[1].markdown]
    assert evidence[0].startswith("- **title** (title): **Registered** **Nurses** — matched *nurse, registered*")
    send(at, "I give medications to patients and supervise the ward")
    assert len(store.get(reference).conversation["messages"]) == 5


def test_a_reload_opens_the_same_conversation(open_chat, store: Store) -> None:
    at = open_chat()
    send(at, "I work as a cashier in a supermarket")
    before = said(at)
    link = link_of(at)
    again = open_chat(**link)  # a new session: nothing but the URL
    assert not again.exception
    assert said(again) == before
    assert again.text_input(key=parta_form.key(form_version(again), "job_title")).value
    send(again, "I scan items and take payments")
    assert len(store.get(link["ref"]).conversation["messages"]) == 5


def test_a_message_is_saved_before_it_is_answered_and_answered_after_a_crash(
        open_chat, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_chat()
    send(at, "I work as a truck driver")
    link = link_of(at)
    real_turn = conversation.turn

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the server went away")

    monkeypatch.setattr(conversation, "turn", crash)
    send(at, "I drive a tractor-trailer across states")
    assert at.exception  # the app crashed mid-turn ...
    messages = store.get(link["ref"]).conversation["messages"]
    assert messages[-1] == {"role": "user", "content": "I drive a tractor-trailer across states"}  # ... the words are kept

    monkeypatch.setattr(conversation, "turn", real_turn)
    again = open_chat(**link)
    assert not again.exception
    assert [who for who, _ in said(again)][-2:] == ["user", "assistant"]
    messages = store.get(link["ref"]).conversation["messages"]
    assert [m["role"] for m in messages][-2:] == ["user", "assistant"]
    assert sum(m["content"] == "I drive a tractor-trailer across states" for m in messages) == 1


def test_a_wrong_link_says_so_and_offers_a_new_request(open_chat, store: Store) -> None:
    created = store.create_submission()
    at = open_chat(ref=created.reference, token="not-the-token")
    assert not at.exception
    assert [plain(e.value) for e in at.error] == [chat.BAD_LINK]
    at.button(key="chat.restart-bad-link").click().run()
    assert not at.error and said(at) == [("assistant", conversation.GREETING)]


def test_part_a_edits_are_checked_saved_and_rerank(open_chat, store: Store) -> None:
    at = open_chat()
    send(at, "I work as a cook in a restaurant")
    ref = link_of(at)["ref"]
    v = form_version(at)
    at.text_input(key=parta_form.key(v, "contact.email")).input("bob@")
    at.text_input(key=parta_form.key(v, "job_title")).input("cashier")
    at.button[[b.label for b in at.button].index("Save my answers")].click().run()
    assert not at.exception
    errors = [plain(e.value) for e in at.error]
    assert len(errors) == 1 and errors[0].startswith("E-mail: 'bob@' is not an e-mail address")
    assert at.text_input(key=parta_form.key(v, "contact.email")).value == "bob@"  # what was typed stays
    assert store.get(ref).part_a["contact"]["email"] is None  # and nothing was saved

    at.text_input(key=parta_form.key(v, "contact.email")).input("bob@example.com")
    at.button[[b.label for b in at.button].index("Save my answers")].click().run()
    assert not at.error
    assert "Saved." in texts(at, "success")
    saved = store.get(ref).part_a
    assert saved["contact"]["email"] == "bob@example.com" and saved["job_title"] == "cashier"
    assert at.expander[1].label.startswith("1\\. Cashiers")  # the candidates follow the edit


def test_sending_for_review_drafts_part_b_and_gives_the_reference(open_chat, store: Store) -> None:
    at = open_chat()
    assert "chat.submit" not in [b.key for b in at.button]  # nothing to send yet
    send(at, "I work as a sewing machine operator in a clothing factory")
    at.button(key="chat.submit").click().run()
    assert not at.exception, at.exception
    ref = link_of(at)["ref"]
    submission = store.get(ref)
    assert submission.state == "drafted" and submission.draft["code"] == "51-6031.00"
    assert chat.SENT.format(reference=ref) in texts(at, "success")
    assert any(f"/my_submission?ref={ref}&token=" in c.value for c in at.code)  # the private link
    assert at.chat_input(key=chat.INPUT_KEY).disabled  # sent: the chat is closed


def test_an_analysts_question_reaches_the_chat_and_the_answer_is_sent_again(
        open_chat, store: Store, small_engine: Engine) -> None:
    at = open_chat()
    send(at, "I work as a registered nurse in a hospital")
    at.button(key="chat.submit").click().run()
    link = link_of(at)
    store.add_user("ana", "a-long-password", "analyst")
    decide(store, link["ref"], "ana", "ask", question="Does the nurse hold an RN licence?")

    at = open_chat(**link)
    assert not at.exception
    assert said(at)[-1] == ("assistant", "Does the nurse hold an RN licence?")
    assert "An analyst needs more information" in texts(at, "warning")
    send(at, "Yes, a registered nurse licence")
    at.button(key="chat.submit").click().run()
    assert not at.exception
    assert store.get(link["ref"]).state == "drafted"


def test_the_reply_streams_from_the_model_and_falls_back_to_the_offline_one(
        open_chat, monkeypatch: pytest.MonkeyPatch) -> None:
    llm = FakeLLM(default={})  # reads nothing more than the offline reader did
    monkeypatch.setattr(llm_tasks, "rerank", lambda *args, **kwargs: None)  # keeps the engine's order
    llm.streams.append(["Thanks! ", "Registered Nurses fits best so far. What industry is it?"])
    llm.streams.append(["Half a sent", LLMError("cut", kind="incomplete")])
    monkeypatch.setattr(customer, "get_llm", lambda: (llm, None))
    at = open_chat()
    send(at, "I work as a registered nurse")
    assert not at.exception, at.exception
    assert said(at)[-1] == ("assistant", "Thanks! Registered Nurses fits best so far. What industry is it?")
    send(at, "a hospital. You can reach me at jane.doe@example.com")
    assert not at.exception
    last = said(at)[-1][1]
    assert "Half a sent" not in last and "Closest occupations so far" in last
    assert LLMError("x", kind="incomplete").notice() in texts(at, "caption")
    assert [c.kind for c in llm.calls].count("stream") == 2
    assert "jane.doe@example.com" not in "".join(str(c.messages) for c in llm.calls)  # contact details stay here


def test_a_model_that_fails_to_read_the_message_leaves_the_offline_turn_saved_once(
        open_chat, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    llm = FakeLLM(default=LLMError("down", kind="timeout"))
    monkeypatch.setattr(customer, "get_llm", lambda: (llm, None))
    at = open_chat()
    send(at, "I work as a registered nurse in a hospital")
    assert not at.exception, at.exception
    assert "Closest occupations so far" in said(at)[-1][1]
    assert LLMError("x", kind="timeout").notice() in texts(at, "caption")
    assert [c.kind for c in llm.calls].count("stream") == 0  # after one failure the turn stays offline
    saved = store.get(link_of(at)["ref"]).conversation["messages"]
    assert [m["role"] for m in saved] == ["assistant", "user", "assistant"]  # greeting, message, reply: once each


def test_a_title_chosen_on_find_an_occupation_starts_the_request(app: Callable[..., AppTest], small_engine: Engine,
                                                                 open_chat, store: Store) -> None:
    at = app(small_engine).run()
    at.switch_page("views/find.py").run()
    at.text_input(key="q").input("truck").run()
    links = [link.proto for link in at.get("page_link")]
    start = next(link for link in links if link.label == "Describe a job like this")
    assert start.query_string == "title=Heavy+and+Tractor-Trailer+Truck+Drivers" and start.page_script_hash

    at = open_chat(title="Heavy and Tractor-Trailer Truck Drivers")  # where that link leads
    assert not at.exception
    assert said(at)[-1][1] == chat.TITLE_GREETING.format(title="Heavy and Tractor-Trailer Truck Drivers")
    assert customer.TITLE_PARAM not in at.query_params  # a reload does not start yet another request
    v = form_version(at)
    assert at.text_input(key=parta_form.key(v, "job_title")).value == "Heavy and Tractor-Trailer Truck Drivers"
    assert at.expander[0].label.startswith("1\\. Heavy and Tractor")  # ranked from the title alone
    send(at, "I drive a truck across the country delivering goods")  # the answer to the duties question
    assert not at.exception
    part_a = store.get(link_of(at)["ref"]).part_a
    assert part_a["job_title"] == "Heavy and Tractor-Trailer Truck Drivers"
    assert part_a["duties"] or part_a["summary"]


def test_an_engine_or_a_database_that_cannot_open_is_an_error(open_chat, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_engine() -> None:
        raise ReleaseError("O*NET release not found at /nowhere: set OCA_ONET_DIR to the unzipped folder.")

    at = open_chat()
    monkeypatch.setattr(state, "get_engine", no_engine)
    at.run()
    assert not at.exception
    assert "set OCA_ONET_DIR" in texts(at, "error") and not at.chat_input

    def no_store(url: str) -> None:
        raise StoreError("cannot open the database sqlite:///nowhere: unable to open database file")

    at = open_chat()
    monkeypatch.setattr(state, "_store_at", no_store)
    at.run()
    assert "cannot open the database" in texts(at, "error") and not at.chat_input


def test_what_the_customer_types_is_never_rendered_as_markup(open_chat) -> None:
    at = open_chat()
    send(at, "I am a <b>nurse</b> ![x](http://evil/x.png) [click](javascript:alert(1))")
    assert not at.exception
    for element in (*at.markdown, *at.caption):
        assert "<b>" not in element.value and "](" not in element.value


def test_a_message_that_cannot_be_saved_is_given_back_and_one_that_cannot_be_answered_is_kept(
        open_chat, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_chat()
    send(at, "I work as a cashier")
    ref = link_of(at)["ref"]

    def refuse(self: Store, *args: object, **kwargs: object) -> None:
        raise StoreError("the database is locked")

    with monkeypatch.context() as patch:
        patch.setattr(Store, "save_conversation", refuse)
        send(at, "I scan groceries at the till")
    assert not at.exception
    assert "Your message was not saved (the database is locked). Here it is, to copy: I scan groceries at the till" \
        in texts(at, "error")

    def engine_down(*args: object, **kwargs: object) -> None:
        raise ReleaseError("The search index is damaged: run `oca index --rebuild`.")

    with monkeypatch.context() as patch:
        patch.setattr(conversation, "turn", engine_down)
        send(at, "I also stock the shelves")
    assert not at.exception
    assert "Your message is saved, but it could not be answered: The search index is damaged" in texts(at, "error")
    assert store.get(ref).conversation["messages"][-1] == {"role": "user", "content": "I also stock the shelves"}
    at.run()  # the next load answers it
    assert not at.error
    assert [m["role"] for m in store.get(ref).conversation["messages"]][-2:] == ["user", "assistant"]


def test_a_misconfigured_model_is_named_and_the_chat_works_offline(open_chat, store: Store,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OCA_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.delenv("OCA_LLM_MODEL", raising=False)
    at = open_chat()
    assert "Working without a language model: OCA_LLM_BASE_URL is set" in texts(at, "warning")
    send(at, "I work as a cashier")
    assert not at.exception and not at.error
    assert "Closest occupations so far" in said(at)[-1][1]
