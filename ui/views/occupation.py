"""An occupation's profile, as a coder reads it to confirm a code: description, SOC groups, titles, tasks, tools."""

from __future__ import annotations

import streamlit as st

from assistant.service import occupation_profile
from retrieval.errors import OcaError
from ui import state
from ui.markup import escape_markdown
from ui.profile import show_profile

SEARCH_KEY = "occupation.search"


def choose(code: str) -> None:
    st.session_state[state.OCCUPATION_CODE_KEY] = code


def render() -> None:
    st.title("Occupation")
    st.caption("Look up an O\\*NET-SOC occupation by its code (29-1141.01, or a SOC code like 29-1141).")
    engine = state.open_engine()
    if engine is None:
        return

    code = st.text_input("O\\*NET-SOC or SOC code", key=state.OCCUPATION_CODE_KEY, placeholder="29-1141.00")
    with st.expander("Don't know the code? Search titles and tasks"):
        words = st.text_input("Words", key=SEARCH_KEY, placeholder="sewing machine")
        if words.strip():
            try:
                hits = engine.search(words, k=10)
            except OcaError as exc:
                st.error(escape_markdown(str(exc)))
                hits = []
            if not hits:
                st.caption("Nothing matched those words.")
            for hit in hits:
                st.button(escape_markdown(f"{hit.code} — {hit.title}"), key=f"hit-{hit.code}",
                          on_click=choose, args=(hit.code,))

    if not code.strip():
        st.info("Type a code above, or search by words.")
        return
    try:
        profile = occupation_profile(engine.kb, code)
    except OcaError as exc:
        st.error(escape_markdown(str(exc)))
        return
    show_profile(profile, on_related=choose)


# st.Page runs this file as "__main__"; importing it (tests read its constants) draws nothing.
if __name__ == "__main__":
    render()
