"""A real engine over the fixture release for the customer pages' AppTests: built once per test session.

Import the fixture into a test module (`from tests.ui.engines import small_engine  # noqa: F401`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.engine import Engine


@pytest.fixture(scope="session")
def small_engine(fixture_release: Path, fixture_taxonomy: Path, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return Engine.open(fixture_release, fixture_taxonomy, tmp_path_factory.mktemp("small-engine"), progress=False)
