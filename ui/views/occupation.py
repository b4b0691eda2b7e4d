"""An occupation's profile, as a coder reads it to confirm a code: description, SOC groups, titles, tasks, tools."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import streamlit as st

from assistant.service import OccupationProfile, occupation_profile
from retrieval.errors import OcaError
from ui import state
from ui.markup import escape_markdown

SEARCH_KEY = "occupation.search"
LIST_LIMIT = 40  # alternate titles and tools run to hundreds for some occupations


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
    show_profile(profile)


def show_profile(profile: OccupationProfile) -> None:
    st.header(escape_markdown(profile.title))
    groups = [g for g in (profile.soc.major, profile.soc.minor, profile.soc.broad, profile.soc.detailed) if g]
    st.caption(escape_markdown(f"{profile.code} · SOC {profile.soc_code}"))
    if groups:
        st.caption(" › ".join(escape_markdown(f"{g.code} {g.title}") for g in groups))
    st.markdown(escape_markdown(profile.description))

    left, right = st.columns(2)
    left.metric("Job zone", profile.job_zone if profile.job_zone is not None else "—",
                help=profile.job_zone_name, border=True)
    right.metric("Typical education", profile.typical_education or "—", border=True)

    tasks, titles, activities, technology, tools, related = st.tabs(
        [f"Tasks ({len(profile.tasks)})", f"Titles ({len(profile.alternate_titles)})",
         f"Work activities ({len(profile.dwas)})", f"Technology ({len(profile.technology)})",
         f"Tools ({len(profile.tools)})", f"Related ({len(profile.related)})"]
    )
    with tasks:
        bullets(t.text + (f" ({t.kind})" if t.kind and t.kind != "core" else "") for t in profile.tasks)
    with titles:
        bullets(profile.alternate_titles[:LIST_LIMIT], more=len(profile.alternate_titles) - LIST_LIMIT)
    with activities:
        bullets(profile.dwas)
    with technology:
        if profile.technology:
            st.dataframe(
                pd.DataFrame([t.model_dump() for t in profile.technology]),
                hide_index=True,
                column_config={"example": "Example", "commodity": "Kind",
                               "hot": st.column_config.CheckboxColumn("Hot")},
            )
        else:
            st.caption("None listed.")
    with tools:
        bullets(profile.tools[:LIST_LIMIT], more=len(profile.tools) - LIST_LIMIT)
    with related:
        if not profile.related:
            st.caption("None listed.")
        for rel in profile.related:
            st.button(escape_markdown(f"{rel.code} — {rel.title}"), key=f"related-{rel.code}",
                      on_click=choose, args=(rel.code,))


def bullets(lines: Iterable[str], *, more: int = 0) -> None:
    items = [f"- {escape_markdown(line)}" for line in lines]
    if not items:
        st.caption("None listed.")
        return
    if more > 0:
        items.append(f"- *… and {more} more*")
    st.markdown("\n".join(items))


# st.Page runs this file as "__main__"; importing it (tests read its constants) draws nothing.
if __name__ == "__main__":
    render()
