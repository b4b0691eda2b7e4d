"""A real database for every storage test: a SQLite file, and a real PostgreSQL server when
OCA_TEST_POSTGRES_URL names one (CI starts one; each test gets its own schema there)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import text

from assistant.store import Store, build_db_engine
from retrieval.embedder import MiniLMEmbedder
from retrieval.engine import Engine

POSTGRES_URL = os.environ.get("OCA_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    not POSTGRES_URL, reason="OCA_TEST_POSTGRES_URL is not set (CI sets it; see .ci/run)"))]
ANALYST, OTHER_ANALYST, PASSWORD = "ann", "bob", "correct horse battery"


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'oca.sqlite3'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = build_db_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    opened = Store.open(db_url)
    yield opened
    opened.close()


@pytest.fixture
def analysts(store: Store) -> tuple[str, str]:
    store.add_user(ANALYST, PASSWORD, "analyst")
    store.add_user(OTHER_ANALYST, PASSWORD, "analyst")
    return ANALYST, OTHER_ANALYST


@pytest.fixture(scope="session")
def minilm() -> MiniLMEmbedder:
    return MiniLMEmbedder()


@pytest.fixture(scope="session")
def engine_home(fixture_release: Path, fixture_taxonomy: Path, minilm: MiniLMEmbedder,
                tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("storage-engine-home")
    Engine.open(fixture_release, fixture_taxonomy, home, embedder=minilm, progress=False)
    return home


@pytest.fixture
def engine(fixture_release: Path, fixture_taxonomy: Path, minilm: MiniLMEmbedder, engine_home: Path) -> Engine:
    """A fresh engine over the fixture release (a warm open: no lay titles learnt by other tests)."""
    return Engine.open(fixture_release, fixture_taxonomy, engine_home, embedder=minilm, progress=False)


def part_a(title: str | None = "charge nurse", **items: object) -> dict:
    base: dict = {"job_title": title, "summary": "Supervises the nursing staff of a hospital ward and cares for "
                  "patients.", "duties": [{"text": "Assess patients and give medication"}],
                  "industries": [{"name": "hospital"}]}
    base.update(items)
    return base
