"""Tables of evaluation results for the Evaluation page: one run's headline, the kept runs, runs side by side.

Pure functions from `eval.suite.SuiteResult` / `eval.store.RunSummary` to pandas frames, tested without
Streamlit. Shares stay in [0, 1] in the headline (the page formats them); the comparison is text, because
its rows mix shares with MRR and ECE.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from eval.metrics import LEVEL_LABELS, LEVELS, Headline
from eval.store import RunSummary
from eval.suite import SuiteResult

LEVEL_COLUMNS = [f"top-{k} {LEVEL_LABELS[level]}" for level in LEVELS for k in (1, 5)]
AUTO_CODED_COLUMNS = ["auto-coded at 90% precision", "auto-coded at 95% precision"]
SHARE_COLUMNS = LEVEL_COLUMNS + AUTO_CODED_COLUMNS
RATIO_COLUMNS = ["MRR", "ECE"]


def headline_table(result: SuiteResult) -> pd.DataFrame:
    """One row a case file: its size, top-1 and top-5 at every level, MRR, calibration and auto-coding."""
    rows = []
    for report in result.files:
        h = report.headline
        row: dict[str, object] = {"file": report.name, "fields": ", ".join(report.fields), "cases": report.n}
        for level in LEVELS:
            row[f"top-1 {LEVEL_LABELS[level]}"] = h.top1.get(level)
            row[f"top-5 {LEVEL_LABELS[level]}"] = h.top5.get(level)
        row.update({"MRR": h.mrr, "ECE": h.ece, "auto-coded at 90% precision": h.coverage_at_90,
                    "auto-coded at 95% precision": h.coverage_at_95})
        rows.append(row)
    return pd.DataFrame(rows, columns=["file", "fields", "cases", *LEVEL_COLUMNS, *RATIO_COLUMNS, *AUTO_CODED_COLUMNS])


def run_label(summary: RunSummary) -> str:
    """How a run is offered for choosing: when, its id, and its files."""
    return f"{summary.created:%Y-%m-%d %H:%M} · {summary.id} · {', '.join(summary.files)}"


def run_column(summary: RunSummary) -> str:
    """A run's column header in the comparison: short, and unique because the id is."""
    return f"{summary.id} ({summary.created:%m-%d %H:%M})"


def runs_table(summaries: Sequence[RunSummary]) -> pd.DataFrame:
    """One row a kept run, newest first as listed: when, which files, how many cases, top-1 at SOC detailed."""
    rows = [{
        "created (UTC)": s.created.strftime("%Y-%m-%d %H:%M"),
        "run": s.id,
        "files": ", ".join(f"{name} [{', '.join(s.fields.get(name, []))}]" for name in s.files),
        "cases": sum(s.n.values()),
        "top-1 SOC detailed": "; ".join(f"{name} {percent(s.top1.get(name))}" for name in s.files),
        "channels compared": s.compare,
        "engine": s.engine_version,
    } for s in summaries]
    return pd.DataFrame(rows, columns=["created (UTC)", "run", "files", "cases", "top-1 SOC detailed",
                                       "channels compared", "engine"])


def measures(h: Headline) -> list[tuple[str, float | None, str]]:
    """(name, value, kind) of each figure that is compared between runs; kind is 'share' or 'ratio'."""
    out = [(f"{name} {LEVEL_LABELS[level]}", getattr(h, key).get(level), "share")
           for key, name in (("top1", "top-1"), ("top5", "top-5")) for level in LEVELS]
    out += [("MRR SOC detailed", h.mrr, "ratio"), ("ECE", h.ece, "ratio"),
            ("auto-coded at 90% precision", h.coverage_at_90, "share")]
    return out


def comparison_table(runs: Sequence[tuple[str, SuiteResult]]) -> pd.DataFrame:
    """Runs side by side: a row per (case file, measure), a column per run, as text.

    Rows are keyed by the file alone, so runs that showed the coder different fields line up (the first
    rows of each file say which fields and how many cases). A file a run did not score is blank in its
    column; the last column is the change from the first run to the last.
    """
    labels = [label for label, _ in runs]
    cells: dict[tuple[str, str], dict[str, str]] = {}
    numbers: dict[tuple[str, str], dict[str, float | None]] = {}
    kinds: dict[str, str] = {}
    for label, result in runs:
        for report in result.files:
            cells.setdefault((report.name, "fields shown"), {})[label] = ", ".join(report.fields)
            cells.setdefault((report.name, "cases"), {})[label] = f"{report.n:,}"
            for name, value, kind in measures(report.headline):
                kinds[name] = kind
                cells.setdefault((report.name, name), {})[label] = show(value, kind)
                numbers.setdefault((report.name, name), {})[label] = value
    records = []
    for key, by_run in cells.items():
        if key in numbers and all(v is None for v in numbers[key].values()):
            continue  # e.g. the O*NET-SOC level of SOC-level gold
        file, name = key
        record = {"file": file, "measure": name, **{label: by_run.get(label, "") for label in labels}}
        first, last = numbers.get(key, {}).get(labels[0]), numbers.get(key, {}).get(labels[-1])
        record["change"] = change(first, last, kinds[name]) if key in numbers and len(labels) > 1 else ""
        records.append(record)
    return pd.DataFrame(records, columns=["file", "measure", *labels, "change"])


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def show(value: float | None, kind: str) -> str:
    if value is None:
        return "n/a"
    return percent(value) if kind == "share" else f"{value:.3f}"


def change(first: float | None, last: float | None, kind: str) -> str:
    if first is None or last is None:
        return ""
    delta = last - first
    return f"{delta * 100:+.1f} pt" if kind == "share" else f"{delta:+.3f}"
