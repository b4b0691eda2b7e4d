"""The review thresholds batch coding takes from the evaluation: the newest kept run's 90%-precision points."""

from __future__ import annotations

from pathlib import Path

from assistant.batch import ReviewPolicy, policy_from_evaluation
from eval.store import RunNotFoundError, list_runs, load_run


def latest_policy(home: Path) -> ReviewPolicy | None:
    """None when no run is kept under `home` (or none can be read)."""
    for summary in list_runs(home):
        try:
            result = load_run(Path(summary.path))
        except (RunNotFoundError, OSError):
            continue
        files = [(report.fields, report.headline.threshold_at_90) for report in result.files]
        source = f"evaluation run {summary.id} of {summary.created:%Y-%m-%d %H:%M} UTC ({', '.join(summary.files)})"
        return policy_from_evaluation(files, source)
    return None
