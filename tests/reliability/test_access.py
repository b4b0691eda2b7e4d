"""Issue 8.5: who may open what. Every page for each role (signed out, analyst, evaluator, admin), the
analyst's command-line actions, the Part B exports with and without contact details, a customer changing
the reference in a private link, the sign-in rate limit, and secrets only from the environment or a file."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from assistant import cli, review
from assistant.accounts import SIGN_IN_LIMIT, SignInRefused
from assistant.parta import Contact, Duty, Industry, PartA
from assistant.partb import PartBDraft, to_html, to_json, to_markdown
from assistant.settings import load_settings
from assistant.store import NotFound, Store
from retrieval.engine import Engine
from tests.ui.engines import small_engine  # noqa: F401 - a fixture
from ui import auth
from ui.views import my_submission

ROOT = Path(__file__).resolve().parents[2]
CUSTOMER_PAGES = ["chat.py", "find.py", "my_submission.py", "code_job.py", "occupation.py", "signin.py"]
REVIEW_PAGES = ["review_queue.py", "review.py", "agreement.py"]
ALL_PAGES = CUSTOMER_PAGES + REVIEW_PAGES + ["evaluation.py", "batch.py"]
ALLOWED: dict[str | None, set[str]] = {
    None: set(CUSTOMER_PAGES),
    "analyst": set(CUSTOMER_PAGES) | set(REVIEW_PAGES) | {"batch.py"},
    "evaluator": set(CUSTOMER_PAGES) | {"evaluation.py", "batch.py"},
    "admin": set(ALL_PAGES),
}
PASSWORD = "correct horse battery"
CONTACT = Contact(name="Kim Osei", email="kim.osei@example.org", phone="202 555 0199")


@pytest.fixture
def store(app: Callable[..., AppTest]) -> Store:
    app()  # points OCA_HOME at the test's own folder
    opened = Store.open(load_settings().db_url)
    yield opened
    opened.close()


def customer_submission(store: Store, engine: Engine, title: str = "Registered nurse",
                        contact: Contact = CONTACT) -> tuple[str, str]:
    created = store.create_submission()
    part_a = PartA(job_title=title, duties=[Duty(text="Gives medicines to patients on a hospital ward")],
                   industries=[Industry(name="Hospital")], contact=contact)
    store.save_conversation(created.reference, {"messages": []}, part_a.model_dump(mode="json"))
    review.submit(store, created.reference, engine)
    return created.reference, created.access_token or ""


@pytest.mark.parametrize("role", [None, "analyst", "evaluator", "admin"])
def test_each_page_opens_only_for_the_roles_it_is_for(app: Callable[..., AppTest], small_engine: Engine,
                                                      role: str | None) -> None:
    at = app(small_engine)
    if role:
        at.session_state[auth.USER_KEY] = auth.SignedIn(name=f"{role}1", role=role)
    at.run()
    assert not at.exception
    for page in ALL_PAGES:
        if page in ALLOWED[role]:
            at.switch_page(f"views/{page}").run()
            assert not at.exception, (page, at.exception)
        else:
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(f"views/{page}")


@pytest.mark.parametrize("page", [*REVIEW_PAGES, "evaluation.py", "batch.py"])
def test_a_staff_page_run_on_its_own_refuses_a_customer(app: Callable[..., AppTest], small_engine: Engine,
                                                        store: Store, page: str) -> None:
    """The menu is not the only lock: run directly, a staff page says it needs a sign-in and shows no submission."""
    reference, _ = customer_submission(store, small_engine)
    at = AppTest.from_file(str(ROOT / "ui" / "views" / page), default_timeout=30).run()
    assert not at.exception
    shown = "\n".join(str(e.value) for kind in ("markdown", "caption", "dataframe", "table") for e in getattr(at, kind))
    assert auth.NEEDS_SIGN_IN in [e.value for e in at.error]
    assert reference not in shown and "nurse" not in shown.lower() and CONTACT.email not in shown


def test_a_customer_cannot_open_another_submission_by_changing_the_reference(
        app: Callable[..., AppTest], small_engine: Engine, store: Store) -> None:
    mine, my_token = customer_submission(store, small_engine, "Registered nurse")
    theirs, _ = customer_submission(store, small_engine, "Cashier", Contact(email="lee.park@example.net"))
    with pytest.raises(NotFound) as refused:
        store.get_for_customer(theirs, my_token)
    with pytest.raises(NotFound) as unknown:
        store.get_for_customer("OCA-ZZZZ-ZZZZ", my_token)
    assert str(refused.value).replace(theirs, "X") == str(unknown.value).replace("OCA-ZZZZ-ZZZZ", "X")  # no probing
    with pytest.raises(NotFound):
        store.get_for_customer(theirs, CONTACT.email)  # the e-mail of one's own request opens no other
    assert store.get_for_customer(mine, my_token).reference == mine

    at = app(small_engine)
    at.query_params["ref"], at.query_params["token"] = theirs, my_token
    at.run().switch_page("views/my_submission.py").run()
    assert not at.exception
    shown = "\n".join(str(e.value) for kind in ("markdown", "caption", "success", "info", "code") for e in getattr(at, kind))
    assert "Cashier" not in shown and "lee.park" not in shown
    assert at.error, "the tampered link is refused with a message"


@pytest.mark.parametrize("account", [None, "evaluator", "admin", "analyst"])
def test_analyst_commands_need_an_analyst_account(small_engine: Engine, store: Store, account: str | None,
                                                  monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    reference, _ = customer_submission(store, small_engine)
    name = "nobody"
    if account:
        name = f"{account}1"
        store.add_user(name, PASSWORD, account)
    allowed = account in ("analyst", "admin")
    monkeypatch.setenv("OCA_PASSWORD", "not the password")
    code = cli.main(["decide", reference, "ask", "--analyst", name, "--question", "Which ward?"])
    assert code == 2 and capsys.readouterr().err.startswith("error: "), "a wrong password is refused"
    monkeypatch.setenv("OCA_PASSWORD", PASSWORD)
    code = cli.main(["decide", reference, "ask", "--analyst", name, "--question", "Which ward?"])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert (code == 0) == allowed, (out, err)
    if not allowed:
        assert err.startswith("error: ") and store.get(reference).state == "drafted"
    for command in (["comment", reference, "a note"], ["agreement", "code", reference, "29-1141.00"]):
        monkeypatch.setenv("OCA_PASSWORD", "not the password")
        assert cli.main([*command, "--analyst", name]) == 2, command
        monkeypatch.setenv("OCA_PASSWORD", PASSWORD)
        if not allowed:
            assert cli.main([*command, "--analyst", name]) == 2, command
    assert not store.comments(reference) or allowed


def test_exports_carry_contact_details_only_when_asked(small_engine: Engine, store: Store) -> None:
    reference, _ = customer_submission(store, small_engine)
    submission = store.get(reference)
    draft, part_a = PartBDraft.model_validate(submission.draft), PartA.model_validate(submission.part_a)
    for export in (to_markdown, to_html, lambda d, p, **kw: to_json(d, p, **kw)):
        without = export(draft, part_a)
        assert not [v for v in (CONTACT.name, CONTACT.email, "555 0199") if v in without]
        assert CONTACT.email in export(draft, part_a, include_contact=True)


def test_failed_sign_ins_are_limited_even_with_the_right_password_after(store: Store) -> None:
    store.add_user("ann", PASSWORD, "analyst")
    for _ in range(SIGN_IN_LIMIT):
        assert store.authenticate("ann", "wrong password") is None
    with pytest.raises(SignInRefused, match="too many failed sign-ins"):
        store.authenticate("ann", PASSWORD)
    assert store.authenticate("nobody-else", "x") is None  # the limit is per name


def test_the_api_key_comes_from_the_environment_or_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no .env of the checkout
    monkeypatch.delenv("OCA_LLM_API_KEY", raising=False)
    monkeypatch.delenv("OCA_LLM_API_KEY_FILE", raising=False)
    assert load_settings().llm_api_key is None
    monkeypatch.setenv("OCA_LLM_API_KEY", "from-the-environment")
    assert load_settings().llm_api_key.get_secret_value() == "from-the-environment"
    assert "from-the-environment" not in repr(load_settings())
    monkeypatch.delenv("OCA_LLM_API_KEY")
    secret = tmp_path / "key"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("OCA_LLM_API_KEY_FILE", str(secret))
    assert load_settings().llm_api_key.get_secret_value() == "from-a-file"
    monkeypatch.setenv("OCA_LLM_API_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(ValueError, match="cannot be read"):
        load_settings()


SECRET_PATTERNS = re.compile(
    r"sk-[A-Za-z0-9_-]{20,}|AKIA[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----|"
    r"(?i:(?:api_key|password|secret)\s*=\s*[\"'][A-Za-z0-9_\-/+]{16,}[\"'])")


def test_the_repository_holds_no_secret() -> None:
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    assert ".env" not in files
    found = []
    for name in files:
        path = ROOT / name
        if path.suffix in {".onnx", ".png", ".parquet", ".bin", ".sqlite3"} or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        found += [f"{name}: {m.group(0)[:12]}..." for m in SECRET_PATTERNS.finditer(text)]
    assert not found
    assert ".env" in (ROOT / ".gitignore").read_text().split()
