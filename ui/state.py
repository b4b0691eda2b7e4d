"""Where pages get what they share: one engine per process (cached), settings, and the paths the app uses.

Per-user state lives in `st.session_state` under the keys named here, so that pages and tests agree on them.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st
from pydantic import ValidationError

from assistant.service import build_engine
from assistant.settings import Settings, load_settings
from retrieval.errors import OcaError
from ui.markup import escape_markdown

if TYPE_CHECKING:
    from assistant.store import Store
    from retrieval.engine import Engine

log = logging.getLogger(__name__)
REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_EVAL_DIR = REPO_ROOT.parent / "shared" / "eval"

BUILD_MESSAGE = "Building the search index (first run, about 2 minutes)…"
BUILD_DONE = "The search index is ready."
BUILD_FAILED = "The search index could not be built."
OPEN_MESSAGE = "Opening the search index…"

# st.session_state keys
VERSIONS_KEY = "engine_versions"  # (release, engine_version) once this user's session opened the engine
CODE_RESULT_KEY = "code_job.result"  # the last CodingResult of the Code-a-job page
OCCUPATION_CODE_KEY = "occupation.code"  # the code typed in (or sent to) the Occupation page
EVAL_LAST_RUN_KEY = "evaluation.last_run"  # folder of the run this user made last


@st.cache_resource(show_spinner=False)
def get_engine() -> Engine:
    """The one engine of this process; every session shares it. It ranks from the index as built, plus
    the lay titles analysts approved (kept in the database; a decision adds new ones to it at once)."""
    from assistant.review import load_lay_titles

    current = load_settings()
    engine = build_engine(current, progress=False)
    try:
        load_lay_titles(_store_at(current.db_url), engine)
    except OcaError as exc:  # the pages that need the database say what is wrong with it
        log.warning("approved lay titles not loaded: %s", exc)
    return engine


@st.cache_resource(show_spinner=False)
def _store_at(url: str) -> Store:
    from assistant.store import Store

    return Store.open(url)


def get_store() -> Store:
    """The submissions database of this process (one per database URL, so tests with their own home get theirs)."""
    return _store_at(settings().db_url)


def open_store() -> Store | None:
    """The store, or None after showing the user why the database cannot be opened."""
    try:
        return get_store()
    except (OcaError, ValidationError) as exc:
        st.error(escape_markdown(str(exc)))
        return None


def settings() -> Settings:
    return load_settings()


def index_missing(current: Settings) -> bool:
    """Whether opening the engine will build the index first (a local index without its saved state)."""
    return current.chroma_url is None and not (current.index_dir / "engine.pkl").is_file()


def open_engine() -> Engine | None:
    """The shared engine, or None after showing the user why it cannot be opened.

    Building from scratch takes minutes, so that case gets a status box that says so instead of a bare
    spinner; errors the product explains are shown as their message, not as a traceback.
    """
    try:
        current = settings()
        if index_missing(current):
            with st.status(BUILD_MESSAGE, expanded=False) as status:
                try:
                    engine = get_engine()
                except (OcaError, ValidationError):
                    status.update(label=BUILD_FAILED, state="error")
                    raise
                status.update(label=BUILD_DONE, state="complete")
        else:
            with st.spinner(OPEN_MESSAGE):
                engine = get_engine()
    except (OcaError, ValidationError) as exc:
        st.session_state.pop(VERSIONS_KEY, None)
        st.error(escape_markdown(str(exc)))
        return None
    st.session_state[VERSIONS_KEY] = (engine.release, engine.engine_version)
    return engine


def home() -> Path:
    """OCA_HOME, where evaluation runs and uploaded case files are kept."""
    return settings().home
