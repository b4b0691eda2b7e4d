"""Fixtures shared by the evaluation CLI and floor tests: a scripted engine behind the CLI, a small case file."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import service
from assistant.settings import Settings
from tests.eval.fakes import ScriptedEngine, small_answers, small_case_lines, write_cases


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> ScriptedEngine:
    fake = ScriptedEngine(*small_answers())

    def build_engine(settings: Settings, *, progress: bool = True, rebuild: bool = False,
                     lay_titles: bool = True) -> ScriptedEngine:
        return fake

    monkeypatch.setattr(service, "build_engine", build_engine)
    return fake


@pytest.fixture
def cases_file(tmp_path: Path) -> Path:
    return write_cases(tmp_path / "dot.jsonl", small_case_lines())
