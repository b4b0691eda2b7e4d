"""The analysts' review queue: submissions waiting for a decision, the least certain first, then the oldest."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from assistant.lifecycle import REVIEW_STATES, STATES
from retrieval.errors import OcaError
from ui import auth, state
from ui.markup import escape_markdown
from ui.reviewing import REFERENCE_KEY, REVIEW_PAGE, STATE_LABELS, age, group_titles

STATES_KEY = "queue.states"
GROUP_KEY = "queue.group"
OPEN_KEY = "queue.open"
ALL_GROUPS = ""
EMPTY = "Nothing to review with these filters."


def render() -> None:
    st.title("Review queue")
    st.caption("Submissions waiting for an analyst: low confidence and small margins first, then the oldest.")
    if auth.require_reviewer() is None:
        return
    store = state.open_store()
    if store is None:
        return
    groups = group_titles()

    left, right = st.columns(2)
    chosen_states = left.multiselect("States", STATES, default=sorted(REVIEW_STATES, key=STATES.index),
                                     key=STATES_KEY, format_func=lambda s: STATE_LABELS.get(s, s))
    group = right.selectbox("Job family (SOC major group)", [ALL_GROUPS, *groups], key=GROUP_KEY,
                            format_func=lambda g: "All job families" if g == ALL_GROUPS else f"{g} {groups[g]}")
    try:
        rows = store.queue(states=chosen_states or None, major_group=group or None)
    except OcaError as exc:
        st.error(escape_markdown(str(exc)))
        return
    if not rows:
        st.info(EMPTY)
        return

    st.caption(f"{len(rows)} submission(s)")
    st.dataframe(queue_table(rows, groups), hide_index=True, column_config={
        "confidence": st.column_config.ProgressColumn("Confidence", format="percent", min_value=0.0, max_value=1.0),
        "margin": st.column_config.NumberColumn("Margin", format="%.2f",
                                                help="the draft's lead over the runner-up; small means a close call"),
    })
    references = [row.reference for row in rows]
    with st.form("queue.open_form", border=False):
        reference = st.selectbox("Submission", references, key=OPEN_KEY,
                                 format_func=lambda ref: label(next(r for r in rows if r.reference == ref)))
        if st.form_submit_button("Open for review", type="primary"):
            st.session_state[REFERENCE_KEY] = reference
            st.switch_page(REVIEW_PAGE)


def label(row: object) -> str:
    title = getattr(row, "job_title", None) or "(no title yet)"
    return f"{row.reference} · {title} · {STATE_LABELS.get(row.state, row.state)}"  # type: ignore[attr-defined]


def queue_table(rows: list, groups: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame([{
        "reference": row.reference,
        "job title": row.job_title or "",
        "state": STATE_LABELS.get(row.state, row.state),
        "draft code": row.code or "",
        "confidence": row.confidence,
        "margin": row.margin,
        "job family": groups.get(row.major_group or "", row.major_group or ""),
        "waiting": age(row.submitted_at or row.created_at),
    } for row in rows])


if __name__ == "__main__":
    render()
