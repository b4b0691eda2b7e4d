"""The regression floor: the check's verdicts, its failure path through `oca eval --floor`, and CI's check
of the real engine against the figures pinned in eval/floor.json.

The real-data test is how CI enforces the floor: `.ci/run` runs `./test`, which runs it whenever ../shared
holds the O*NET release and the dev sets (the `real_engine` fixture in tests/conftest.py: set OCA_TEST_HOME
to an already built home to skip building the real index).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from assistant import cli
from eval.floor import Floor, Pin, check_floor, load_floor, pinned_run, updated_floor
from eval.suite import SuiteResult, run_suite
from tests.conftest import SHARED_ONET
from tests.eval.fakes import ScriptedEngine

if TYPE_CHECKING:
    from retrieval.engine import Engine

REPO_FLOOR = Path(__file__).parents[2] / "eval" / "floor.json"
SHARED_EVAL = SHARED_ONET.parent / "eval"


@pytest.fixture
def result(engine: ScriptedEngine, cases_file: Path) -> SuiteResult:
    return run_suite(engine, [cases_file], ["title"])  # top-1 SOC 40.0%


def pin(top1: float, **changes: object) -> Pin:
    fields = {"fields": ["title"], "sample": None, "seed": 0, "half": "all", "n": 5, "top1_soc": top1}
    return Pin.model_validate({**fields, **changes})


def test_a_drop_of_more_than_two_points_fails_naming_the_file_and_both_figures(result: SuiteResult) -> None:
    [check] = check_floor(result, Floor(pins={"dot": pin(0.43)}))
    assert check.failed and check.status == "below"
    assert check.message == ("dot: top-1 (SOC detailed) 40.0% is 3.0 points below the pinned 43.0% "
                             "(floor 41.0%, tolerance 2 points)")


def test_a_drop_within_two_points_passes(result: SuiteResult) -> None:
    [check] = check_floor(result, Floor(pins={"dot": pin(0.42)}))
    assert not check.failed and check.status == "ok" and "40.0%" in check.message and "42.0%" in check.message
    [better] = check_floor(result, Floor(pins={"dot": pin(0.30)}))
    assert better.status == "ok"


def test_unpinned_files_are_not_checked_and_other_settings_are_refused(result: SuiteResult) -> None:
    [unpinned] = check_floor(result, Floor(pins={"acs": pin(0.9)}))
    assert unpinned.status == "unpinned" and not unpinned.failed
    [mismatch] = check_floor(result, Floor(pins={"dot": pin(0.1, sample=300)}))
    assert mismatch.failed and mismatch.status == "mismatch"
    assert "a sample of 300 (seed 0)" in mismatch.message and "all cases" in mismatch.message


def test_pinned_run_takes_the_settings_of_the_pins() -> None:
    floor = Floor(pins={"a": pin(0.5, sample=300, fields=["title", "industry"]),
                        "b": pin(0.4, sample=300, fields=["description"])})
    run = pinned_run(floor, ["a", "b", "c"])
    assert (run.sample, run.seed, run.half, run.limit) == (300, 0, "all", None)
    assert run.fields_by_file == {"a": ["title", "industry"], "b": ["description"]}
    with pytest.raises(Exception, match="different --sample"):
        pinned_run(Floor(pins={"a": pin(0.5, sample=300), "b": pin(0.4, sample=100)}), ["a", "b"])


def test_updated_floor_replaces_only_the_pins_of_the_run(result: SuiteResult) -> None:
    floor = updated_floor(Floor(pins={"dot": pin(0.9), "acs": pin(0.5)}), result)
    assert floor.pins["dot"].top1_soc == 0.4 and floor.pins["acs"].top1_soc == 0.5
    assert floor.pins["dot"].engine_version == "0.0.0+fake"


def test_oca_eval_floor_exits_1_with_a_message_per_file(engine: ScriptedEngine, cases_file: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    floor_path = tmp_path / "floor.json"
    floor_path.write_text(Floor(pins={"dot": pin(0.70)}).model_dump_json())
    rc = cli.main(["eval", str(cases_file), "--fields", "title", "--floor", str(floor_path)])
    err = capsys.readouterr().err
    assert rc == 1
    assert ("floor failed: dot: top-1 (SOC detailed) 40.0% is 30.0 points below the pinned 70.0% "
            "(floor 68.0%, tolerance 2 points)") in err


def test_write_floor_then_check_it_with_the_pinned_settings(engine: ScriptedEngine, cases_file: Path,
                                                            tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    floor_path = tmp_path / "eval" / "floor.json"
    rc = cli.main(["eval", str(cases_file), "--fields", "title", "--sample", "3", "--seed", "1",
                   "--write-floor", str(floor_path)])
    out = capsys.readouterr().out
    assert rc == 0 and f"Pinned top-1 (SOC detailed) in {floor_path}: dot " in out
    written = load_floor(floor_path).pins["dot"]
    assert (written.fields, written.sample, written.seed, written.n) == (["title"], 3, 1, 3)

    engine.calls.clear()
    rc = cli.main(["eval", str(cases_file), "--floor", str(floor_path)])  # fields, sample, seed from the pin
    out = capsys.readouterr().out
    assert rc == 0 and "floor: dot: top-1 (SOC detailed)" in out and ": ok" in out
    assert len(engine.calls) <= 3 and all(call["description"] is None for call in engine.calls)

    rc = cli.main(["eval", str(cases_file), "--sample", "4", "--floor", str(floor_path)])
    assert rc == 1 and "not comparable" in capsys.readouterr().err


def test_oca_eval_floor_with_a_missing_file_is_a_product_error(engine: ScriptedEngine, cases_file: Path,
                                                               tmp_path: Path, capsys) -> None:
    rc = cli.main(["eval", str(cases_file), "--floor", str(tmp_path / "none.json")])
    assert rc == 2 and "does not exist" in capsys.readouterr().err


# ----- the real engine against the committed pins (CI) ---------------------------------------------------

@pytest.mark.real_data
def test_the_real_engine_stays_above_the_pinned_floor(real_engine: Engine) -> None:
    floor = load_floor(REPO_FLOOR)
    paths = [SHARED_EVAL / f"{name}.jsonl" for name in sorted(floor.pins)]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        pytest.skip(f"dev sets not found: {', '.join(missing)}")
    run = pinned_run(floor, [p.stem for p in paths])
    result = run_suite(real_engine, paths, ["title"], limit=run.limit, sample=run.sample, seed=run.seed,
                       half=run.half, fields_by_file=run.fields_by_file)
    checks = check_floor(result, floor)
    assert [c.status for c in checks] == ["ok"] * len(paths), "\n".join(c.message for c in checks)
