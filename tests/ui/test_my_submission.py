"""My submission through AppTest: opened by private link or by reference and e-mail; state, question, Part B."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from assistant.parta import PartA
from assistant.review import CUSTOMER_MESSAGES, decide, submit
from assistant.store import Store, StoreError, Submission
from retrieval.engine import Engine
from tests.ui.engines import small_engine  # noqa: F401 - a fixture
from ui import state
from ui.views import my_submission

PAGE = "views/my_submission.py"
CHAT_TITLE = "Describe a job"


def plain(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def texts(at: AppTest, *kinds: str) -> str:
    kinds = kinds or ("markdown", "caption", "info", "warning", "error", "success", "subheader")
    return plain("\n".join(str(e.value) for kind in kinds for e in getattr(at, kind)))


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'oca.sqlite3'}"
    monkeypatch.setenv("OCA_DATABASE_URL", url)
    return url


@pytest.fixture
def store(db_url: str) -> Store:
    opened = Store.open(db_url)
    opened.add_user("ana", "a-long-password", "analyst")
    yield opened
    opened.close()


@pytest.fixture
def open_page(app: Callable[..., AppTest], small_engine: Engine, db_url: str) -> Callable[..., AppTest]:
    def make(**params: str) -> AppTest:
        at = app(small_engine)
        for name, value in params.items():
            at.query_params[name] = value
        at.run()
        return at.switch_page(PAGE).run()

    return make


def submitted(store: Store, engine: Engine, title: str = "sewing machine operator", email: str = "jo@example.com",
              duties: tuple[str, ...] = ("Sews garments on an industrial machine",)) -> Submission:
    created = store.create_submission()
    part_a = PartA.model_validate({"job_title": title, "duties": [{"text": d} for d in duties],
                                   "industries": [{"name": "clothing factory"}], "contact": {"email": email}})
    store.save_conversation(created.reference, {"messages": []}, part_a.model_dump(mode="json"))
    submit(store, created.reference, engine)
    return created


def open_by_email(at: AppTest, reference: str, email: str) -> AppTest:
    at.text_input(key=my_submission.REFERENCE_INPUT).input(reference)
    at.text_input(key=my_submission.EMAIL_INPUT).input(email)
    return at.button[[b.label for b in at.button].index("Open")].click().run()


def test_without_a_link_it_asks_for_the_reference_and_e_mail(open_page, store: Store) -> None:
    at = open_page()
    assert not at.exception
    assert my_submission.ASK in texts(at, "caption")
    open_by_email(at, "OCA-AAAA-BBBB", "not-an-address")
    assert [plain(e.value) for e in at.error] == [my_submission.BAD_EMAIL]


def test_a_wrong_reference_or_e_mail_opens_nothing(open_page, store: Store, small_engine: Engine) -> None:
    mine = submitted(store, small_engine)
    at = open_by_email(open_page(), mine.reference, "someone.else@example.com")
    assert not at.exception
    assert "matches that link or e-mail address" in texts(at, "error")
    assert "Sews garments" not in texts(at)


def test_reference_and_e_mail_show_where_it_stands(open_page, store: Store, small_engine: Engine) -> None:
    mine = submitted(store, small_engine)
    at = open_by_email(open_page(), mine.reference.lower(), "JO@example.com")
    assert not at.exception
    assert f"{mine.reference} · Waiting for review" in texts(at, "subheader")
    assert CUSTOMER_MESSAGES["drafted"] in texts(at, "info")
    assert "Part B: the occupation" not in texts(at, "subheader")  # not before an analyst decided
    assert "Duty: Sews garments on an industrial machine" in texts(at, "markdown")


def test_the_private_link_shows_the_approved_part_b(open_page, store: Store, small_engine: Engine) -> None:
    mine = submitted(store, small_engine)
    decide(store, mine.reference, "ana", "approve", engine=small_engine)
    at = open_page(ref=mine.reference, token=mine.access_token)
    assert not at.exception, at.exception
    assert CUSTOMER_MESSAGES["approved"] in texts(at, "success")
    assert "### 51-6031.00 Sewing Machine Operators" in texts(at, "markdown")
    draft = store.get(mine.reference).draft
    assert plain(my_submission.escape_paragraphs(draft["rationale"][0])) in texts(at, "markdown")


def test_a_changed_code_shows_the_analysts_code_and_reason(open_page, store: Store, small_engine: Engine) -> None:
    mine = submitted(store, small_engine)
    decide(store, mine.reference, "ana", "change", engine=small_engine, code="41-2011.00",
           reason_category="duties", note="they mostly run the till")
    at = open_page(ref=mine.reference, token=mine.access_token)
    assert not at.exception
    assert "### 41-2011.00 Cashiers" in texts(at, "markdown")
    assert "they mostly run the till" in texts(at, "markdown")
    assert "The draft had proposed 51-6031.00; an analyst chose this code." in texts(at, "caption")
    # Part B redrafted for the analyst's code, with that occupation's evidence
    assert "Assigned by an analyst: 41-2011.00 Cashiers" in texts(at, "markdown")


def test_a_question_sends_the_customer_to_the_chat(open_page, store: Store, small_engine: Engine) -> None:
    mine = submitted(store, small_engine)
    decide(store, mine.reference, "ana", "ask", question="Which machines do they run?")
    at = open_page(ref=mine.reference, token=mine.access_token)
    assert "**The analyst asks:** Which machines do they run?" in texts(at, "markdown")
    at.button(key="my_submission.chat").click().run()
    assert not at.exception
    assert at.title[0].value == CHAT_TITLE
    assert plain(at.chat_message[-1].markdown[0].value) == "Which machines do they run?"


def test_a_rejection_gives_the_reason(open_page, store: Store, small_engine: Engine) -> None:
    mine = submitted(store, small_engine)
    decide(store, mine.reference, "ana", "reject", reason="This describes two different jobs.")
    at = open_page(ref=mine.reference, token=mine.access_token)
    assert CUSTOMER_MESSAGES["rejected"] in texts(at, "warning")
    assert "**Reason:** This describes two different jobs." in texts(at, "markdown")


def test_a_database_that_cannot_open_is_an_error(open_page, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_store(url: str) -> None:
        raise StoreError("cannot open the database sqlite:///nowhere: unable to open database file")

    monkeypatch.setattr(state, "_store_at", no_store)
    at = open_page()
    assert not at.exception
    assert "cannot open the database" in texts(at, "error")
    assert not at.text_input
