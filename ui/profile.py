"""An occupation's profile as the pages show it: description, SOC hierarchy, job zone, tasks, titles, tools, related.

Shared by the Occupation page (a coder confirming a code) and Find an occupation (a customer browsing); each page
says what choosing a related occupation does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pandas as pd
import streamlit as st

from assistant.service import OccupationProfile
from ui.markup import escape_markdown

LIST_LIMIT = 40  # alternate titles and tools run to hundreds for some occupations


def show_profile(profile: OccupationProfile, *, on_related: Callable[[str], None], key_prefix: str = "related") -> None:
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
            st.button(escape_markdown(f"{rel.code} — {rel.title}"), key=f"{key_prefix}-{rel.code}",
                      on_click=on_related, args=(rel.code,))


def bullets(lines: Iterable[str], *, more: int = 0) -> None:
    items = [f"- {escape_markdown(line)}" for line in lines]
    if not items:
        st.caption("None listed.")
        return
    if more > 0:
        items.append(f"- *… and {more} more*")
    st.markdown("\n".join(items))
