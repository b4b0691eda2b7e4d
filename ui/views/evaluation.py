"""Evaluation: score the coder on case files, read the report with its plots, and put runs side by side."""

from __future__ import annotations

import re
from pathlib import Path

import streamlit as st
from pydantic import ValidationError

from eval import store
from eval.cases import QUERY_FIELDS, KnownCodes
from eval.runner import CodingEngine
from eval.suite import SuiteResult, run_suite
from retrieval.errors import OcaError
from ui import auth, state
from ui.casefile import FileCheck, case_file_options, check_case_file, save_upload, short_problem, uploads_dir
from ui.markup import escape_markdown
from ui.scoreboard import (
    RATIO_COLUMNS,
    SHARE_COLUMNS,
    comparison_table,
    headline_table,
    run_column,
    run_label,
    runs_table,
)

FILES_KEY = "evaluation.files"
SAVED_UPLOADS_KEY = "evaluation.saved_uploads"  # upload id -> where it was saved, so each is saved once
SKIPPED_KEY = "evaluation.skipped"  # files the last run had to leave out, with why
CHOSEN_RUNS_KEY = "evaluation.chosen_runs"
NO_RUNS = "No runs yet — run an evaluation above."
DEFAULT_SAMPLE = 200  # a first click should answer in seconds; 0 scores whole files
PROBLEMS_SHOWN = 20
REPORT_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+\.png)\)")


def render() -> None:
    st.title("Evaluation")
    st.caption("Score the coder on evaluation case files: top-1 and top-5 at every level of the SOC hierarchy, "
               "calibration, and how much it could code on its own.")
    if auth.require_evaluator() is None:
        return
    engine = state.open_engine()
    try:
        home = state.home()
    except ValidationError:
        return  # open_engine has shown what is wrong with the settings

    st.header("New run")
    paths, fields, sample, compare = run_form(home)
    clicked = st.button("Run the evaluation", type="primary", disabled=engine is None or not paths)
    if clicked and engine is not None:
        if fields:
            run_evaluation(engine, home, [Path(p) for p in paths], fields, sample=sample, compare=compare)
        else:
            st.warning("Tick at least one field for the coder to see.")

    show_skipped(st.session_state.get(SKIPPED_KEY, []), home)
    last = st.session_state.get(state.EVAL_LAST_RUN_KEY)
    if last and Path(last).is_dir():
        st.subheader("Latest run")
        show_saved_run(Path(last))

    st.header("Earlier runs")
    show_earlier_runs(home)


def run_form(home: Path) -> tuple[list[str], list[str], int, bool]:
    remember_upload(home)
    options = [str(p) for p in case_file_options(state.SHARED_EVAL_DIR, home)]
    if FILES_KEY not in st.session_state:
        st.session_state[FILES_KEY] = [p for p in options if Path(p).parent == state.SHARED_EVAL_DIR]
    st.session_state[FILES_KEY] = [p for p in st.session_state[FILES_KEY] if p in options]
    if not options:
        st.info(escape_markdown(f"No case files found in {state.SHARED_EVAL_DIR}; upload one (JSON lines, "
                                "one case a line, as in shared/eval/README.md)."))
    paths = st.multiselect("Case files", options, key=FILES_KEY, format_func=lambda p: display_name(p, home),
                           placeholder="Choose case files, or upload one above")
    st.caption("Fields the coder is shown (the others are masked)")
    columns = st.columns(len(QUERY_FIELDS))
    fields = [name for name, column in zip(QUERY_FIELDS, columns)
              if column.checkbox(name, value=True, key=f"evaluation.field.{name}")]
    left, right = st.columns(2, vertical_alignment="bottom")
    sample = left.number_input("Cases per file (0 = all)", min_value=0, value=DEFAULT_SAMPLE, step=100,
                               help="A fixed sample of each file (the same cases every time); 0 scores every case.")
    compare = right.checkbox("Compare channels",
                             help="Also rank with the title, lexical and dense channels alone, on a sample (slower).")
    return paths, fields, int(sample), compare


def remember_upload(home: Path) -> None:
    upload = st.file_uploader("Add a case file (.jsonl)", type=["jsonl"],
                              help="Kept under OCA_HOME/uploads and offered with the shared case files.")
    if upload is None:
        return
    saved: dict[str, str] = st.session_state.setdefault(SAVED_UPLOADS_KEY, {})
    if upload.file_id in saved:
        return
    path = str(save_upload(home, upload.name, upload.getvalue()))
    saved[upload.file_id] = path
    chosen = st.session_state.get(FILES_KEY)
    if chosen is not None and path not in chosen:
        st.session_state[FILES_KEY] = [*chosen, path]


def run_evaluation(engine: CodingEngine, home: Path, paths: list[Path], fields: list[str], *, sample: int,
                   compare: bool) -> None:
    """Check the files, run the suite over those with cases, keep the run, and remember it as this user's latest."""
    known = KnownCodes.from_kb(engine.kb)
    checks = [check_case_file(path, known) for path in paths]
    st.session_state[SKIPPED_KEY] = [c for c in checks if not c.runnable]
    runnable = [c.path for c in checks if c.runnable]
    if not runnable:
        return
    bar = st.progress(0.0, text="Starting…")

    def progress(done: int, total: int) -> None:
        bar.progress(min(done / total, 1.0) if total else 1.0, text=f"Coded {done:,} of {total:,} cases")

    try:
        result = run_suite(engine, runnable, fields, sample=sample or None, compare=compare, progress=progress)
        run_dir = store.save_run(result, home)  # writes report.md, report.json and the plots too
    except (OcaError, OSError) as exc:
        bar.empty()
        st.error(escape_markdown(str(exc)))
        return
    bar.progress(1.0, text=f"Done: {sum(r.n for r in result.files):,} cases in {result.wall_s:.1f} s.")
    st.session_state[state.EVAL_LAST_RUN_KEY] = str(run_dir)


def show_skipped(skipped: list[FileCheck], home: Path) -> None:
    for check in skipped:
        name = escape_markdown(display_name(str(check.path), home))
        if check.error:
            st.error(f"{name} was left out: {escape_markdown(check.error)}")
        else:
            st.error(f"{name} was left out: none of its lines is a case that can be scored.\n\n"
                     + problem_list(check.problems, check.path))


def show_saved_run(run_dir: Path) -> None:
    try:
        result = store.load_run(run_dir)
    except OcaError as exc:
        st.error(escape_markdown(str(exc)))
        return
    show_run(run_dir, result)


def show_run(run_dir: Path, result: SuiteResult) -> None:
    """Headline table, the lines each file had to skip, then the Markdown report with its plots in place."""
    st.caption(escape_markdown(f"Run {result.id} · {result.created:%Y-%m-%d %H:%M} UTC · {result.release} · "
                               f"engine {result.engine_version} · saved in {run_dir}"))
    table = headline_table(result)
    config = {name: st.column_config.NumberColumn(name, format="percent") for name in SHARE_COLUMNS}
    config.update({name: st.column_config.NumberColumn(name, format="%.3f") for name in RATIO_COLUMNS})
    st.dataframe(table, hide_index=True, column_config=config)
    for report in result.files:
        if report.problems:
            st.warning(
                f"{escape_markdown(report.name)}: {len(report.problems):,} line(s) could not be read and were "
                f"skipped; {report.loaded:,} valid case(s) remained.\n\n" + problem_list(report.problems, report.path)
            )
    report_md = run_dir / "report.md"
    with st.expander("Report", expanded=True):
        if report_md.is_file():
            show_report(report_md.read_text(encoding="utf-8"), run_dir)
        else:
            st.caption("This run has no report.md.")


def show_report(markdown: str, run_dir: Path) -> None:
    """The generated report, with its relative image links replaced by the PNGs themselves."""
    for line_group in split_images(markdown):
        if isinstance(line_group, str):
            if line_group.strip():
                st.markdown(line_group)
            continue
        columns = st.columns(len(line_group))
        for column, (alt, name) in zip(columns, line_group):
            image = run_dir / Path(name).name  # only the run's own files
            if image.is_file():
                column.image(str(image), caption=alt)


def split_images(markdown: str) -> list[str | list[tuple[str, str]]]:
    """Markdown text chunks, and for each line of image links the (alt, file) of its images."""
    parts: list[str | list[tuple[str, str]]] = []
    text: list[str] = []
    for line in markdown.splitlines():
        images = REPORT_IMAGE.findall(line)
        if images and not REPORT_IMAGE.sub("", line).strip():
            parts.append("\n".join(text))
            text = []
            parts.append(images)
        else:
            text.append(line)
    parts.append("\n".join(text))
    return parts


def problem_list(problems: list[str], path: str | Path) -> str:
    lines = [f"- {escape_markdown(short_problem(p, path))}" for p in problems[:PROBLEMS_SHOWN]]
    if len(problems) > PROBLEMS_SHOWN:
        lines.append(f"- … and {len(problems) - PROBLEMS_SHOWN:,} more (report.json lists them all)")
    return "\n".join(lines)


def show_earlier_runs(home: Path) -> None:
    summaries = store.list_runs(home)
    if not summaries:
        st.info(NO_RUNS)
        return
    st.dataframe(runs_table(summaries), hide_index=True)
    by_path = {s.path: s for s in summaries}
    st.session_state[CHOSEN_RUNS_KEY] = [p for p in st.session_state.get(CHOSEN_RUNS_KEY, []) if p in by_path]
    chosen = st.multiselect("Open one run, or choose two or more to compare", list(by_path), key=CHOSEN_RUNS_KEY,
                            format_func=lambda p: run_label(by_path[p]))
    if len(chosen) == 1:
        show_saved_run(Path(chosen[0]))
    elif len(chosen) > 1:
        runs = []
        for path in chosen:
            try:
                runs.append((run_column(by_path[path]), store.load_run(Path(path))))
            except OcaError as exc:
                st.error(escape_markdown(str(exc)))
        if len(runs) > 1:
            st.dataframe(comparison_table(runs), hide_index=True)


def display_name(path: str, home: Path) -> str:
    p = Path(path)
    if p.parent == state.SHARED_EVAL_DIR:
        return f"shared/eval/{p.name}"
    if p.parent == uploads_dir(home):
        return f"uploaded: {p.name}"
    return str(p)


# st.Page runs this file as "__main__"; importing it (tests read its constants) draws nothing.
if __name__ == "__main__":
    render()
