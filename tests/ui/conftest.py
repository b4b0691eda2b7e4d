"""Fixtures for AppTest runs of ui/app.py: the fake engine behind `ui.state.get_engine`, a fresh OCA_HOME."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from retrieval.onet import KnowledgeBase
from tests.ui.fakes import APP, FakeEngine
from ui import state


@pytest.fixture
def fake_engine(fixture_kb: KnowledgeBase) -> FakeEngine:
    return FakeEngine(fixture_kb)


@pytest.fixture
def shared_eval_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "shared_eval"
    folder.mkdir()
    return folder


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fake_engine: FakeEngine,
        shared_eval_dir: Path) -> Callable[..., AppTest]:
    """A factory of AppTests of ui/app.py that use the fake engine, a fresh OCA_HOME and no shared case files."""
    home = tmp_path / "home"
    monkeypatch.setenv("OCA_HOME", str(home))
    monkeypatch.setattr(state, "SHARED_EVAL_DIR", shared_eval_dir)

    def make(engine: object = fake_engine, *, build: Callable[[], object] | None = None) -> AppTest:
        """`build` stands in for the engine factory itself (to make opening fail); else it returns `engine`."""
        monkeypatch.setattr(state, "get_engine", build or (lambda: engine))
        return AppTest.from_file(APP, default_timeout=30)

    return make
