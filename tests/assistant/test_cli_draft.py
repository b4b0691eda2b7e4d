"""`oca draft` on the fixture release: a Part A file in, the Part B draft out in each format; bad input exits 2
with one line that says what is wrong."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from assistant import cli
from assistant.partb import PartBDraft

PART_A = {
    "contact": {"name": "Ana Ruiz", "email": "ana.ruiz@example.org"},
    "job_title": "Staff nurse",
    "duties": [{"text": "Hands out the medicines doctors prescribe and looks out for side effects"}],
    "licenses": ["Registered Nurse license"],
}


@pytest.fixture(scope="module")
def cli_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("draft-cli-home")


@pytest.fixture(autouse=True)
def clean_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.upper().startswith("OCA_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def part_a_file(tmp_path: Path) -> Path:
    path = tmp_path / "parta.json"
    path.write_text(json.dumps(PART_A), encoding="utf-8")
    return path


def run(cli_home: Path, fixture_release: Path, fixture_taxonomy: Path, *args: str) -> int:
    return cli.main(["draft", *args, "--home", str(cli_home), "--onet-dir", str(fixture_release),
                     "--taxonomy-dir", str(fixture_taxonomy)])


def test_draft_prints_markdown_without_the_contact(cli_home, fixture_release, fixture_taxonomy, part_a_file,
                                                   capsys) -> None:
    assert run(cli_home, fixture_release, fixture_taxonomy, str(part_a_file)) == 0
    out = capsys.readouterr().out
    assert "**Proposed occupation:** 29-1141.00 Registered Nurses" in out
    assert "## Rationale" in out and "ana.ruiz@example.org" not in out


def test_draft_writes_html_and_json_with_the_contact_when_asked(cli_home, fixture_release, fixture_taxonomy,
                                                                part_a_file, tmp_path, capsys) -> None:
    page = tmp_path / "out" / "partb.html"
    assert run(cli_home, fixture_release, fixture_taxonomy, str(part_a_file), "--format", "html", "--out", str(page),
               "--contact") == 0
    assert "written to" in capsys.readouterr().out
    assert "ana.ruiz@example.org" in page.read_text(encoding="utf-8")
    assert run(cli_home, fixture_release, fixture_taxonomy, str(part_a_file), "--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    assert PartBDraft.model_validate(data["part_b"]).code == "29-1141.00"
    assert "contact" not in data["part_a"]


@pytest.mark.parametrize(("content", "words"), [
    ('{"job_title": "nurse", "contact": {"email": "not-an-address"}}', "contact.email"),
    ("{not json", "not a valid Part A"),
    ("{}", "nothing to code"),
])
def test_bad_part_a_files_exit_2_with_one_line(cli_home, fixture_release, fixture_taxonomy, tmp_path, capsys,
                                               content: str, words: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    assert run(cli_home, fixture_release, fixture_taxonomy, str(path)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:") and words in err[0]


def test_a_missing_file_exits_2(cli_home, fixture_release, fixture_taxonomy, tmp_path, capsys) -> None:
    assert run(cli_home, fixture_release, fixture_taxonomy, str(tmp_path / "absent.json")) == 2
    assert "cannot read" in capsys.readouterr().err
