"""The bad-input corpus against the engine, the conversation, the store and the command line: each input
gets a sensible answer or one clear message, never a traceback, and nothing typed is lost or stored broken."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant import cli, conversation
from assistant.parta import Contact
from assistant.store import Store, StoreError
from retrieval.engine import Engine
from tests.reliability.corpus import BAD_EMAILS, BAD_PHONES, BAD_TEXTS
from tests.ui.engines import small_engine  # noqa: F401 - a fixture

NAMES = [name for name, _ in BAD_TEXTS]
TEXTS = [text for _, text in BAD_TEXTS]


def test_the_corpus_is_large_enough():
    assert len(BAD_TEXTS) >= 50
    assert len(set(NAMES)) == len(NAMES)


@pytest.mark.parametrize("text", TEXTS, ids=NAMES)
def test_the_engine_answers_every_input(small_engine: Engine, text: str):
    result = small_engine.code(title=text, description=text, industry=text, k=5)
    assert len(result.candidates) <= 5
    for c in result.candidates:
        assert 0.0 <= c.confidence <= 1.0
    small_engine.search(text, k=5)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    opened = Store.open(f"sqlite:///{tmp_path / 'oca.sqlite3'}")
    yield opened
    opened.close()


@pytest.mark.parametrize("text", TEXTS, ids=NAMES)
def test_a_chat_turn_answers_and_saves_every_input(small_engine: Engine, store: Store, text: str):
    ref = store.create_submission().reference
    result = conversation.turn(conversation.start(), text, small_engine)
    assert result.reply.strip(), "the customer always gets a reply"
    store.save_conversation(ref, result.conversation.model_dump(mode="json"),
                            result.conversation.part_a.model_dump(mode="json"))
    saved = store.get(ref)
    assert saved.conversation is not None
    if text.strip():
        said = [m["content"] for m in saved.conversation["messages"] if m["role"] == "user"]
        assert said, "what the customer typed is kept"


@pytest.mark.parametrize("email", BAD_EMAILS)
def test_a_bad_email_is_refused_with_a_message_and_nothing_stored(store: Store, email: str):
    ref = store.create_submission().reference
    with pytest.raises(StoreError, match="e-mail"):
        store.save_conversation(ref, {"messages": []}, {"contact": {"email": email}})
    assert store.get(ref).part_a is None


@pytest.mark.parametrize("phone", BAD_PHONES)
def test_a_bad_phone_is_refused_with_a_message(phone: str):
    with pytest.raises(ValueError, match="not a phone number"):
        Contact(phone=phone)


@pytest.mark.parametrize("text", TEXTS[:25], ids=NAMES[:25])
def test_oca_code_never_shows_a_traceback(small_engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys, text: str):
    monkeypatch.setattr(cli.service, "build_engine", lambda *a, **k: small_engine)
    code = cli.main(["code", "--title", text, "--json"]) if "\x00" not in text else cli.main(["code", "--title", text])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    if code == 0:
        if out.lstrip().startswith("{"):
            json.loads(out)
    else:
        assert code == 2 and err.startswith("error: ")


MALFORMED_CASE_FILES = {
    "empty file": "",
    "not JSON": "this is not json\n",
    "JSON array": '[{"id": 1}]\n',
    "truncated line": '{"id": "a", "title": "nurse", "gold": ["29-1141.00"]\n{"id": "b"',
    "no gold": '{"id": "a", "title": "nurse"}\n',
    "gold not a code": '{"id": "a", "title": "nurse", "gold": ["nurse"]}\n',
    "binary": "\x00\x01\x02\xff",
    "NUL in a line": '{"id": "a", "title": "nu\x00rse", "gold": ["29-1141.00"]}\n',
}


@pytest.mark.parametrize("content", MALFORMED_CASE_FILES.values(), ids=MALFORMED_CASE_FILES.keys())
def test_oca_eval_on_a_malformed_case_file_says_what_is_wrong(tmp_path: Path, small_engine: Engine,
                                                              monkeypatch: pytest.MonkeyPatch, capsys, content: str):
    monkeypatch.setattr(cli.service, "build_engine", lambda *a, **k: small_engine)
    path = tmp_path / "cases.jsonl"
    path.write_text(content, encoding="utf-8", errors="surrogateescape")
    code = cli.main(["eval", str(path)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert code == 2, (out, err)
    assert err.startswith("error: ") and "cases.jsonl" in err


MALFORMED_CSVS = {
    "empty file": "",
    "header only": "title\n",
    "missing title column": "job,industry\nnurse,hospital\n",
    "ragged rows": 'title,industry\nnurse,hospital,extra,more\n"unclosed,quote\n',
    "binary": "\x00\x01\x02\xff\xfe",
    "NUL in a cell": "title\nnu\x00rse\n",
}


@pytest.mark.parametrize("content", MALFORMED_CSVS.values(), ids=MALFORMED_CSVS.keys())
def test_oca_batch_on_a_malformed_csv_answers_clearly(tmp_path: Path, small_engine: Engine,
                                                      monkeypatch: pytest.MonkeyPatch, capsys, content: str):
    monkeypatch.setattr(cli.service, "build_engine", lambda *a, **k: small_engine)
    src = tmp_path / "in.csv"
    src.write_text(content, encoding="utf-8", errors="surrogateescape")
    code = cli.main(["batch", str(src), str(tmp_path / "out.csv"), "--title-col", "title"])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert code in (0, 2), (out, err)
    if code == 2:
        assert err.strip().splitlines()[-1].startswith("error: ")
