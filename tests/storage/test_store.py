"""The store on a real database: references and private links, saving turns, the queue, comments, the
append-only audit log, lay titles, staff accounts and their sign-in limit, migrations."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from assistant import accounts, database
from assistant.db import AuditRow, Base, SubmissionRow
from assistant.lifecycle import TransitionError
from assistant.store import HEAD_REVISION, Coding, NotFound, SignInRefused, Store, StoreError
from tests.storage.conftest import PASSWORD, part_a


def submitted(store: Store, title: str, confidence: float, margin: float, code: str = "29-1141.00") -> str:
    ref = store.create_submission().reference
    store.save_conversation(ref, {"messages": []}, part_a(title))
    store.transition(ref, "submitted", "customer", coding=Coding(code=code, confidence=confidence, margin=margin,
                                                                 engine_version="e", onet_release="r"))
    return ref


# ----- submissions and the customer's private link ----------------------------------------------------------
def test_a_new_submission_has_a_readable_reference_and_a_private_token(store: Store) -> None:
    first, second = store.create_submission(), store.create_submission()
    assert re.fullmatch(r"OCA-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}", first.reference)
    assert first.reference != second.reference
    assert first.access_token and len(first.access_token) >= 32 and first.access_token != second.access_token
    assert first.state == "in_progress"
    assert store.get(first.reference).access_token is None  # shown once, never read back


def test_the_token_itself_is_never_stored(store: Store) -> None:
    sub = store.create_submission()
    with Session(store.engine) as s:
        row = s.scalar(select(SubmissionRow).where(SubmissionRow.reference == sub.reference))
        assert sub.access_token not in repr([getattr(row, c.key) for c in SubmissionRow.__table__.columns])


def test_the_customer_opens_a_submission_with_the_token_or_the_email_given(store: Store) -> None:
    sub = store.create_submission()
    store.save_conversation(sub.reference, None, part_a(contact={"email": "Pat@Example.org"}))
    assert store.get_for_customer(sub.reference, sub.access_token).reference == sub.reference
    assert store.get_for_customer(sub.reference.lower(), "pat@example.ORG").reference == sub.reference


def test_a_wrong_token_and_an_unknown_reference_get_the_same_answer(store: Store) -> None:
    sub = store.create_submission()
    other = store.create_submission()
    with pytest.raises(NotFound) as wrong:
        store.get_for_customer(sub.reference, other.access_token)
    with pytest.raises(NotFound) as unknown:
        store.get_for_customer("OCA-2222-2222", other.access_token)
    assert str(wrong.value).replace(sub.reference, "X") == str(unknown.value).replace("OCA-2222-2222", "X")
    with pytest.raises(NotFound):
        store.get_for_customer(sub.reference, "")


def test_an_unknown_reference_is_named_in_the_error(store: Store) -> None:
    with pytest.raises(NotFound, match="OCA-ZZZZ-ZZZZ"):
        store.get("oca-zzzz-zzzz")


def test_each_turn_is_saved_and_read_back_by_another_process(db_url: str, store: Store) -> None:
    ref = store.create_submission().reference
    conversation = {"messages": [{"role": "user", "content": "I look after a hospital ward"}]}
    store.save_conversation(ref, conversation, part_a("ward sister"))
    reopened = Store.open(db_url)
    try:
        got = reopened.get(ref)
    finally:
        reopened.close()
    assert got.conversation == conversation
    assert got.part_a["job_title"] == "ward sister" and got.job_title == "ward sister"
    store.save_conversation(ref, None, part_a("charge nurse"))  # Part A alone: the conversation stays
    assert store.get(ref).conversation == conversation and store.get(ref).job_title == "charge nurse"


def test_a_bad_part_a_is_refused_with_a_message_and_loses_nothing(store: Store) -> None:
    ref = store.create_submission().reference
    store.save_conversation(ref, {"messages": [1]}, part_a("ward sister"))
    with pytest.raises(StoreError, match="e-mail"):
        store.save_conversation(ref, {"messages": [2]}, part_a("nurse", contact={"email": "not an address"}))
    with pytest.raises(StoreError, match="not JSON"):
        store.save_conversation(ref, "{oops", None)
    kept = store.get(ref)
    assert kept.conversation == {"messages": [1]} and kept.job_title == "ward sister"


def test_the_customer_cannot_change_a_submission_under_review(store: Store) -> None:
    ref = submitted(store, "nurse", 0.5, 0.2)
    with pytest.raises(TransitionError, match="can no longer change"):
        store.save_conversation(ref, {"messages": []}, part_a("something else"))
    assert store.get(ref).job_title == "nurse"


def test_an_analysts_question_reaches_the_customers_chat(store: Store) -> None:
    ref = submitted(store, "nurse", 0.5, 0.2)
    store.transition(ref, "needs_information", "ann", question="Do you supervise other nurses?")
    sub = store.get(ref)
    assert sub.question == "Do you supervise other nurses?"
    assert sub.conversation["messages"][-1] == {"role": "assistant", "content": "Do you supervise other nurses?"}
    store.save_conversation(ref, {"messages": sub.conversation["messages"] + [
        {"role": "user", "content": "Yes, six"}]}, part_a("nurse"))
    again = store.transition(ref, "submitted", "customer")
    assert again.question is None and again.state == "submitted"


# ----- the queue ---------------------------------------------------------------------------------------------
def test_the_queue_puts_the_least_certain_first_then_the_oldest(store: Store) -> None:
    sure = submitted(store, "registered nurse", 0.9, 0.7)
    old_close_call = submitted(store, "nurse", 0.4, 0.05)
    unsure = submitted(store, "ward helper", 0.2, 0.02)
    new_close_call = submitted(store, "nurse", 0.4, 0.05)
    in_progress = store.create_submission().reference
    order = [s.reference for s in store.queue()]
    assert order == [unsure, old_close_call, new_close_call, sure]
    assert in_progress not in order


def test_the_queue_filters_by_state_and_major_group(store: Store, analysts: tuple[str, str]) -> None:
    nurse = submitted(store, "nurse", 0.5, 0.1, code="29-1141.00")
    cook = submitted(store, "cook", 0.5, 0.1, code="35-2014.00")
    store.transition(cook, "approved", "ann")
    assert [s.reference for s in store.queue()] == [nurse]
    assert [s.reference for s in store.queue(states=["approved"])] == [cook]
    assert [s.reference for s in store.queue(states=["approved", "submitted"], major_group="35-0000")] == [cook]
    assert store.queue(major_group="35") == []
    with pytest.raises(StoreError, match="major group"):
        store.queue(major_group="cooks")


# ----- the audit log is append-only ------------------------------------------------------------------------
def test_the_audit_log_cannot_be_changed_through_the_orm(store: Store) -> None:
    ref = submitted(store, "nurse", 0.5, 0.1)
    with Session(store.engine) as s:
        entry = s.scalar(select(AuditRow).order_by(AuditRow.id.desc()))
        entry.actor = "someone else"
        with pytest.raises(DBAPIError, match="append-only"):
            s.commit()
    assert [e.actor for e in store.audit(ref)] == ["customer", "customer"]


@pytest.mark.parametrize("statement", [update(AuditRow).values(reason="edited"), delete(AuditRow)])
def test_the_audit_log_cannot_be_edited_or_deleted_in_sql(store: Store, statement) -> None:
    ref = submitted(store, "nurse", 0.5, 0.1)
    before = store.audit(ref)
    with pytest.raises(DBAPIError, match="append-only"):
        with store.engine.begin() as conn:
            conn.execute(statement)
    assert store.audit(ref) == before


def test_the_store_offers_no_way_to_change_the_audit_log() -> None:
    assert not [name for name in dir(Store) if re.search(r"(delete|remove|edit|update).*audit|audit.*(delete|edit)",
                                                          name)]


# ----- comments and lay titles -------------------------------------------------------------------------------
def test_comments_are_kept_in_order_with_their_author(store: Store) -> None:
    ref = submitted(store, "nurse", 0.5, 0.1)
    store.add_comment(ref, "ann", "Looks like a charge nurse.")
    store.add_comment(ref, "bob", "Agreed.")
    assert [(c.author, c.text) for c in store.comments(ref)] == [("ann", "Looks like a charge nurse."),
                                                                 ("bob", "Agreed.")]
    with pytest.raises(StoreError):
        store.add_comment(ref, "ann", "   ")


def test_a_lay_title_is_kept_once_per_code(store: Store) -> None:
    first = store.add_lay_title("Ward  Boss", "29-1141", source="OCA-2222-2222", added_by="ann")
    assert first is not None and first.code == "29-1141.00" and first.title == "Ward Boss"
    assert store.add_lay_title("ward boss", "29-1141.00", source="OCA-3333-3333", added_by="bob") is None
    assert store.add_lay_title("ward boss", "11-9111.00", source="OCA-3333-3333", added_by="bob") is not None
    assert [(t.title, t.code) for t in store.lay_titles()] == [("Ward Boss", "29-1141.00"),
                                                               ("ward boss", "11-9111.00")]


# ----- staff accounts ----------------------------------------------------------------------------------------
def test_passwords_are_stored_as_argon2_hashes(store: Store) -> None:
    store.add_user("ann", PASSWORD, "analyst")
    with store.engine.connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM users WHERE name = 'ann'")).scalar()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    user = store.authenticate("ann", PASSWORD)
    assert user is not None and (user.name, user.role) == ("ann", "analyst")
    assert store.authenticate("ann", "wrong password") is None
    assert store.authenticate("nobody", PASSWORD) is None


@pytest.mark.parametrize(("name", "password", "role", "message"), [
    ("ann", "short", "analyst", "at least 8"),
    ("ann smith", PASSWORD, "analyst", "without spaces"),
    ("ann", PASSWORD, "customer", "unknown role"),
])
def test_a_bad_account_is_refused_with_a_message(store: Store, name: str, password: str, role: str,
                                                 message: str) -> None:
    with pytest.raises(StoreError, match=message):
        store.add_user(name, password, role)
    assert store.users() == []


def test_a_name_is_taken_once(store: Store) -> None:
    store.add_user("ann", PASSWORD, "analyst")
    with pytest.raises(StoreError, match="already a user named ann"):
        store.add_user("ann", PASSWORD, "admin")
    assert [(u.name, u.role) for u in store.users()] == [("ann", "analyst")]


def test_five_failed_sign_ins_lock_the_name_for_fifteen_minutes(store: Store, monkeypatch) -> None:
    store.add_user("ann", PASSWORD, "analyst")
    store.add_user("bob", PASSWORD, "analyst")
    start = dt.datetime(2026, 1, 5, 9, 0)
    monkeypatch.setattr(accounts, "utcnow", lambda: start)
    for _ in range(5):
        assert store.authenticate("ann", "guess") is None
    with pytest.raises(SignInRefused, match="too many failed sign-ins for ann: try again in 15 minutes"):
        store.authenticate("ann", PASSWORD)  # refused even with the right password
    assert store.authenticate("bob", PASSWORD) is not None  # other names are not affected
    monkeypatch.setattr(accounts, "utcnow", lambda: start + dt.timedelta(minutes=14))
    with pytest.raises(SignInRefused, match="try again in 1 minute"):
        store.authenticate("ann", PASSWORD)
    monkeypatch.setattr(accounts, "utcnow", lambda: start + dt.timedelta(minutes=15, seconds=1))
    assert store.authenticate("ann", PASSWORD) is not None


def test_a_successful_sign_in_clears_earlier_failures(store: Store) -> None:
    store.add_user("ann", PASSWORD, "analyst")
    for _ in range(4):
        store.authenticate("ann", "guess")
    assert store.authenticate("ann", PASSWORD) is not None
    for _ in range(4):
        store.authenticate("ann", "guess")
    assert store.authenticate("ann", PASSWORD) is not None


# ----- the database itself -----------------------------------------------------------------------------------
def test_opening_migrates_to_the_newest_revision_and_the_models_match_it(store: Store) -> None:
    script = ScriptDirectory(str(database.MIGRATIONS))
    assert script.get_current_head() == HEAD_REVISION
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn)
        assert context.get_current_revision() == HEAD_REVISION
        assert compare_metadata(context, Base.metadata) == []


def test_opening_twice_keeps_the_data(db_url: str, store: Store) -> None:
    ref = store.create_submission().reference
    again = Store.open(db_url)
    try:
        assert again.get(ref).reference == ref
    finally:
        again.close()


def test_sqlite_runs_in_wal_mode(tmp_path) -> None:
    opened = Store.open(f"sqlite:///{tmp_path / 'deep' / 'er' / 'oca.sqlite3'}")
    try:
        with opened.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        opened.close()


def test_a_database_that_cannot_be_reached_is_a_clear_error() -> None:
    with pytest.raises(StoreError, match="cannot open the database postgresql\\+psycopg://oca:\\*\\*\\*@127.0.0.1:1/x"):
        Store.open("postgresql://oca:secret@127.0.0.1:1/x")


def test_two_processes_writing_at_once_lose_nothing(db_url: str, store: Store) -> None:
    from concurrent.futures import ThreadPoolExecutor

    ref = submitted(store, "nurse", 0.5, 0.1)
    others = [Store.open(db_url) for _ in range(2)]

    def write(args: tuple[int, Store]) -> None:
        n, opened = args
        for i in range(15):
            opened.add_comment(ref, f"analyst{n}", f"note {i}")
            opened.create_submission()

    try:
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(write, enumerate(others)))
    finally:
        for opened in others:
            opened.close()
    assert len(store.comments(ref)) == 30
    assert len(store.queue(states=["in_progress"])) == 30


def test_the_migration_goes_down_to_nothing_and_up_again(db_url: str) -> None:
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import inspect

    Store.open(db_url).close()
    engine = database.build_db_engine(db_url)
    config = Config()
    config.set_main_option("script_location", str(database.MIGRATIONS))
    try:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "base")
        with engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
        assert database.schema_revision(engine) is None
    finally:
        engine.dispose()
    again = Store.open(db_url)
    try:
        assert again.create_submission().state == "in_progress"
    finally:
        again.close()
