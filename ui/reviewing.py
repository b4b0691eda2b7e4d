"""What the analysts' pages share: session keys, state names as people read them, and small formatters."""

from __future__ import annotations

import datetime as dt

from typing import Any

import streamlit as st

from retrieval.errors import OcaError
from retrieval.onet import normalize_code
from ui import state
from ui.markup import escape_markdown

REVIEW_PAGE = "views/review.py"
QUEUE_PAGE = "views/review_queue.py"
REFERENCE_KEY = "review.reference"  # st.session_state: the submission open on the review screen

STATE_LABELS: dict[str, str] = {
    "in_progress": "in progress (customer)",
    "submitted": "submitted",
    "drafted": "drafted, waiting for review",
    "approved": "approved",
    "changed": "code changed",
    "rejected": "rejected",
    "needs_information": "waiting for the customer's answer",
    "returned_to_customer": "returned to the customer",
}


def age(when: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """How long ago `when` (naive UTC, as the store keeps times) was, in the largest whole unit."""
    if when is None:
        return ""
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    seconds = max(0, int((now - when.replace(tzinfo=None)).total_seconds()))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count > 1 else ''}"
    return "just now"


def stamp(when: dt.datetime | None) -> str:
    return when.strftime("%Y-%m-%d %H:%M UTC") if when else ""


def group_titles() -> dict[str, str]:
    """SOC major group ("29") -> its title, from the release; empty (codes shown bare) if the engine is not open."""
    engine = state.open_engine()
    if engine is None:
        return {}
    groups = engine.kb.taxonomy.groups
    return {code[:2]: group.title for code, group in sorted(groups.items())
            if code.endswith("-0000") and getattr(group, "level", "major") == "major"}


def open_submission(reference: str) -> None:
    st.session_state[REFERENCE_KEY] = reference
    st.switch_page(REVIEW_PAGE)


def pick_occupation(engine: Any | None, search_key: str, choice_key: str) -> str | None:
    """Any occupation of the release, found by its title, other words or its code; None until one is chosen."""
    if engine is None:
        return None
    words = st.text_input("Find the occupation (title, words or code)", key=search_key, placeholder="pastry chef")
    if not words.strip():
        return None
    titles: dict[str, str] = {}
    typed = normalize_code(words)
    if typed in engine.kb.occupations:
        titles[typed] = engine.kb.occupations[typed].title
    try:
        titles.update((hit.code, hit.title) for hit in engine.search(words, k=15) if hit.code not in titles)
    except OcaError as exc:
        st.error(escape_markdown(str(exc)))
        return None
    if not titles:
        st.warning("No occupation matches those words. Try other words or the code.")
        return None
    if st.session_state.get(choice_key) not in titles:
        st.session_state.pop(choice_key, None)
    return st.selectbox("Occupation", list(titles), key=choice_key, format_func=lambda c: f"{c} {titles[c]}")
