"""Find an occupation: search O*NET by title, keywords or code, filter by job family and job zone, open a profile.

The query, the filters and the open occupation live in the URL (`?q=nurse&family=29-0000&occupation=29-1141.00`),
so a search can be bookmarked or shared and a reload shows the same page. From a result or a profile the customer
can start an OCA request (the "Describe a job" chat) with that occupation's title filled in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from assistant.finder import Finding, FoundOccupation, find_occupations, job_families, job_zones
from assistant.service import occupation_profile
from retrieval.errors import OcaError, UnknownCodeError
from ui import customer, state
from ui.markup import escape_markdown, highlight
from ui.profile import show_profile

if TYPE_CHECKING:
    from retrieval.engine import Engine

# Widget keys double as the URL's query parameter names (bind="query-params").
QUERY_KEY = "q"
FAMILY_KEY = "family"
ZONE_KEY = "zone"
OCCUPATION_KEY = "occupation"  # query parameter of the open occupation
LIMIT_KEY = "find.limit"
PAGE_SIZE = 10  # more on demand: each result is a dozen elements for the browser to draw
TASKS_SHOWN = 2

EMPTY = ("Type a job title (\"night nurse\"), a few words about the work (\"sew garments\") or a code "
         "(\"29-1141\"), or pick a job family to browse it.")
UNKNOWN_CODE = "No occupation has the code {code}. Search for it by its title above."
NO_RESULTS = "No occupation matched. Try fewer or more common words, or remove a filter."


def open_occupation(code: str) -> None:
    st.query_params[OCCUPATION_KEY] = code


def close_occupation() -> None:
    st.query_params.pop(OCCUPATION_KEY, None)


def new_search() -> None:
    """A changed query or filter shows its results, not the occupation opened from the last ones."""
    close_occupation()
    st.session_state[LIMIT_KEY] = PAGE_SIZE


def show_more() -> None:
    st.session_state[LIMIT_KEY] = st.session_state.get(LIMIT_KEY, PAGE_SIZE) + PAGE_SIZE


def render() -> None:
    st.title("Find an occupation")
    st.caption("Search the O\\*NET-SOC occupations by job title, keywords or code. Each result shows the titles "
               "and tasks your words matched.")
    engine = state.open_engine()
    if engine is None:
        return

    families = {f.code: f.title for f in job_families(engine.kb)}
    zones = job_zones(engine.kb)
    query = st.text_input("Job title, keywords or code", key=QUERY_KEY, type="search", bind="query-params",
                          placeholder="e.g. night nurse, sew garments, 29-1141", on_change=new_search)
    left, right = st.columns(2)
    chosen_families = left.multiselect("Job family", list(families), key=FAMILY_KEY, bind="query-params",
                                       format_func=lambda code: families.get(code, code), on_change=new_search,
                                       placeholder="All job families")
    chosen_zones = right.multiselect("Job zone (preparation needed)", list(zones), key=ZONE_KEY,
                                     bind="query-params", format_func=lambda zone: zones.get(zone, str(zone)),
                                     on_change=new_search, placeholder="All job zones")

    code = st.query_params.get(OCCUPATION_KEY)
    if code:
        show_occupation(engine, code)
        return

    if not (query or "").strip() and not chosen_families and not chosen_zones:
        st.info(EMPTY)
        return
    limit = st.session_state.get(LIMIT_KEY, PAGE_SIZE)
    try:
        finding = find_occupations(engine, query or "", families=chosen_families, zones=chosen_zones, limit=limit)
    except OcaError as exc:
        st.error(escape_markdown(str(exc)))
        return
    show_finding(finding)


def show_finding(finding: Finding) -> None:
    if not finding.results:
        st.warning(NO_RESULTS)
        return
    shown = f"{len(finding.results)}{'+' if finding.more else ''}"
    st.caption(escape_markdown(f"{shown} occupations, best match first ({finding.elapsed_ms:.0f} ms)")
               if finding.query else escape_markdown(f"{shown} occupations, in code order"))
    for found in finding.results:
        show_found(found, finding.words)
    if finding.more:
        st.button("Show more", key="find.more", on_click=show_more, icon=":material/expand_more:")


def show_found(found: FoundOccupation, words: list[str]) -> None:
    with st.container(border=True):
        head, actions = st.columns([4, 1.4], vertical_alignment="center")
        head.markdown(f"#### {highlight(found.title, words)}")
        facts = [found.code]
        if found.family is not None:
            facts.append(found.family.title)
        if found.job_zone is not None:
            facts.append(f"Job zone {found.job_zone}")
        head.caption(escape_markdown(" · ".join(facts)))
        if found.matched_titles:
            head.markdown("Also called: " + ", ".join(highlight(t, words) for t in found.matched_titles))
        if found.matched_tasks:
            head.markdown("\n".join(f"- {highlight(t, words)}" for t in found.matched_tasks[:TASKS_SHOWN]))
        actions.button("View occupation", key=f"view-{found.code}", on_click=open_occupation, args=(found.code,),
                       icon=":material/badge:", width="stretch")
        actions.page_link(customer.CHAT_PAGE, label="Describe a job like this", icon=":material/chat:",
                          query_params=customer.start_link(found.title), width="stretch")


def show_occupation(engine: Engine, code: str) -> None:
    st.button("Back to the results", key="find.back", on_click=close_occupation, icon=":material/arrow_back:")
    try:
        profile = occupation_profile(engine.kb, code)
    except UnknownCodeError:
        st.error(escape_markdown(UNKNOWN_CODE.format(code=code[:40])))
        return
    st.page_link(customer.CHAT_PAGE, label=escape_markdown(f"Describe a job like this ({profile.title})"),
                 icon=":material/chat:", query_params=customer.start_link(profile.title))
    show_profile(profile, on_related=open_occupation, key_prefix="find-related")


# st.Page runs this file as "__main__"; importing it (tests read its constants) draws nothing.
if __name__ == "__main__":
    render()
