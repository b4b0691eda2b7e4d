"""Which evaluation case files the app offers (the shared development sets and uploads), and checking them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from eval.cases import CaseFileError, KnownCodes, load_cases

UPLOADS = "uploads"
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def uploads_dir(home: Path) -> Path:
    return home / UPLOADS


def case_file_options(shared_dir: Path, home: Path) -> list[Path]:
    """Every *.jsonl in the shared evaluation folder, then the uploaded ones (each group by name)."""
    found: list[Path] = []
    for folder in (shared_dir, uploads_dir(home)):
        if folder.is_dir():
            found += sorted(folder.glob("*.jsonl"))
    return found


def save_upload(home: Path, name: str, data: bytes) -> Path:
    """Keep an uploaded case file under OCA_HOME/uploads, named after the upload (made filesystem-safe)."""
    stem = _UNSAFE_NAME.sub("_", Path(name).stem).strip("._") or "cases"
    target = uploads_dir(home) / f"{stem}.jsonl"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


@dataclass(frozen=True)
class FileCheck:
    """What the loader says about a file before a run: how many cases it can score, and why not if none."""

    path: Path
    n_cases: int
    problems: list[str] = field(default_factory=list)
    error: str | None = None  # the file cannot be read at all

    @property
    def runnable(self) -> bool:
        return self.error is None and self.n_cases > 0


def check_case_file(path: Path, known: KnownCodes | None = None) -> FileCheck:
    try:
        cases, problems = load_cases(path, known)
    except CaseFileError as exc:
        return FileCheck(path, 0, error=str(exc))
    return FileCheck(path, len(cases), [str(p) for p in problems])


def short_problem(problem: str, path: str | Path) -> str:
    """'line 3: …' from the loader's 'PATH, line 3: …'; the page names the file above its problems."""
    return problem.removeprefix(f"{path}, ")
