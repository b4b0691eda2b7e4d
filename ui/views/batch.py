"""Code a file: upload job records, watch them being coded, review the flagged rows, download the result.

The upload is kept under OCA_HOME/batch, and the run checkpoints as `oca batch` does: coding the same file
with the same choices again (after a closed tab or a restart) picks up where it stopped.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pandas as pd
import streamlit as st

from assistant.batch import (
    DEFAULT_K,
    DEFAULT_POLICY,
    PREFIX,
    BatchSummary,
    Columns,
    LocalRunner,
    ReviewPolicy,
    run_batch,
)
from assistant.tabular import FORMATS, column_names, read_chunks
from retrieval.errors import OcaError
from ui import auth, state
from ui.markup import escape_markdown

UPLOADS = "batch"
UPLOAD_TYPES = sorted({suffix.lstrip(".") for suffix in FORMATS})
NONE = "(none)"
SAME = "same as the upload"
FLAGGED_SHOWN = 500
RESULT_KEY = "batch.result"  # (BatchSummary as a dict, output path, label columns) of this user's last run
MIME = {".csv": "text/csv", ".tsv": "text/tab-separated-values", ".tab": "text/tab-separated-values",
        ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".parquet": "application/vnd.apache.parquet", ".pq": "application/vnd.apache.parquet"}
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
GUESSES = {
    "title": ("title", "job title", "job_title", "jobtitle", "occupation", "job"),
    "description": ("description", "duties", "job description", "tasks"),
    "industry": ("industry", "employer", "business", "industry description"),
    "id": ("id", "record", "record id", "respondent"),
}


def render() -> None:
    st.title("Code a file")
    st.caption("Upload job records (CSV, TSV, Excel or Parquet); each row gets a code, its SOC 2018 code, a "
               "confidence, alternatives and a review flag. Your columns are kept.")
    if auth.require(auth.REVIEWERS | auth.EVALUATORS, "analysts and evaluators") is None:
        return
    engine = state.open_engine()
    upload = st.file_uploader("Job records", type=UPLOAD_TYPES, key="batch.upload")
    if upload is not None:
        source = save_upload(state.home(), upload.name, upload.getvalue())
        try:
            names = column_names(source)
        except OcaError as exc:
            st.error(escape_markdown(str(exc)))
            return
        with st.form("batch.form"):
            title = st.selectbox("Job title column", names, index=_guess(names, "title") or 0)
            optional = [NONE, *names]
            description = st.selectbox("Duties column", optional, index=_guess(optional, "description") or 0)
            industry = st.selectbox("Employer's business column", optional, index=_guess(optional, "industry") or 0)
            row_id = st.selectbox("Row identifier column", optional, index=_guess(optional, "id") or 0)
            k = st.number_input("Alternatives per row", min_value=1, max_value=10, value=DEFAULT_K, step=1)
            target = st.selectbox("Result format", [SAME, "csv", "tsv", "xlsx", "parquet"], key="batch.format")
            restart = st.checkbox("Start over (discard an unfinished run of this file)")
            submitted = st.form_submit_button("Code the file", type="primary", disabled=engine is None)
        if submitted and engine is not None:
            columns = Columns(title=title, description=_column(description), industry=_column(industry),
                              id=_column(row_id))
            suffix = source.suffix if target == SAME else f".{target}"
            code_file(engine, source, source.with_name(f"{source.stem}.coded{suffix}"), columns, int(k), restart)
    shown = st.session_state.get(RESULT_KEY)
    if shown is not None:
        show_result(BatchSummary.model_validate(shown[0]), Path(shown[1]), shown[2])


def code_file(engine: object, source: Path, output: Path, columns: Columns, k: int, restart: bool) -> None:
    st.session_state.pop(RESULT_KEY, None)
    bar = st.progress(0.0, text="Starting…")
    started = time.perf_counter()
    first: list[int] = []

    def progress(done: int, total: int | None) -> None:
        first.append(done)
        elapsed = time.perf_counter() - started
        rate = (done - first[0]) / elapsed if elapsed > 0 else 0.0
        of = f" of {total:,}" if total else ""
        bar.progress(min(done / total, 1.0) if total else 0.0, text=f"{done:,}{of} rows coded · {rate:,.0f} rows/s")

    try:
        summary = run_batch(source, output, columns, LocalRunner(engine, k), k=k,  # type: ignore[arg-type]
                            policy=review_policy(), restart=restart, progress=progress)
    except OcaError as exc:
        bar.empty()
        st.error(escape_markdown(str(exc)))
        return
    bar.progress(1.0, text=f"{summary.rows:,} rows coded")
    labels = [c for c in (columns.id, columns.title, columns.description, columns.industry) if c]
    st.session_state[RESULT_KEY] = (summary.model_dump(), str(output), labels)


def show_result(summary: BatchSummary, output: Path, labels: list[str]) -> None:
    st.subheader("Result")
    resumed = f", resuming after row {summary.resumed_at:,}" if summary.resumed_at else ""
    cols = st.columns(4)
    cols[0].metric("Rows", f"{summary.rows:,}")
    cols[1].metric("Flagged for review", f"{summary.flagged:,}")
    cols[2].metric("Without a title or duties", f"{summary.no_text:,}")
    cols[3].metric("Rows per second", f"{summary.rows_per_second:,.0f}")
    st.caption(escape_markdown(f"Coded in {summary.seconds:.1f} s{resumed}. Review flags: {summary.policy}."))
    if not output.is_file():
        st.warning(escape_markdown(f"The result {output.name} is no longer on the server; code the file again."))
        return
    st.download_button("Download the coded file", output.read_bytes(), file_name=output.name,
                       mime=MIME.get(output.suffix, "application/octet-stream"), type="primary")
    flagged = flagged_rows(output, labels)
    if flagged.empty:
        st.success("No row needs review.")
        return
    more = f" (the first {FLAGGED_SHOWN:,} of {summary.flagged:,})" if summary.flagged > len(flagged) else ""
    st.markdown(f"**Rows to review**{more}: each with the code it was given and why it needs a look.")
    st.dataframe(flagged, hide_index=True, use_container_width=True)


def flagged_rows(output: Path, labels: list[str]) -> pd.DataFrame:
    """The first flagged rows of the result, read a chunk at a time."""
    wanted = [f"{PREFIX}row", *labels, f"{PREFIX}code", f"{PREFIX}title", f"{PREFIX}confidence",
              f"{PREFIX}review_reason", f"{PREFIX}alt1_code", f"{PREFIX}alt1_title"]
    frames: list[pd.DataFrame] = []
    held = 0
    for chunk in read_chunks(output, 5000):
        frame = chunk.to_pandas()
        frame = frame[frame[f"{PREFIX}review"].map(lambda v: v in (True, "true", "True"))]
        frames.append(frame[[c for c in wanted if c in frame.columns]])
        held += len(frame)
        if held >= FLAGGED_SHOWN:
            break
    return pd.concat(frames).head(FLAGGED_SHOWN) if frames else pd.DataFrame(columns=wanted)


def review_policy() -> ReviewPolicy:
    from eval.thresholds import latest_policy

    return latest_policy(state.home()) or DEFAULT_POLICY


def save_upload(home: Path, name: str, data: bytes) -> Path:
    """Keep the upload under OCA_HOME/batch; an unchanged file is not rewritten, so its run can resume."""
    stem = _UNSAFE_NAME.sub("_", Path(name).stem).strip("._") or "jobs"
    target = home / UPLOADS / f"{stem}{Path(name).suffix.lower()}"
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.is_file() or target.read_bytes() != data:
        target.write_bytes(data)
    return target


def _guess(names: list[str], role: str) -> int | None:
    folded = [n.strip().lower().replace("_", " ") for n in names]
    for guess in GUESSES[role]:
        if guess in folded:
            return folded.index(guess)
    return None


def _column(choice: str) -> str | None:
    return None if choice == NONE else choice


# st.Page runs this file as "__main__"; importing it (tests read its constants) draws nothing.
if __name__ == "__main__":
    render()
