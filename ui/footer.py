"""The footer of every page: the O*NET licence attribution and the versions of the data and the engine."""

from __future__ import annotations

import streamlit as st

from ui.markup import escape_markdown
from ui.state import VERSIONS_KEY

# Required by the O*NET licence (CC BY 4.0); the wording is the O*NET Center's, see ../shared/README.md.
ATTRIBUTION = (
    "This product includes information from the O*NET 29.3 Database by the U.S. Department of Labor, "
    "Employment and Training Administration (USDOL/ETA). Used under the CC BY 4.0 license. O*NET® is a "
    "trademark of USDOL/ETA. OCA Assistant has modified all or some of this information. USDOL/ETA has not "
    "approved, endorsed, or tested these modifications."
)
SOC_NOTE = "The 2018 SOC files are U.S. government works from the Bureau of Labor Statistics (public domain)."


def versions_line() -> str:
    versions = st.session_state.get(VERSIONS_KEY)
    if not versions:
        return "Data: not loaded yet · engine: not loaded yet"
    release, engine_version = versions
    return f"Data: {release} · engine {engine_version}"


def render_footer() -> None:
    st.divider()
    st.caption(escape_markdown(ATTRIBUTION))
    st.caption(escape_markdown(f"{SOC_NOTE} {versions_line()}"))
