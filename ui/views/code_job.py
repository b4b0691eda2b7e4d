"""Code a job: a title, duties and the employer's business in; ranked O*NET-SOC occupations with their evidence out."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from retrieval.errors import OcaError
from retrieval.models import Candidate, CodingResult, Match
from ui import state
from ui.markup import escape_markdown, highlight

OCCUPATION_PAGE = "views/occupation.py"
EMPTY_QUERY = "Enter a job title, its duties or the employer's business, then press **Code this job**."
EXPANDED = 3  # the first candidates open with their evidence showing


def render() -> None:
    st.title("Code a job")
    st.caption("Tell it about a job; it ranks the O\\*NET-SOC occupations that fit and shows what each one matched on.")
    engine = state.open_engine()

    with st.form("code_job"):
        title = st.text_input("Job title", placeholder="charge nurse")
        description = st.text_area("Duties (optional)", placeholder="supervises nursing staff on a hospital ward")
        industry = st.text_input("Employer's business (optional)", placeholder="hospital")
        k = st.number_input("Candidates to show", min_value=1, max_value=50, value=10, step=1)
        submitted = st.form_submit_button("Code this job", type="primary", disabled=engine is None)

    if submitted and engine is not None:
        st.session_state.pop(state.CODE_RESULT_KEY, None)
        if not any(value.strip() for value in (title, description, industry)):
            st.warning(EMPTY_QUERY)
        else:
            try:
                st.session_state[state.CODE_RESULT_KEY] = engine.code(
                    title=title or None, description=description or None, industry=industry or None, k=int(k)
                )
            except OcaError as exc:
                st.error(escape_markdown(str(exc)))

    result: CodingResult | None = st.session_state.get(state.CODE_RESULT_KEY)
    if result is not None:
        show_result(result)


def show_result(result: CodingResult) -> None:
    if not result.candidates:
        st.info("No occupation matched these words. Try a more common title, or add the duties.")
        return
    st.subheader("Candidates")
    asked = " · ".join(f"{name} “{value}”" for name, value in result.query.model_dump().items() if value)
    st.caption(escape_markdown(f"For {asked}"))
    if read := result.read_otherwise():
        shown = " · ".join(f"{name} “{value}”" for name, value in read.items())
        st.caption(escape_markdown(f"Read as {shown}: misspelt words put right, the title as O*NET names the job, "
                                   "an employer named by its size alone left out."))
    st.caption(
        escape_markdown(f"{len(result.candidates)} occupations from {result.release}, best first, "
                        f"in {result.elapsed_ms:.0f} ms. Confidence is the calibrated chance that a code is right.")
    )
    st.dataframe(
        candidates_table(result.candidates),
        hide_index=True,
        column_config={
            "rank": st.column_config.NumberColumn("#", width="small"),
            "code": st.column_config.TextColumn("O*NET-SOC"),
            "title": st.column_config.TextColumn("Title", width="large"),
            "soc_code": st.column_config.TextColumn("SOC 2018"),
            "confidence": st.column_config.ProgressColumn(
                "Confidence", format="percent", min_value=0.0, max_value=1.0
            ),
        },
    )
    for candidate in result.candidates:
        show_candidate(candidate, expanded=candidate.rank <= EXPANDED)


def candidates_table(candidates: list[Candidate]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"rank": c.rank, "code": c.code, "title": c.title, "soc_code": c.soc_code, "confidence": c.confidence}
         for c in candidates]
    )


def show_candidate(candidate: Candidate, *, expanded: bool) -> None:
    label = f"{candidate.rank}. {candidate.title} — {candidate.code} · {candidate.confidence:.0%}"
    with st.expander(escape_markdown(label), expanded=expanded):
        st.progress(candidate.confidence, text=f"Confidence {candidate.confidence:.0%}")
        groups = [level for level in (candidate.soc.major, candidate.soc.minor, candidate.soc.broad) if level]
        if groups:
            st.caption(" › ".join(escape_markdown(f"{g.code} {g.title}") for g in groups)
                       + escape_markdown(f" › {candidate.soc_code}"))
        if candidate.evidence:
            st.markdown("\n".join(evidence_line(m) for m in candidate.evidence))
        else:
            st.caption("No single O\\*NET text stood out; the ranking comes from the combined channels.")
        if st.button("Open the occupation's profile", key=f"profile-{candidate.rank}-{candidate.code}"):
            st.session_state[state.OCCUPATION_CODE_KEY] = candidate.code
            st.switch_page(OCCUPATION_PAGE)


def evidence_line(match: Match) -> str:
    """One Markdown list item: what kind of O*NET text matched, through which channel, and on which words."""
    kind = escape_markdown(match.kind.replace("_", " "))
    line = f"- **{kind}** ({escape_markdown(match.channel)}): {highlight(match.text, match.matched_words)}"
    if match.matched_words:
        line += " — matched *" + escape_markdown(", ".join(match.matched_words)) + "*"
    return line


# st.Page runs this file as "__main__"; importing it (tests read its constants) draws nothing.
if __name__ == "__main__":
    render()
