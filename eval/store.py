"""Evaluation runs kept on disk, so that two runs can be compared later (and listed by the app).

Each run is a folder `<home>/eval_runs/<UTC timestamp>-<id>/` with the full report (report.md,
report.json, plots) and a small summary.json that lets a listing skip the per-case data.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ValidationError

from eval.report import REPORT_JSON, write_report
from eval.suite import SuiteResult
from retrieval.errors import OcaError

RUNS_DIR = "eval_runs"
SUMMARY_JSON = "summary.json"


class RunNotFoundError(OcaError):
    """A kept run is missing or unreadable."""


class RunSummary(BaseModel):
    id: str
    created: datetime
    path: str
    engine_version: str
    files: list[str]
    fields: dict[str, list[str]]  # file name -> the fields it was coded from
    n: dict[str, int]
    top1: dict[str, float | None]  # file name -> top-1 at SOC detailed
    compare: bool = False


def summarize_run(result: SuiteResult, path: Path) -> RunSummary:
    return RunSummary(
        id=result.id,
        created=result.created,
        path=str(path),
        engine_version=result.engine_version,
        files=[r.name for r in result.files],
        fields={r.name: list(r.fields) for r in result.files},
        n={r.name: r.n for r in result.files},
        top1={r.name: r.headline.top1.get("soc") for r in result.files},
        compare=result.compare,
    )


def runs_dir(home: Path) -> Path:
    return Path(home) / RUNS_DIR


def save_run(result: SuiteResult, home: Path) -> Path:
    """Write the run's report into a new folder under `home`; return the folder."""
    folder = runs_dir(home) / f"{result.created:%Y%m%dT%H%M%SZ}-{result.id}"
    write_report(result, folder)
    summary = summarize_run(result, folder)
    (folder / SUMMARY_JSON).write_text(summary.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return folder


def list_runs(home: Path) -> list[RunSummary]:
    """Kept runs, newest first; a folder that cannot be read is left out rather than failing the list."""
    root = runs_dir(home)
    if not root.is_dir():
        return []
    out = []
    for folder in root.iterdir():
        summary_path = folder / SUMMARY_JSON
        try:
            if summary_path.is_file():
                summary = RunSummary.model_validate_json(summary_path.read_text(encoding="utf-8"))
                out.append(summary.model_copy(update={"path": str(folder)}))
            elif (folder / REPORT_JSON).is_file():
                out.append(summarize_run(load_run(folder), folder))
        except (OSError, ValueError, RunNotFoundError):
            continue
    return sorted(out, key=lambda s: (s.created, s.id), reverse=True)


def load_run(path: Path) -> SuiteResult:
    """The run kept in folder `path` (or the report.json `path` names)."""
    path = Path(path)
    report = path / REPORT_JSON if path.is_dir() else path
    if not report.is_file():
        raise RunNotFoundError(f"no evaluation run at {path} (expected a folder with {REPORT_JSON}).")
    try:
        return SuiteResult.model_validate_json(report.read_text(encoding="utf-8"))
    except ValidationError as exc:
        raise RunNotFoundError(
            f"{report} is not an evaluation report of this version ({exc.error_count()} errors).") from exc
