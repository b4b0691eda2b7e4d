"""Agreement check: analysts code a sample of decided submissions blind, and the page reports how often
analysts agree with each other and with the drafts (percent and Cohen's kappa)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from assistant.agreement import Agreement, AgreementReport, build_report
from assistant.parta import PartA
from retrieval.errors import OcaError
from ui import auth, state
from ui.markup import escape_markdown
from ui.reviewing import pick_occupation
from ui.submission import show_part_a

SEARCH_KEY = "agreement.search"
CODE_KEY = "agreement.code"
DONE_KEY = "agreement.done"
SAMPLE_SIZE = 20  # submissions offered to one analyst per round; each is coded once
NOTHING_TO_CODE = ("No decided submission is waiting for your blind code: every approved or changed submission "
                   "was decided by you or already coded by you.")
NO_DECISIONS = "No decided submissions yet: agreement is measured once analysts have approved or changed some."


def render() -> None:
    st.title("Agreement check")
    st.caption("Code decided submissions without seeing their draft or decision; agreement between analysts and "
               "with the drafts is reported as percent agreement and Cohen's kappa.")
    analyst = auth.require_reviewer()
    if analyst is None:
        return
    store = state.open_store()
    if store is None:
        return
    blind, report = st.tabs(["Code blind", "Agreement report"])
    with blind:
        code_blind(store, analyst.name)
    with report:
        try:
            show_report(build_report(store.decided_cases()))
        except OcaError as exc:
            st.error(escape_markdown(str(exc)))


def code_blind(store: object, analyst: str) -> None:
    if done := st.session_state.pop(DONE_KEY, None):
        st.success(escape_markdown(done))
    try:
        sample = store.blind_sample(analyst, SAMPLE_SIZE)  # type: ignore[attr-defined]
    except OcaError as exc:
        st.error(escape_markdown(str(exc)))
        return
    if not sample:
        st.info(NOTHING_TO_CODE)
        return
    submission = sample[0]
    st.caption(f"{len(sample)} submission(s) left in your sample")
    st.subheader(escape_markdown(f"{submission.reference} · {submission.job_title or '(no job title)'}"))
    try:
        show_part_a(PartA.model_validate(submission.part_a or {}))
    except ValueError as exc:
        st.error(escape_markdown(f"The stored Part A cannot be read: {exc}"))
    engine = state.open_engine()
    code = pick_occupation(engine, SEARCH_KEY, CODE_KEY)
    if st.button("Record my code", type="primary", key="agreement.record", disabled=code is None):
        try:
            store.record_blind_code(submission.reference, analyst, code)  # type: ignore[attr-defined]
        except OcaError as exc:
            st.error(escape_markdown(str(exc)))
            return
        for key in (SEARCH_KEY, CODE_KEY):
            st.session_state.pop(key, None)
        st.session_state[DONE_KEY] = f"Recorded {code} for {submission.reference}."
        st.rerun()


def show_report(report: AgreementReport) -> None:
    if not report.decided:
        st.info(NO_DECISIONS)
        return
    st.caption(f"{report.decided} decided submission(s), {report.blind_reviews} blind code(s). "
               "Kappa corrects agreement for chance; SOC detailed counts 29-1141.00 and 29-1141.01 as agreeing.")
    rows = [("between analysts", report.between_analysts), ("analysts and drafts", report.analysts_vs_drafts)]
    rows += [(f"{name.replace('~', ' and ')}", a) for name, a in report.by_pair.items()]
    st.dataframe(agreement_table(rows), hide_index=True, column_config={
        "agree O*NET-SOC": st.column_config.NumberColumn(format="%.1f%%"),
        "agree SOC detailed": st.column_config.NumberColumn(format="%.1f%%"),
        "kappa O*NET-SOC": st.column_config.NumberColumn(format="%.3f"),
        "kappa SOC detailed": st.column_config.NumberColumn(format="%.3f"),
    })
    if not report.blind_reviews:
        st.info("No blind codes yet, so analysts cannot be compared with each other: code some in the "
                "**Code blind** tab.")


def agreement_table(rows: list[tuple[str, Agreement]]) -> pd.DataFrame:
    return pd.DataFrame([{
        "coders": name, "pairs": a.pairs,
        "agree O*NET-SOC": a.percent["onetsoc"], "kappa O*NET-SOC": a.kappa["onetsoc"],
        "agree SOC detailed": a.percent["soc"], "kappa SOC detailed": a.kappa["soc"],
    } for name, a in rows])


if __name__ == "__main__":
    render()
