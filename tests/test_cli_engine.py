"""`oca` end to end on the fixture release: the real engine behind the command line."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from assistant import cli
from retrieval.models import SCHEMA_VERSION, CodingResult

CANDIDATE_KEYS = {"rank", "code", "title", "soc_code", "soc", "score", "confidence", "channels", "evidence"}


@pytest.fixture(scope="module")
def cli_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli-home")


@pytest.fixture(autouse=True)
def clean_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Only the command line configures these runs: no OCA_* variables, no stray .env in the working directory."""
    for name in list(os.environ):
        if name.upper().startswith("OCA_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def globals_(cli_home: Path, fixture_release: Path, fixture_taxonomy: Path) -> list[str]:
    return ["--home", str(cli_home), "--onet-dir", str(fixture_release), "--taxonomy-dir", str(fixture_taxonomy)]


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_index_builds_and_names_the_release(globals_: list[str], cli_home: Path, capsys) -> None:
    code, out, _ = run([*globals_, "index"], capsys)
    assert code == 0
    assert "O*NET 29.9" in out
    assert "13 occupations" in out
    assert (cli_home / "index" / "engine.pkl").is_file()


def test_code_json_parses_into_a_coding_result(globals_: list[str], capsys) -> None:
    code, out, _ = run([*globals_, "code", "--title", "Staff Nurse", "--json"], capsys)
    assert code == 0
    raw = json.loads(out)
    assert {"schema_version", "query", "candidates", "release", "engine_version", "elapsed_ms"} <= set(raw)
    assert raw["schema_version"] == SCHEMA_VERSION == "1"
    assert raw["release"] == "O*NET 29.9"
    assert raw["query"]["title"] == "Staff Nurse"
    assert raw["candidates"]
    for candidate in raw["candidates"]:
        assert CANDIDATE_KEYS <= set(candidate), candidate.keys()
        assert 0.0 <= candidate["confidence"] <= 1.0
    result = CodingResult.model_validate_json(out)
    top = result.candidates[0]
    assert (top.rank, top.code, top.title, top.soc_code) == (1, "29-1141.00", "Registered Nurses", "29-1141")
    assert top.soc.major is not None and top.soc.major.code == "29-0000"
    assert top.evidence and top.channels


def test_code_k_limits_the_candidates(globals_: list[str], capsys) -> None:
    code, out, _ = run([*globals_, "code", "--description", "Drives a lorry to deliver freight.", "--k", "2",
                        "--json"], capsys)
    assert code == 0
    result = CodingResult.model_validate_json(out)
    assert [c.rank for c in result.candidates] == [1, 2]
    assert result.candidates[0].code == "53-3032.00"


def test_code_prints_a_readable_table(globals_: list[str], capsys) -> None:
    code, out, _ = run([*globals_, "code", "--title", "CASHER", "--industry", "retail"], capsys)
    assert code == 0
    first = next(line for line in out.splitlines() if line.strip().startswith("1 "))
    assert "41-2011.00" in first and "Cashiers" in first and "%" in first


def test_global_options_may_follow_the_command(globals_: list[str], capsys) -> None:
    code, out, _ = run(["code", "--title", "LPN", "--json", *globals_], capsys)
    assert code == 0
    assert CodingResult.model_validate_json(out).candidates[0].code == "29-2061.00"


def test_occupation_prints_the_title_and_tasks(globals_: list[str], capsys) -> None:
    code, out, _ = run([*globals_, "occupation", "29-1141"], capsys)
    assert code == 0
    assert out.startswith("29-1141.00  Registered Nurses")
    assert "Tasks" in out
    assert "Draw up and update individual nursing care plans." in out
    assert "Staff Nurse" in out
    assert "29-0000  Healthcare Practitioners and Technical Occupations" in out


def test_occupation_of_an_unknown_code_exits_2_with_a_message(globals_: list[str], capsys) -> None:
    code, out, err = run([*globals_, "occupation", "99-9999"], capsys)
    assert code == 2
    assert out == ""
    assert err.startswith("error:")
    assert "99-9999" in err
    assert len(err.strip().splitlines()) == 1


def test_search_json_lists_the_nurse_occupations(globals_: list[str], capsys) -> None:
    code, out, _ = run([*globals_, "search", "nurse", "--json"], capsys)
    assert code == 0
    hits = json.loads(out)
    assert {h["code"] for h in hits[:2]} == {"29-1141.00", "29-2061.00"}
    assert hits[0]["matched_titles"]
