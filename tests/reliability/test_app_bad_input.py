"""Issue 8.3, the app: the bad-input corpus typed into the chat, Find an occupation and the Part A editor,
and stored in a submission an analyst opens on the review screen. No page shows an exception, and nothing a
user typed reaches the page as HTML, a link or an image: the markdown each element is given has every
such construct escaped, and no element of user text allows HTML."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from assistant import review
from assistant.parta import Duty, PartA
from assistant.settings import load_settings
from assistant.store import Store
from retrieval.engine import Engine
from tests.reliability.corpus import BAD_TEXTS
from tests.ui.engines import small_engine  # noqa: F401 - a fixture
from ui import auth, parta_form
from ui.reviewing import REFERENCE_KEY
from ui.views import chat

# Markup that would become active if it reached Streamlit's markdown unescaped.
ACTIVE = re.compile(r"(?<!\\)!\[|(?<!\\)\]\(|(?<!\\)<\s*(?:script|img|iframe|b|i)\b|(?<!\\)<https?:", re.IGNORECASE)
KINDS = ("markdown", "caption", "info", "warning", "error", "success", "title", "header", "subheader")


def _sendable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# A browser sends UTF-8: a lone surrogate cannot reach a page (the engine test covers it).
APP_TEXTS = [(name, text) for name, text in BAD_TEXTS if _sendable(text)]
GROUPS = [APP_TEXTS[i:i + 10] for i in range(0, len(APP_TEXTS), 10)]


def assert_safe(at: AppTest, where: str) -> None:
    assert not at.exception, (where, at.exception)
    for kind in KINDS:
        for element in getattr(at, kind):
            value = str(element.value)
            assert not ACTIVE.search(value), (where, kind, value[:200])
            assert not getattr(element.proto, "allow_html", False), (where, kind, value[:200])
    for expander in at.expander:
        assert not ACTIVE.search(expander.label), (where, expander.label[:200])


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'oca.sqlite3'}"
    monkeypatch.setenv("OCA_DATABASE_URL", url)
    return url


@pytest.mark.parametrize("group", GROUPS, ids=[f"texts {i * 10 + 1}-{i * 10 + len(g)}" for i, g in enumerate(GROUPS)])
def test_the_chat_answers_every_input_without_markup(app: Callable[..., AppTest], small_engine: Engine, db_url: str,
                                                     group: list[tuple[str, str]]) -> None:
    at = app(small_engine).run()
    for name, text in group:
        at.chat_input(key=chat.INPUT_KEY).set_value(text).run()
        assert_safe(at, f"chat: {name}")


@pytest.mark.parametrize("group", GROUPS, ids=[f"texts {i * 10 + 1}-{i * 10 + len(g)}" for i, g in enumerate(GROUPS)])
def test_find_an_occupation_answers_every_input_without_markup(app: Callable[..., AppTest], small_engine: Engine,
                                                               group: list[tuple[str, str]]) -> None:
    at = app(small_engine).run()
    at.switch_page("views/find.py").run()
    for name, text in group:
        at.text_input(key="q").input(text).run()
        assert_safe(at, f"find: {name}")


@pytest.mark.parametrize("group", GROUPS, ids=[f"texts {i * 10 + 1}-{i * 10 + len(g)}" for i, g in enumerate(GROUPS)])
def test_the_part_a_editor_takes_or_refuses_every_input_with_a_message(
        app: Callable[..., AppTest], small_engine: Engine, db_url: str, group: list[tuple[str, str]]) -> None:
    at = app(small_engine).run()
    for name, text in group:
        v = at.session_state[parta_form.VERSION_KEY] if parta_form.VERSION_KEY in at.session_state else 0
        at.text_input(key=parta_form.key(v, "job_title")).input(text[:200])
        at.text_area(key=parta_form.key(v, "duties")).input(text)
        at.button[[b.label for b in at.button].index("Save my answers")].click().run()
        assert_safe(at, f"Part A editor: {name}")
        assert at.success or at.error, f"Part A editor: {name}: neither saved nor refused with a message"


def test_the_review_screen_shows_every_input_as_text(app: Callable[..., AppTest], small_engine: Engine,
                                                     db_url: str) -> None:
    at = app(small_engine)
    store = Store.open(load_settings().db_url)
    references = []
    for name, text in APP_TEXTS:
        created = store.create_submission()
        part_a = PartA(job_title=("Cook " + text)[:200], duties=[Duty(text=("Cooks. " + text)[:2000])])
        store.save_conversation(created.reference, {"messages": [{"role": "user", "content": text}]},
                                part_a.model_dump(mode="json"))
        review.submit(store, created.reference, small_engine)
        references.append((name, created.reference))
    store.close()
    at.session_state[auth.USER_KEY] = auth.SignedIn(name="ann", role="analyst")
    at.run()
    at.switch_page("views/review_queue.py").run()
    assert_safe(at, "review queue")
    for name, reference in references:
        at.session_state[REFERENCE_KEY] = reference
        at.switch_page("views/review.py").run()
        assert_safe(at, f"review screen: {name}")
