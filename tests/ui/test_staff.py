"""The staff side of the app through AppTest: sign-in and roles, the review queue, the review screen with
its decisions and comments, and the agreement check. A real SQLite store under the test's OCA_HOME and a
real engine over the fixture release (decisions check codes and teach it lay titles)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from assistant import review
from assistant.parta import Contact, Duty, Industry, PartA
from assistant.settings import load_settings
from assistant.store import Store, StoreError
from retrieval.embedder import MiniLMEmbedder
from retrieval.engine import Engine
from retrieval.errors import ReleaseError
from ui import auth, state
from ui.views import agreement as agreement_page
from ui.views import review as review_page
from ui.views import review_queue as queue_page
from ui.reviewing import REFERENCE_KEY

QUEUE = "views/review_queue.py"
REVIEW = "views/review.py"
AGREEMENT = "views/agreement.py"
EVALUATION = "views/evaluation.py"
SIGNIN = "views/signin.py"
VIEWS = Path(__file__).parents[2] / "ui" / "views"
PASSWORD = "correct horse battery"
NURSE, LPN, CHEF, LINE_COOK, CASHIER = "29-1141.00", "29-2061.00", "35-1011.00", "35-2014.00", "41-2011.00"


def plain(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def texts(at: AppTest, *kinds: str) -> str:
    kinds = kinds or ("markdown", "caption", "info", "warning", "error", "success", "header", "subheader")
    return plain("\n".join(str(e.value) for kind in kinds for e in getattr(at, kind)))


@pytest.fixture(scope="module")
def embedder(tmp_path_factory: pytest.TempPathFactory) -> MiniLMEmbedder:
    """The product's embedder, opened once for the module (each opening of the model takes about half a second)."""
    return MiniLMEmbedder(int8_queries=True, cache_dir=tmp_path_factory.mktemp("staff-models"))


@pytest.fixture(scope="module")
def engine_home(fixture_release: Path, fixture_taxonomy: Path, embedder: MiniLMEmbedder,
                tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("staff-engine")
    Engine.open(fixture_release, fixture_taxonomy, home, embedder=embedder, progress=False)
    return home


@pytest.fixture
def engine(fixture_release: Path, fixture_taxonomy: Path, embedder: MiniLMEmbedder, engine_home: Path) -> Engine:
    """A fresh engine on the module's index: decisions teach an engine lay titles, which must not leak."""
    return Engine.open(fixture_release, fixture_taxonomy, engine_home, embedder=embedder, progress=False)


@pytest.fixture
def staff_app(app: Callable[..., AppTest], engine: Engine) -> Callable[..., AppTest]:
    return lambda: app(engine)


@pytest.fixture
def store(staff_app: Callable[..., AppTest]) -> Store:
    """The app's own database (the `app` fixture points OCA_HOME at a fresh folder), opened beside it."""
    opened = Store.open(load_settings().db_url)
    opened.add_user("ann", PASSWORD, "analyst")  # others as a test needs them: each hash takes a while
    yield opened
    opened.close()


def submitted(store: Store, engine: Engine, title: str, duties: list[str], industry: str | None = None,
              email: str = "kim@example.org") -> str:
    """A customer's submission as the chat leaves it: Part A saved, then submitted (coded and drafted)."""
    created = store.create_submission()
    part_a = PartA(job_title=title, duties=[Duty(text=d) for d in duties], contact=Contact(email=email),
                   industries=[Industry(name=industry)] if industry else [])
    store.save_conversation(created.reference, {"messages": [{"role": "user", "content": title}]},
                            part_a.model_dump(mode="json"))
    review.submit(store, created.reference, engine)
    return created.reference


def signed_in(at: AppTest, name: str, role: str) -> AppTest:
    at.session_state[auth.USER_KEY] = auth.SignedIn(name=name, role=role)
    return at


def open_as(staff_app: Callable[..., AppTest], page: str, name: str = "ann", role: str = "analyst") -> AppTest:
    at = signed_in(staff_app(), name, role).run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def sign_in_form(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="signin.name").input(name)
    at.text_input(key="signin.password").input(password)
    [button] = [b for b in at.button if b.label == "Sign in"]
    return button.click().run()


# ----- sign-in and roles ------------------------------------------------------------------------------------

def test_signed_out_visitors_cannot_reach_staff_pages(staff_app: Callable[..., AppTest]) -> None:
    at = staff_app().run()
    for page in (QUEUE, REVIEW, AGREEMENT, EVALUATION):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)
    at.switch_page(SIGNIN).run()
    assert at.title[0].value == "Staff sign-in"


@pytest.mark.parametrize("page", ["review_queue.py", "review.py", "agreement.py"])
def test_staff_pages_refuse_on_their_own_without_a_reviewer(app: Callable[..., AppTest], engine: Engine,
                                                            store: Store, page: str) -> None:
    """The menu is not the only lock: a page run without a reviewer signed in shows nothing of a submission."""
    reference = submitted(store, engine, "Registered nurse", ["Cares for patients on a hospital ward."])
    app(engine)  # the engine and home the page would use
    at = AppTest.from_file(str(VIEWS / page), default_timeout=30)
    at.session_state[REFERENCE_KEY] = reference
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [auth.NEEDS_SIGN_IN]
    assert not at.dataframe and "nurse" not in texts(at).lower()
    at = signed_in(AppTest.from_file(str(VIEWS / page), default_timeout=30), "eve", "evaluator")
    at.session_state[REFERENCE_KEY] = reference
    at.run()
    assert "cannot open this page; it is for analysts" in texts(at, "error")
    assert not at.dataframe and "nurse" not in texts(at).lower()


def test_an_analyst_signs_in_to_the_review_queue_and_signs_out(staff_app: Callable[..., AppTest],
                                                               store: Store) -> None:
    at = staff_app().run()
    at.switch_page(SIGNIN).run()
    assert plain(at.caption[0].value).startswith("Customers do not need an account")
    sign_in_form(at, "ann", PASSWORD)
    assert not at.exception, at.exception
    assert at.title[0].value == "Review queue"
    assert at.session_state[auth.USER_KEY] == auth.SignedIn(name="ann", role="analyst")
    assert "Signed in as **ann** (analyst)" in texts(at, "caption")
    assert PASSWORD not in [at.session_state[k] for k in ("signin.password",) if k in at.session_state]
    at.switch_page(AGREEMENT).run()
    assert at.title[0].value == "Agreement check"

    at.button(key="app.sign_out").click().run()
    assert not at.exception
    assert auth.USER_KEY not in at.session_state
    with pytest.raises(ValueError):
        at.switch_page(QUEUE)


def test_an_evaluator_signs_in_to_the_evaluation_pages_only(staff_app: Callable[..., AppTest], store: Store) -> None:
    store.add_user("eve", PASSWORD, "evaluator")
    at = staff_app().run()
    at.switch_page(SIGNIN).run()
    sign_in_form(at, "eve", PASSWORD)
    assert not at.exception, at.exception
    assert at.title[0].value == "Evaluation"
    with pytest.raises(ValueError):
        at.switch_page(QUEUE)


def test_a_wrong_password_is_refused_and_repeated_failures_are_limited(staff_app: Callable[..., AppTest],
                                                                       store: Store) -> None:
    at = staff_app().run()
    at.switch_page(SIGNIN).run()
    sign_in_form(at, "ann", "")
    assert "Enter your name and your password." in texts(at, "warning")
    for _ in range(5):
        sign_in_form(at, "ann", "not the password")
        assert [e.value for e in at.error] == [auth.WRONG_CREDENTIALS]
    sign_in_form(at, "ann", PASSWORD)  # right, but refused until the failures age out
    assert "too many failed sign-ins for ann" in texts(at, "error")
    assert auth.USER_KEY not in at.session_state
    assert at.title[0].value == "Staff sign-in"


def test_sign_in_says_when_the_database_cannot_be_opened(staff_app: Callable[..., AppTest],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> Store:
        raise StoreError("cannot open the database sqlite:///nowhere/oca.sqlite3: unable to open database file")

    at = staff_app().run()
    monkeypatch.setattr(state, "get_store", broken)
    at.switch_page(SIGNIN).run()
    sign_in_form(at, "ann", PASSWORD)
    assert not at.exception
    assert "cannot open the database" in texts(at, "error")


# ----- review queue -----------------------------------------------------------------------------------------

NURSE_JOB = ("Ward nurse", ["Cares for patients on a hospital ward and gives them their medicines."], "hospital")
CHEF_JOB = ("Kitchen boss", ["Plans menus and runs the kitchen staff of a restaurant."], "restaurant")
TILL_JOB = ("Till operator", ["Takes payments from customers at the checkout."], "supermarket")


@pytest.fixture
def three(store: Store, engine: Engine) -> dict[str, str]:
    """Three drafted submissions: a close call (nurse), a sure one (chef) and a wrong, unsure one (till)."""
    return {name: submitted(store, engine, *job)
            for name, job in (("nurse", NURSE_JOB), ("chef", CHEF_JOB), ("till", TILL_JOB))}


def test_the_queue_lists_the_least_certain_first(staff_app: Callable[..., AppTest], three: dict[str, str]) -> None:
    at = open_as(staff_app, QUEUE)
    table = at.dataframe[0].value
    assert sorted(table["reference"]) == sorted(three.values())
    certainty = list(table["confidence"] + table["margin"])
    assert certainty == sorted(certainty)
    assert set(table["state"]) == {queue_page.STATE_LABELS["drafted"]}
    assert list(table.columns) == ["reference", "job title", "state", "draft code", "confidence", "margin",
                                   "job family", "waiting"]
    row = table[table["reference"] == three["chef"]].iloc[0]
    assert (row["job title"], row["draft code"], row["job family"]) == (
        "Kitchen boss", CHEF, "Food Preparation and Serving Related Occupations")


def test_the_queue_filters_by_job_family_and_state(staff_app: Callable[..., AppTest], store: Store,
                                                   engine: Engine, three: dict[str, str]) -> None:
    store.add_user("bob", PASSWORD, "analyst")
    review.decide(store, three["chef"], "bob", "approve", engine=engine)
    at = open_as(staff_app, QUEUE)
    assert three["chef"] not in list(at.dataframe[0].value["reference"])  # decided: no longer waiting
    at.selectbox(key=queue_page.GROUP_KEY).select("29").run()
    assert list(at.dataframe[0].value["reference"]) == [three["nurse"]]
    at.selectbox(key=queue_page.GROUP_KEY).select("35").run()
    assert not at.dataframe and [i.value for i in at.info] == [queue_page.EMPTY]
    at.multiselect(key=queue_page.STATES_KEY).set_value(["approved"]).run()
    assert list(at.dataframe[0].value["reference"]) == [three["chef"]]


def test_an_empty_queue_says_so(staff_app: Callable[..., AppTest], store: Store) -> None:
    at = open_as(staff_app, QUEUE)
    assert [i.value for i in at.info] == [queue_page.EMPTY]
    assert not at.dataframe


def test_the_queue_shows_a_database_error(staff_app: Callable[..., AppTest], store: Store,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_as(staff_app, QUEUE)

    def broken() -> Store:
        raise StoreError("cannot open the database postgresql://oca@db/oca: connection refused")

    monkeypatch.setattr(state, "get_store", broken)
    at.run()
    assert not at.exception
    assert "connection refused" in texts(at, "error")
    assert not at.dataframe


def test_a_submission_opens_from_the_queue(staff_app: Callable[..., AppTest], store: Store,
                                          three: dict[str, str]) -> None:
    at = open_as(staff_app, QUEUE)
    at.selectbox(key=queue_page.OPEN_KEY).select(three["nurse"])
    [button] = [b for b in at.button if b.label == "Open for review"]
    button.click().run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Review a submission"
    assert plain(at.header[0].value) == f"{three['nurse']} · Ward nurse"
    shown = texts(at)
    assert "Cares for patients on a hospital ward and gives them their medicines." in shown  # Part A
    drafted = store.get(three["nurse"])
    assert f"{drafted.code} {drafted.draft['title']}" in texts(at, "subheader")  # the draft
    assert drafted.code in (NURSE, LPN)
    assert "kim@example.org" in shown  # analysts see the contact details
    assert [t.label for t in at.tabs] == ["Part A", "Draft Part B", "Candidates and evidence", "Comments and history"]
    candidates = at.dataframe[1].value
    assert set(list(candidates["code"])[:2]) == {NURSE, LPN}
    history = at.dataframe[-1].value
    assert list(history["to"]) == ["in_progress", "submitted", "drafted"]


# ----- the review screen --------------------------------------------------------------------------------------

def review_of(staff_app: Callable[..., AppTest], reference: str, name: str = "ann") -> AppTest:
    at = signed_in(staff_app(), name, "analyst")
    at.session_state[REFERENCE_KEY] = reference
    at.run()
    at.switch_page(REVIEW).run()
    assert not at.exception, at.exception
    return at


def click(at: AppTest, label: str) -> AppTest:
    [button] = [b for b in at.button if plain(b.label) == label]
    return button.click().run()


def test_an_analyst_approves_the_draft_and_the_title_is_kept(
        staff_app: Callable[..., AppTest], store: Store, engine: Engine, three: dict[str, str]) -> None:
    reference = three["nurse"]
    drafted = store.get(reference).code
    at = review_of(staff_app, reference)
    assert at.radio(key=review_page.DECISION_KEY).value == "approve"
    click(at, approve_label(store, reference))
    assert not at.exception, at.exception
    assert f"{reference}: Approved {drafted}." in texts(at, "success")
    decided = store.get(reference)
    assert (decided.state, decided.code, decided.decided_by) == ("approved", drafted, "ann")
    assert "Outcome" in texts(at, "subheader") and not [b for b in at.button if b.label.startswith("Approve")]
    assert list(at.dataframe[-1].value["to"])[-1] == "approved"
    assert [(t.title, t.code) for t in store.lay_titles()] == [("Ward nurse", drafted)]
    assert engine.code(title="ward nurse", k=2).candidates[0].code == drafted


def approve_label(store: Store, reference: str) -> str:
    draft = store.get(reference).draft
    return f"Approve {draft['code']} {draft['title']}"


def test_an_analyst_changes_the_code_with_a_reason(staff_app: Callable[..., AppTest], store: Store,
                                                   engine: Engine, three: dict[str, str]) -> None:
    reference = three["till"]
    at = review_of(staff_app, reference)
    at.radio(key=review_page.DECISION_KEY).set_value("change").run()
    assert [b for b in at.button if b.label == "Change the code"][0].disabled  # nothing chosen yet
    at.text_input(key=review_page.SEARCH_KEY).input("cashier").run()
    at.selectbox(key=review_page.NEW_CODE_KEY).select(CASHIER)
    at.selectbox(key=review_page.REASON_KEY).select("duties")
    at.text_area(key=review_page.NOTE_KEY).input("Takes payments at a checkout: a cashier, not a driver.")
    click(at, "Change the code")
    assert not at.exception, at.exception
    assert f"{reference}: Changed the code to {CASHIER}." in texts(at, "success")
    decided = store.get(reference)
    assert (decided.state, decided.code) == ("changed", CASHIER)
    last = store.audit(reference)[-1]
    proposed = decided.draft["assigned"]["engine_code"]  # Part B is now redrafted for the analyst's code
    assert decided.draft["code"] == CASHIER and proposed != CASHIER
    assert (last.actor, last.code_before, last.code_after) == ("ann", proposed, CASHIER)
    assert last.reason.startswith("duties: the duties fit another occupation better")
    assert "a cashier, not a driver" in last.reason
    assert engine.code(title="Till operator").candidates[0].code == CASHIER  # learnt at once


def test_a_code_can_be_typed_to_change_to_it(staff_app: Callable[..., AppTest], store: Store,
                                            three: dict[str, str]) -> None:
    at = review_of(staff_app, three["chef"])
    at.radio(key=review_page.DECISION_KEY).set_value("change").run()
    at.text_input(key=review_page.SEARCH_KEY).input("35-2014").run()
    assert at.selectbox(key=review_page.NEW_CODE_KEY).value == LINE_COOK
    click(at, "Change the code")
    assert store.get(three["chef"]).code == LINE_COOK


def test_changing_to_the_drafts_own_code_is_refused(staff_app: Callable[..., AppTest], store: Store,
                                                    three: dict[str, str]) -> None:
    at = review_of(staff_app, three["chef"])
    at.radio(key=review_page.DECISION_KEY).set_value("change").run()
    at.text_input(key=review_page.SEARCH_KEY).input("chef").run()
    click(at, "Change the code")
    assert "That is the draft's code: approve it instead." in texts(at, "warning"), texts(at)
    assert store.get(three["chef"]).state == "drafted"


def test_a_search_that_finds_nothing_says_so(staff_app: Callable[..., AppTest], three: dict[str, str]) -> None:
    at = review_of(staff_app, three["chef"])
    at.radio(key=review_page.DECISION_KEY).set_value("change").run()
    at.text_input(key=review_page.SEARCH_KEY).input("zzzqqq").run()
    assert "No occupation matches those words" in texts(at, "warning")
    assert [b for b in at.button if b.label == "Change the code"][0].disabled


def test_rejecting_needs_a_reason(staff_app: Callable[..., AppTest], store: Store, three: dict[str, str]) -> None:
    at = review_of(staff_app, three["till"])
    at.radio(key=review_page.DECISION_KEY).set_value("reject").run()
    click(at, "Reject")
    assert "Say why it is rejected." in texts(at, "warning")
    assert store.get(three["till"]).state == "drafted"
    at.text_area(key=review_page.REJECT_KEY).input("Describes two different jobs.")
    click(at, "Reject")
    decided = store.get(three["till"])
    assert (decided.state, decided.decision_reason) == ("rejected", "Describes two different jobs.")


def test_asking_the_customer_puts_the_question_in_their_chat(staff_app: Callable[..., AppTest], store: Store,
                                                             three: dict[str, str]) -> None:
    at = review_of(staff_app, three["nurse"])
    at.radio(key=review_page.DECISION_KEY).set_value("ask").run()
    click(at, "Send the question")
    assert "Write the question for the customer." in texts(at, "warning")
    question = "Are you a registered nurse, or a licensed practical nurse?"
    at.text_area(key=review_page.QUESTION_KEY).input(question)
    click(at, "Send the question")
    assert not at.exception
    waiting = store.get(three["nurse"])
    assert (waiting.state, waiting.question) == ("needs_information", question)
    assert waiting.conversation["messages"][-1] == {"role": "assistant", "content": question}
    assert f"Question to the customer: {question}" in texts(at, "markdown")


def test_a_decision_made_meanwhile_by_someone_else_is_shown_not_overwritten(
        staff_app: Callable[..., AppTest], store: Store, engine: Engine, three: dict[str, str]) -> None:
    at = review_of(staff_app, three["chef"])
    store.add_user("bob", PASSWORD, "analyst")
    review.decide(store, three["chef"], "bob", "reject", reason="Not a job description.")
    click(at, approve_label(store, three["chef"]))
    assert not at.exception
    assert "rejected by bob" in texts(at, "markdown")
    assert "Reason: Not a job description." in texts(at, "markdown")
    assert not [b for b in at.button if b.label.startswith("Approve")]
    decided = store.get(three["chef"])
    assert (decided.state, decided.decided_by) == ("rejected", "bob")


def test_a_refused_decision_is_shown_as_its_message(staff_app: Callable[..., AppTest], store: Store,
                                                    three: dict[str, str]) -> None:
    at = review_of(staff_app, three["chef"])
    store.add_user("ann2", PASSWORD, "evaluator")
    at.session_state[auth.USER_KEY] = auth.SignedIn(name="ann2", role="analyst")  # a role the store disagrees with
    click(at, approve_label(store, three["chef"]))
    assert not at.exception
    assert "'ann2' is not an analyst account" in texts(at, "error")
    assert store.get(three["chef"]).state == "drafted"


def test_comments_are_added_and_listed(staff_app: Callable[..., AppTest], store: Store,
                                       three: dict[str, str]) -> None:
    at = review_of(staff_app, three["nurse"])
    click(at, "Add comment")
    assert "Write the comment first." in texts(at, "warning")
    at.text_area(key=review_page.COMMENT_KEY).input("Check the **licence** <b>first</b>")
    click(at, "Add comment")
    assert not at.exception
    assert [(c.author, c.text) for c in store.comments(three["nurse"])] == [
        ("ann", "Check the **licence** <b>first</b>")]
    shown = [m.value for m in at.markdown if "first" in m.value]
    assert len(shown) == 1 and "**licence**" not in shown[0] and "<b>" not in shown[0]  # shown as typed, not as markup
    assert "Check the **licence** <b>first</b>" in plain(shown[0])


def test_an_unknown_reference_is_an_error_and_none_asks_for_one(staff_app: Callable[..., AppTest],
                                                                store: Store) -> None:
    at = open_as(staff_app, REVIEW)
    assert [i.value for i in at.info] == [review_page.NO_SUBMISSION]
    at.text_input(key=review_page.PICK_KEY).input("oca-zzzz-zzzz").run()
    assert not at.exception
    assert "no submission OCA-ZZZZ-ZZZZ" in texts(at, "error")


def test_customer_text_is_not_rendered_as_markup(staff_app: Callable[..., AppTest], store: Store,
                                                 engine: Engine) -> None:
    reference = submitted(store, engine, "Nurse <img src=x onerror=alert(1)>",
                          ["Gives [medicines](javascript:alert(1)) to **patients** on a ward."])
    at = review_of(staff_app, reference)
    for element in (*at.markdown, *at.caption, *at.header, *at.subheader):
        assert not re.search(r"(?<!\\)<img|(?<!\\)\]\(javascript", element.value), element.value
        assert not getattr(element.proto, "allow_html", False)
    assert "Gives [medicines](javascript:alert(1)) to **patients** on a ward." in texts(at, "markdown")


# ----- agreement check ----------------------------------------------------------------------------------------

def test_agreement_check_with_nothing_decided(staff_app: Callable[..., AppTest], store: Store,
                                              three: dict[str, str]) -> None:
    at = open_as(staff_app, AGREEMENT)
    assert [i.value for i in at.info] == [agreement_page.NOTHING_TO_CODE, agreement_page.NO_DECISIONS]
    assert not at.dataframe


def test_an_analyst_codes_decided_submissions_blind_and_reads_the_agreement(
        staff_app: Callable[..., AppTest], store: Store, engine: Engine, three: dict[str, str]) -> None:
    store.add_user("bob", PASSWORD, "analyst")
    review.decide(store, three["chef"], "bob", "approve", engine=engine)
    review.decide(store, three["till"], "bob", "change", engine=engine, code=CASHIER, reason_category="duties")
    at = open_as(staff_app, AGREEMENT)
    assert [t.label for t in at.tabs] == ["Code blind", "Agreement report"]
    assert "2 submission(s) left in your sample" in texts(at, "caption")
    shown = texts(at)
    assert "Draft" not in shown and "bob" not in shown  # blind: neither the draft nor the decision
    for element in (*at.markdown, *at.caption, *at.subheader):
        assert CHEF not in element.value and CASHIER not in element.value
    codes = {three["chef"]: ("chef", CHEF), three["till"]: ("cashier", CASHIER)}
    for left in (2, 1):
        reference = next(ref for ref in codes if ref in texts(at, "subheader"))
        words, code = codes.pop(reference)
        at.text_input(key=agreement_page.SEARCH_KEY).input(words).run()
        at.selectbox(key=agreement_page.CODE_KEY).select(code)
        click(at, "Record my code")
        assert not at.exception, at.exception
        assert f"Recorded {code} for {reference}." in texts(at, "success")
    assert agreement_page.NOTHING_TO_CODE in [i.value for i in at.info]
    assert {c.reference: c.blind for c in store.decided_cases()} == {
        three["chef"]: {"ann": CHEF}, three["till"]: {"ann": CASHIER}}

    report = at.dataframe[0].value.set_index("coders")
    assert list(report.index) == ["between analysts", "analysts and drafts", "ann and bob"]
    assert report.loc["between analysts", "pairs"] == 2
    assert report.loc["between analysts", "agree O*NET-SOC"] == 100.0
    assert report.loc["between analysts", "kappa O*NET-SOC"] == 1.0
    # the drafts said chef and truck driver; both analysts said chef and cashier
    assert report.loc["analysts and drafts", "pairs"] == 4
    assert report.loc["analysts and drafts", "agree O*NET-SOC"] == 50.0
    assert "2 decided submission(s), 2 blind code(s)" in texts(at, "caption")


def test_the_agreement_page_shows_a_database_error(staff_app: Callable[..., AppTest], store: Store,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_as(staff_app, AGREEMENT)

    def failing(*args: object, **kwargs: object) -> None:
        raise StoreError("the database is locked; try again")

    monkeypatch.setattr(Store, "blind_sample", failing)
    monkeypatch.setattr(Store, "decided_cases", failing)
    at.run()
    assert not at.exception
    assert [plain(e.value) for e in at.error] == ["the database is locked; try again"] * 2


def test_the_review_screen_without_an_engine_still_shows_the_submission(
        staff_app: Callable[..., AppTest], store: Store, three: dict[str, str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    at = review_of(staff_app, three["nurse"])

    def broken() -> None:
        raise ReleaseError("O*NET release not found at /nowhere: set OCA_ONET_DIR to the unzipped db_29_3_text folder.")

    monkeypatch.setattr(state, "get_engine", broken)
    at.run()
    assert not at.exception
    assert "set OCA_ONET_DIR" in texts(at, "error")
    assert "Cares for patients on a hospital ward and gives them their medicines." in texts(at, "markdown")
    click(at, approve_label(store, three["nurse"]))
    assert "the engine must be open" in texts(at, "error")  # it checks the code and learns the title
    assert store.get(three["nurse"]).state == "drafted"


def test_an_admin_reaches_every_staff_page(staff_app: Callable[..., AppTest], store: Store) -> None:
    at = signed_in(staff_app(), "root", "admin").run()
    for page, title in ((QUEUE, "Review queue"), (REVIEW, "Review a submission"), (AGREEMENT, "Agreement check"),
                        (EVALUATION, "Evaluation"), ("views/batch.py", None)):
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        if title:
            assert at.title[0].value == title


def test_importing_a_staff_page_draws_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    import ui.views.signin

    def nothing() -> None:
        raise AssertionError("a page opened the engine or the database on import")

    monkeypatch.setattr(state, "get_engine", nothing)
    monkeypatch.setattr(state, "get_store", nothing)
    for module in (queue_page, review_page, agreement_page, ui.views.signin):
        importlib.reload(module)
