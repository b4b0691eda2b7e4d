"""The regression floor: top-1 (SOC detailed) pinned per case file, and the check CI runs against it.

The pins live in eval/floor.json, committed with the code. A run fails the floor when its top-1 on a
pinned file is more than `tolerance_points` percentage points below the pin. Pins record how they were
measured (fields, sample, seed, half), and a run measured differently is refused rather than compared.
Raising or lowering a pin is a deliberate commit of that file (`oca eval ... --write-floor`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ValidationError

from eval.suite import Half, SuiteResult
from retrieval.errors import OcaError

TOLERANCE_POINTS = 2.0
NOTE = ("Pinned top-1 (SOC detailed) per dev set for a fixed sample; CI fails when a run falls more than "
        "tolerance_points below a pin. Update deliberately: see README, 'Regression floor'.")
Status = Literal["ok", "below", "unpinned", "mismatch"]


class FloorError(OcaError):
    """The floor file is missing, unreadable, or its pins cannot be run together."""


class Pin(BaseModel):
    fields: list[str]
    sample: int | None
    seed: int
    half: Half
    limit: int | None = None
    n: int
    top1_soc: float
    engine_version: str = ""


class Floor(BaseModel):
    note: str = NOTE
    tolerance_points: float = TOLERANCE_POINTS
    pins: dict[str, Pin]  # case file stem -> pin


@dataclass(frozen=True, slots=True)
class FloorCheck:
    name: str
    status: Status
    message: str

    @property
    def failed(self) -> bool:
        return self.status in ("below", "mismatch")


@dataclass(frozen=True, slots=True)
class PinnedRun:
    """How to run the pinned files so that their figures compare with the pins."""

    sample: int | None
    seed: int
    half: Half
    limit: int | None
    fields_by_file: dict[str, list[str]]


def load_floor(path: Path) -> Floor:
    path = Path(path)
    if not path.is_file():
        raise FloorError(f"floor file {path} does not exist (write one with `oca eval ... --write-floor {path}`).")
    try:
        return Floor.model_validate_json(path.read_text(encoding="utf-8"))
    except ValidationError as exc:
        raise FloorError(f"floor file {path} is not valid: {' '.join(str(exc).split())}") from exc


def write_floor(floor: Floor, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(floor.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return path


def pins_from(result: SuiteResult) -> dict[str, Pin]:
    return {
        r.name: Pin(fields=list(r.fields), sample=result.sample, seed=result.seed, half=result.half,
                    limit=result.limit, n=r.n,
                    top1_soc=round(r.headline.top1.get("soc") or 0.0, 4), engine_version=r.engine_version)
        for r in result.files
    }


def updated_floor(floor: Floor | None, result: SuiteResult) -> Floor:
    """`floor` with the pins of the run's files replaced by this run's figures; other pins are kept."""
    base = floor or Floor(pins={})
    return base.model_copy(update={"pins": {**base.pins, **pins_from(result)}})


def pinned_run(floor: Floor, names: Sequence[str]) -> PinnedRun:
    """The sample, seed, half, limit and fields the pins of `names` were measured with (one run must fit them all)."""
    pins = [floor.pins[name] for name in names if name in floor.pins]
    if not pins:
        return PinnedRun(sample=None, seed=0, half="all", limit=None, fields_by_file={})
    settings = {(p.sample, p.seed, p.half, p.limit) for p in pins}
    if len(settings) > 1:
        raise FloorError("the pins of these files were measured with different --sample/--seed/--half/--limit; "
                         "check them in separate runs.")
    sample, seed, half, limit = settings.pop()
    return PinnedRun(sample=sample, seed=seed, half=half, limit=limit,
                     fields_by_file={name: floor.pins[name].fields for name in names if name in floor.pins})


def check_floor(result: SuiteResult, floor: Floor) -> list[FloorCheck]:
    """One verdict per file of the run: ok, below the floor, not pinned, or not measured like its pin."""
    tolerance = floor.tolerance_points
    checks = []
    for report in result.files:
        name = report.name
        pin = floor.pins.get(name)
        if pin is None:
            checks.append(FloorCheck(name, "unpinned", f"{name}: no pin, not checked"))
            continue
        measured = (list(report.fields), result.sample, result.seed, result.half, result.limit)
        pinned = (pin.fields, pin.sample, pin.seed, pin.half, pin.limit)
        if measured != pinned:
            checks.append(FloorCheck(name, "mismatch", (
                f"{name}: pinned for {_how(*pinned)} but this run used {_how(*measured)}; "
                "the figures are not comparable (run with the pinned settings, e.g. without --sample/--fields)")))
            continue
        actual = report.headline.top1.get("soc") or 0.0
        drop = (pin.top1_soc - actual) * 100
        floor_value = pin.top1_soc - tolerance / 100
        if drop > tolerance + 1e-9:
            checks.append(FloorCheck(name, "below", (
                f"{name}: top-1 (SOC detailed) {actual * 100:.1f}% is {drop:.1f} points below the pinned "
                f"{pin.top1_soc * 100:.1f}% (floor {floor_value * 100:.1f}%, tolerance {tolerance:g} points)")))
        else:
            checks.append(FloorCheck(name, "ok", (
                f"{name}: top-1 (SOC detailed) {actual * 100:.1f}%, pinned {pin.top1_soc * 100:.1f}% "
                f"(floor {floor_value * 100:.1f}%): ok")))
    return checks


def _how(fields: Sequence[str], sample: int | None, seed: int, half: str, limit: int | None) -> str:
    size = f"a sample of {sample} (seed {seed})" if sample else "all cases"
    first = f" of the first {limit}" if limit else ""
    return f"fields {','.join(fields)}, {size}{first}, half {half}"
