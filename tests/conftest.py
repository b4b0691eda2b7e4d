"""Shared fixtures: the hand-written fixture release, and the real O*NET release when ../shared has it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import assistant.llm
from retrieval.onet import KnowledgeBase, load_release
from tests.servers import chroma_url  # noqa: F401 - fixtures for the whole suite
from tests.llm_server import llm_server, refused_url  # noqa: F401

# No test reaches an LLM over the network; `llm_server` switches this back on for its own loopback server.
assistant.llm.ALLOW_REQUESTS = False

if TYPE_CHECKING:
    from retrieval.engine import Engine

FIXTURES = Path(__file__).parent / "fixtures"
SHARED_ONET = Path(__file__).parents[1].parent / "shared" / "onet"


@pytest.fixture(scope="session")
def fixture_release() -> Path:
    """A small, complete O*NET text release written by hand (12 occupations and one 'All Other')."""
    return FIXTURES / "onet_small"


@pytest.fixture(scope="session")
def fixture_taxonomy() -> Path:
    return FIXTURES / "taxonomy_small"


@pytest.fixture(scope="session")
def fixture_kb(fixture_release: Path, fixture_taxonomy: Path) -> KnowledgeBase:
    """Shared by the whole session: treat it as read-only."""
    return load_release(fixture_release, fixture_taxonomy)


def _shared(*parts: str) -> Path:
    path = SHARED_ONET.joinpath(*parts)
    if not path.is_dir():
        pytest.skip(f"real O*NET data not found at {path}")
    return path


@pytest.fixture(scope="session")
def shared_onet_dir() -> Path:
    return _shared("db_29_3_text")


@pytest.fixture(scope="session")
def shared_taxonomy_dir() -> Path:
    return _shared("taxonomy")


@pytest.fixture(scope="session")
def real_kb(shared_onet_dir: Path, shared_taxonomy_dir: Path) -> KnowledgeBase:
    """The real O*NET 29.3 release, loaded once; read-only."""
    return load_release(shared_onet_dir, shared_taxonomy_dir)


@pytest.fixture(scope="session")
def real_home(shared_onet_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The OCA_HOME of `real_engine`: OCA_TEST_HOME (a prebuilt home to reuse between local runs), else a
    folder of this run's, one for all its workers (`pytest -n`): the first to open the engine builds the index
    there while the others wait for it (`Engine.open` locks the build). Ask for `real_engine` too when the index
    must be built in it."""
    import os

    prebuilt = os.environ.get("OCA_TEST_HOME")
    if prebuilt:
        return Path(prebuilt)
    run = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        run = run.parent  # each worker's folder sits in the run's
    home = run / "oca-real-home"
    home.mkdir(exist_ok=True)
    return home


@pytest.fixture(scope="session")
def real_engine(shared_onet_dir: Path, shared_taxonomy_dir: Path, real_home: Path) -> Engine:
    """One engine over the real release for the whole session (building it takes about two minutes)."""
    from retrieval.engine import Engine

    return Engine.open(shared_onet_dir, shared_taxonomy_dir, real_home, progress=False)
