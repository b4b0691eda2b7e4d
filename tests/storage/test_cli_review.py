"""The review workflow scripted through `oca`: accounts, queue, show, decide, comment, export, lay titles
and the agreement check, on a real SQLite file and the real engine over the fixture release."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from assistant import cli, review
from assistant.store import Store
from retrieval.engine import Engine
from tests.storage.conftest import PASSWORD, part_a


@pytest.fixture
def oca(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, engine_home: Path, fixture_release: Path,
        fixture_taxonomy: Path, capsys: pytest.CaptureFixture[str]):
    url = f"sqlite:///{tmp_path / 'review.sqlite3'}"
    monkeypatch.setenv("OCA_DATABASE_URL", url)
    monkeypatch.setenv("OCA_PASSWORD", PASSWORD)  # analysts' commands check the account's password

    def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
        if stdin is not None:
            monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = cli.main(["--home", str(engine_home), "--onet-dir", str(fixture_release), "--taxonomy-dir",
                         str(fixture_taxonomy), *args])
        out = capsys.readouterr()
        return code, out.out, out.err

    run.url = url  # type: ignore[attr-defined]
    return run


@pytest.fixture
def drafted(oca, engine: Engine) -> str:
    """A lay-titled submission, submitted and drafted, in the CLI's database."""
    store = Store.open(oca.url)
    try:
        ref = store.create_submission().reference
        store.save_conversation(ref, {"messages": []}, part_a("ward boss"))
        review.submit(store, ref, engine)
    finally:
        store.close()
    return ref


def test_an_account_is_added_with_the_password_from_stdin(oca) -> None:
    code, out, _ = oca("users", "add", "ann", "--role", "analyst", stdin=PASSWORD + "\n")
    assert code == 0 and "Added ann (analyst)" in out
    store = Store.open(oca.url)
    try:
        assert store.authenticate("ann", PASSWORD) is not None
    finally:
        store.close()
    code, _, err = oca("users", "add", "bob", "--role", "analyst", stdin="short\n")
    assert code == 2 and err.startswith("error: ") and "at least 8" in err
    _, out, _ = oca("users", "list")
    assert "ann" in out and "bob" not in out


def test_queue_show_decide_and_search_learns_the_title(oca, drafted: str, tmp_path: Path) -> None:
    oca("users", "add", "ann", "--role", "analyst", stdin=PASSWORD + "\n")
    code, out, _ = oca("queue")
    assert code == 0 and drafted in out and "ward boss" in out
    code, out, _ = oca("queue", "--json")
    assert [row["reference"] for row in json.loads(out)] == [drafted]
    code, out, _ = oca("show", drafted)
    assert code == 0 and "in_progress -> submitted" in out and "submitted -> drafted" in out

    code, out, err = oca("decide", drafted, "change", "--code", "11-9111.00", "--why", "level", "--note",
                         "runs the ward", "--analyst", "ann")
    assert code == 0, err
    assert f"{drafted} is now changed with code 11-9111.00" in out
    assert "ranks 11-9111.00 first for the lay title 'ward boss'" in out

    # a new process (`oca code`) opens the engine with the stored lay titles
    code, out, _ = oca("code", "--title", "Ward Boss", "--json")
    assert json.loads(out)["candidates"][0]["code"] == "11-9111.00"
    code, out, _ = oca("queue")
    assert "Nothing waiting" in out
    code, out, _ = oca("show", drafted, "--json")
    shown = json.loads(out)
    assert shown["submission"]["state"] == "changed" and shown["audit"][-1]["reason"].endswith("runs the ward")
    assert "access_token" not in shown["submission"]

    out_file = tmp_path / "lay" / "Alternate Titles.txt"
    code, out, _ = oca("laytitles", "export", str(out_file))
    assert code == 0 and "1 lay titles written" in out
    lines = out_file.read_text(encoding="utf-8").splitlines()
    assert lines == ["O*NET-SOC Code\tTitle\tAlternate Title\tShort Title\tSource(s)",
                     "11-9111.00\tMedical and Health Services Managers\tward boss\t\tOCA"]


def test_export_writes_part_b_with_the_decision(oca, drafted: str, tmp_path: Path) -> None:
    oca("users", "add", "ann", "--role", "analyst", stdin=PASSWORD + "\n")
    code, out, _ = oca("export", drafted, "--format", "md")
    assert code == 0 and "Part B" in out and "Analyst's decision" not in out
    oca("decide", drafted, "reject", "--reason", "two jobs in one", "--analyst", "ann")
    code, out, _ = oca("export", drafted, "--format", "json")
    data = json.loads(out)
    assert data["decision"]["state"] == "rejected" and data["decision"]["reason"] == "two jobs in one"
    assert data["part_a"] is not None and "contact" not in data["part_a"]
    target = tmp_path / "b.html"
    code, out, _ = oca("export", drafted, "--format", "html", "--out", str(target))
    assert code == 0 and "Rejected by ann" in target.read_text(encoding="utf-8")


def test_mistakes_end_with_one_error_line(oca, drafted: str) -> None:
    code, _, err = oca("decide", drafted, "approve", "--analyst", "nobody")
    assert code == 2 and err.strip().splitlines() == [err.strip()] and "not an analyst account" in err
    code, _, err = oca("show", "OCA-ZZZZ-ZZZZ")
    assert code == 2 and "no submission OCA-ZZZZ-ZZZZ" in err
    oca("users", "add", "ann", "--role", "analyst", stdin=PASSWORD + "\n")
    code, _, err = oca("decide", drafted, "ask", "--analyst", "ann")
    assert code == 2 and "question" in err
    code, out, _ = oca("show", drafted)
    assert "drafted" in out.splitlines()[0]


def test_comments_and_the_agreement_check_from_the_command_line(oca, drafted: str) -> None:
    for name in ("ann", "bob"):
        oca("users", "add", name, "--role", "analyst", stdin=PASSWORD + "\n")
    assert oca("comment", drafted, "Is this a manager?", "--analyst", "bob")[0] == 0
    oca("decide", drafted, "change", "--code", "11-9111.00", "--why", "level", "--analyst", "ann")
    code, out, _ = oca("show", drafted)
    assert "bob: Is this a manager?" in out

    code, out, _ = oca("agreement", "sample", "--analyst", "bob", "--json")
    assert [case["reference"] for case in json.loads(out)] == [drafted]
    assert "code" not in json.loads(out)[0]["part_a"] and "contact" not in json.loads(out)[0]["part_a"]
    assert oca("agreement", "code", drafted, "11-9111.00", "--analyst", "bob")[0] == 0
    code, out, _ = oca("agreement", "report", "--json")
    report = json.loads(out)
    assert report["between_analysts"]["pairs"] == 1 and report["between_analysts"]["percent"]["onetsoc"] == 100.0
    assert report["analysts_vs_drafts"]["pairs"] == 2
    code, out, _ = oca("agreement", "report")
    assert "between analysts" in out and "analysts vs drafts" in out


def test_coding_still_works_when_the_database_is_down(oca, monkeypatch, caplog) -> None:
    monkeypatch.setenv("OCA_DATABASE_URL", "postgresql://oca:secret@127.0.0.1:1/none")
    code, out, _ = oca("code", "--title", "registered nurse", "--json")
    assert code == 0 and json.loads(out)["candidates"][0]["code"] == "29-1141.00"
    assert "lay titles not loaded" in caplog.text
