"""Evaluation cases: one JSON object a line (see ../shared/eval/README.md).

Case files are read leniently: a bad line costs that case and is reported with its line number, so one
typo in a 5,000-line file does not hide the score of the other 4,999.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from retrieval.errors import OcaError
from retrieval.onet import ONETSOC_RE, SOC_RE, KnowledgeBase

GoldLevel = Literal["onetsoc", "soc"]
QueryField = Literal["title", "description", "industry"]
QUERY_FIELDS: tuple[QueryField, ...] = ("title", "description", "industry")
GOLD_SHAPES = {
    "onetsoc": (ONETSOC_RE, "O*NET-SOC 2019 codes like 51-6031.00"),
    "soc": (SOC_RE, "2018 SOC detailed codes like 51-6031"),
}


class CaseFileError(OcaError):
    """A case file cannot be read at all (missing, not UTF-8)."""


class Case(BaseModel):
    """What a customer told us about one job, and every code a coder would accept for it."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str
    title: str | None
    description: str | None
    industry: str | None
    gold: list[str] = Field(min_length=1)
    gold_level: GoldLevel
    source: str

    @field_validator("gold")
    @classmethod
    def _strip_codes(cls, codes: list[str]) -> list[str]:
        return [code.strip() for code in codes]

    @model_validator(mode="after")
    def _gold_has_its_level_shape(self) -> Case:
        pattern, shape = GOLD_SHAPES[self.gold_level]
        bad = [code for code in self.gold if not pattern.match(code)]
        if bad:
            raise ValueError(f"gold_level {self.gold_level!r} wants {shape}; got {', '.join(map(repr, bad))}")
        return self

    def query(self, fields: Sequence[QueryField]) -> dict[QueryField, str | None]:
        """The query a coder gets when shown only `fields` (the others masked as absent)."""
        return {name: (getattr(self, name) if name in fields else None) for name in QUERY_FIELDS}


@dataclass(frozen=True, slots=True)
class CaseProblem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}, line {self.line}: {self.message}"


def parse_fields(text: str) -> list[QueryField]:
    """'title,description' -> ['title', 'description']; unknown or no names raise ValueError."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in QUERY_FIELDS]
    if unknown or not names:
        raise ValueError(
            f"fields must be a comma-separated subset of {','.join(QUERY_FIELDS)}; got {text!r}"
        )
    return [name for name in QUERY_FIELDS if name in names]  # type: ignore[misc]


@dataclass(frozen=True, slots=True)
class KnownCodes:
    """The codes a release knows, so that a gold code with the right shape but no occupation is caught."""

    onetsoc: frozenset[str]
    soc: frozenset[str]
    release: str = "the release"

    @classmethod
    def from_kb(cls, kb: KnowledgeBase) -> KnownCodes:
        """O*NET-SOC codes of the release and its crosswalk; SOC detailed codes of the taxonomy and crosswalk."""
        taxonomy = kb.taxonomy
        onetsoc = set(kb.occupations) | set(taxonomy.onetsoc_to_soc)
        soc = {occ.soc_code for occ in kb.occupations.values() if occ.soc_code}
        soc |= set(taxonomy.onetsoc_to_soc.values())
        soc |= {group.code for group in taxonomy.groups.values() if group.level == "detailed"}
        return cls(frozenset(onetsoc), frozenset(soc), kb.release or "the release")

    def unknown(self, codes: Sequence[str], level: GoldLevel) -> list[str]:
        known: Collection[str] = self.onetsoc if level == "onetsoc" else self.soc
        return [code for code in codes if code not in known]


def in_fit_half(case_id: str) -> bool:
    """Whether a case belongs to the half used to fit the confidence model (scripts/fit_calibration.py).

    The split hashes the id, so it does not depend on file order and the same case always lands on the
    same side; calibration is reported on the other half.
    """
    return hashlib.sha1(case_id.encode()).digest()[0] % 2 == 0


def sample_cases(cases: Sequence[Case], n: int, seed: int = 0) -> list[Case]:
    """A deterministic sample of `n` cases, kept in file order.

    Cases are ranked by a hash of seed and id rather than drawn from a random generator, so a pinned
    sample stays the same across Python versions and when lines are added or reordered.
    """
    if n >= len(cases):
        return list(cases)

    def key(case: Case) -> bytes:
        return hashlib.sha1(f"{seed}:{case.id}".encode()).digest()

    chosen = {case.id for case in sorted(cases, key=key)[:n]}
    return [case for case in cases if case.id in chosen]


def require_case_file(path: Path | str) -> Path:
    path = Path(path)
    if not path.is_file():
        raise CaseFileError(f"case file {path} does not exist (expected JSON lines as in shared/eval/README.md).")
    return path


def load_cases(path: Path | str, known: KnownCodes | None = None) -> tuple[list[Case], list[CaseProblem]]:
    """The valid cases of a JSON-lines file, and a problem for each line that is not one.

    With `known`, a gold code the release does not know also costs its line (a typo such as 51-6301.00
    has the right shape, and would otherwise score as a case nobody can get right).
    """
    path = require_case_file(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise CaseFileError(f"case file {path} is not UTF-8 text ({exc}).") from exc

    cases: list[Case] = []
    problems: list[CaseProblem] = []
    first_line_of: dict[str, int] = {}
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(CaseProblem(str(path), lineno, f"not valid JSON ({exc.msg} at column {exc.colno})"))
            continue
        if not isinstance(data, dict):
            problems.append(CaseProblem(str(path), lineno, f"expected a JSON object, got {type(data).__name__}"))
            continue
        try:
            case = Case.model_validate(data)
        except ValidationError as exc:
            problems.append(CaseProblem(str(path), lineno, describe_validation_error(exc)))
            continue
        if known is not None and (unknown := known.unknown(case.gold, case.gold_level)):
            codes = ", ".join(map(repr, unknown))
            problems.append(CaseProblem(str(path), lineno, f"unknown gold code(s) {codes}: not in {known.release}"))
            continue
        if case.id in first_line_of:
            problems.append(
                CaseProblem(str(path), lineno, f"duplicate id {case.id!r} (first on line {first_line_of[case.id]})")
            )
            continue
        first_line_of[case.id] = lineno
        cases.append(case)
    if not cases:
        first = "; ".join(f"line {p.line}: {p.message}" for p in problems[:3])
        raise CaseFileError(f"case file {path} has no usable cases (expected one JSON object a line, as in "
                            f"shared/eval/README.md){': ' + first if first else ''}.")
    return cases, problems


def describe_validation_error(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"])
        if error["type"] == "missing":
            parts.append(f"missing field {where!r}")
        else:
            message = error["msg"].removeprefix("Value error, ")
            parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)
