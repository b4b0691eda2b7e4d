"""The `oca` command line over a fake engine: output shapes, exit codes, and the eval --json schema."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import pytest

from assistant import cli, service
from assistant.settings import Settings
from retrieval.errors import ReleaseError
from retrieval.models import Candidate, CodingResult, Match, Query, SearchHit, SocHierarchy, SocLevel
from retrieval.onet import AltTitle, KnowledgeBase, Occupation, SocGroup, Task, Taxonomy, Tech

OCCUPATIONS = {
    "11-1011.00": "Chief Executives",
    "11-1021.00": "General and Operations Managers",
    "29-1141.00": "Registered Nurses",
    "29-1141.01": "Acute Care Nurses",
    "29-1171.00": "Nurse Practitioners",
    "29-1221.00": "Pediatricians, General",
    "29-1229.01": "Allergists and Immunologists",
    "43-4051.00": "Customer Service Representatives",
    "43-4171.00": "Receptionists and Information Clerks",
    "51-6011.00": "Laundry and Dry-Cleaning Workers",
    "51-6021.00": "Pressers, Textile, Garment, and Related Materials",
    "51-6031.00": "Sewing Machine Operators",
}


def build_kb() -> KnowledgeBase:
    occupations = {code: Occupation(code=code, title=title, description=f"{title} do things.", soc_code=code[:7])
                   for code, title in OCCUPATIONS.items()}
    nurse = occupations["29-1141.00"]
    nurse.alt_titles = [AltTitle(f"Nurse Title {i:02d}", "", "") for i in range(25)]
    nurse.tasks = [Task("2", "Record vital signs.", "supplemental"), Task("1", "Administer medications.", "core")]
    nurse.dwas = ["Monitor patient conditions."]
    nurse.technology = [Tech("Charting software", "Medical software", False), Tech("Epic Systems", "Medical software", True)]
    nurse.tools = ["Stethoscopes"]
    nurse.job_zone = 4
    nurse.education = {3: 10.0, 6: 80.0}
    nurse.related = ["29-1171.00", "29-1141.01"]
    groups = {
        "29-0000": SocGroup("29-0000", "Healthcare Practitioners and Technical Occupations", "major"),
        "29-1000": SocGroup("29-1000", "Healthcare Diagnosing or Treating Practitioners", "minor"),
        "29-1140": SocGroup("29-1140", "Registered Nurses", "broad"),
        "29-1141": SocGroup("29-1141", "Registered Nurses", "detailed"),
    }
    return KnowledgeBase(
        release="O*NET test",
        occupations=occupations,
        taxonomy=Taxonomy(groups=groups, onetsoc_to_soc={c: c[:7] for c in occupations}),
        education_categories={3: "Post-Secondary Certificate", 6: "Bachelor's Degree"},
        job_zone_names={4: "Job Zone Four: Considerable Preparation Needed"},
    )


class FakeEngine:
    """Answers from a fixed table keyed by the first non-empty query field; records every call."""

    release = "O*NET test"
    engine_version = "0.0.0+fake"

    def __init__(self, answers: dict[str, list[str]] | None = None) -> None:
        self.kb = build_kb()
        self.answers = answers or {}
        self.calls: list[dict[str, object]] = []

    def code(self, title: str | None = None, description: str | None = None, industry: str | None = None,
             k: int = 10) -> CodingResult:
        self.calls.append({"title": title, "description": description, "industry": industry, "k": k})
        codes = self.answers.get(title or description or industry or "", [])[:k]
        candidates = [
            Candidate(
                rank=i + 1,
                code=code,
                title=OCCUPATIONS[code],
                soc_code=self.kb.soc_of(code),
                soc=SocHierarchy(detailed=SocLevel(code=self.kb.soc_of(code), title=OCCUPATIONS[code])),
                score=1.0 / (i + 1),
                confidence=round(0.87 / (i + 1), 4),
                channels={"title": 0.9},
                evidence=[Match(channel="title", kind="alternate_title", text=f"{OCCUPATIONS[code]} evidence",
                                matched_words=["nurse"], score=0.9)],
            )
            for i, code in enumerate(codes)
        ]
        return CodingResult(query=Query(title=title, description=description, industry=industry),
                            candidates=candidates, release=self.release, engine_version=self.engine_version,
                            elapsed_ms=3.0)

    def search(self, query: str, k: int = 20) -> list[SearchHit]:
        return [SearchHit(code="29-1141.00", title="Registered Nurses", score=2.0,
                          matched_titles=["Charge Nurse"], matched_tasks=["Administer medications."])][:k]


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> FakeEngine:
    fake = FakeEngine({"Registered nurse": ["29-1141.00", "29-1171.00"]})
    built: list[tuple[Settings, bool]] = []

    def fake_build_engine(settings: Settings, *, progress: bool = True, rebuild: bool = False,
                          lay_titles: bool = True) -> FakeEngine:
        built.append((settings, rebuild))
        return fake

    monkeypatch.setattr(service, "build_engine", fake_build_engine)
    fake.built = built  # type: ignore[attr-defined]
    return fake


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_code_json_is_a_coding_result_with_the_documented_keys(engine: FakeEngine, tmp_path: Path, capsys) -> None:
    rc, out, _ = run(["--home", str(tmp_path), "code", "--title", "Registered nurse", "--json"], capsys)
    assert rc == 0
    result = CodingResult.model_validate_json(out)
    assert [c.code for c in result.candidates] == ["29-1141.00", "29-1171.00"]
    data = json.loads(out)
    assert set(data) == {"schema_version", "query", "read_as", "candidates", "release", "engine_version",
                         "elapsed_ms"}
    assert data["schema_version"] == "1"
    assert set(data["candidates"][0]) == {
        "rank", "code", "title", "soc_code", "soc", "score", "confidence", "channels", "evidence"}
    assert set(data["candidates"][0]["evidence"][0]) == {"channel", "kind", "text", "matched_words", "score"}
    assert engine.calls[-1] == {"title": "Registered nurse", "description": None, "industry": None, "k": 10}


def test_code_prints_a_ranked_list_with_confidence_and_evidence(engine: FakeEngine, capsys) -> None:
    rc, out, _ = run(["code", "--title", "Registered nurse", "--k", "3"], capsys)
    assert rc == 0
    first = next(line for line in out.splitlines() if line.strip().startswith("1 "))
    assert "29-1141.00" in first and "Registered Nurses" in first and "29-1141" in first and "87%" in first
    assert "alternate title: Registered Nurses evidence [nurse]" in out
    assert engine.calls[-1]["k"] == 3


def test_code_needs_a_title_or_description(engine: FakeEngine, capsys) -> None:
    rc, _, err = run(["code", "--industry", "hospital"], capsys)
    assert rc == 2
    assert err.startswith("error: ") and "--title" in err
    assert engine.calls == []


def test_global_options_go_before_or_after_the_command(engine: FakeEngine, tmp_path: Path, capsys) -> None:
    run(["--home", str(tmp_path / "a"), "--onet-dir", "x", "index"], capsys)
    run(["index", "--rebuild", "--home", str(tmp_path / "b"), "--taxonomy-dir", "t"], capsys)
    (first, first_rebuild), (second, second_rebuild) = engine.built  # type: ignore[attr-defined]
    assert (first.home, first.onet_dir, first_rebuild) == (tmp_path / "a", Path("x"), False)
    assert (second.home, second.taxonomy_dir, second_rebuild) == (tmp_path / "b", Path("t"), True)


def test_index_reports_what_was_built(engine: FakeEngine, tmp_path: Path, capsys) -> None:
    rc, out, _ = run(["index", "--home", str(tmp_path)], capsys)
    assert rc == 0
    assert "O*NET test" in out and "0.0.0+fake" in out and str(tmp_path.resolve()) in out


def test_product_errors_are_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    def broken(settings: Settings, *, progress: bool = True, rebuild: bool = False) -> FakeEngine:
        raise ReleaseError("O*NET release folder /nowhere does not exist. Set OCA_ONET_DIR.")

    monkeypatch.setattr(service, "build_engine", broken)
    rc, out, err = run(["search", "nurse"], capsys)
    assert rc == 2 and out == ""
    assert err == "error: O*NET release folder /nowhere does not exist. Set OCA_ONET_DIR.\n"


def test_search_prints_a_table_and_json(engine: FakeEngine, capsys) -> None:
    rc, out, _ = run(["search", "nurse"], capsys)
    assert rc == 0
    assert "29-1141.00" in out and "title: Charge Nurse" in out and "task: Administer medications." in out
    rc, out, _ = run(["search", "nurse", "--json"], capsys)
    assert [SearchHit.model_validate(h).code for h in json.loads(out)] == ["29-1141.00"]


def test_occupation_accepts_a_soc_code_and_shows_the_profile(engine: FakeEngine, capsys) -> None:
    rc, out, _ = run(["occupation", "29-1141"], capsys)
    assert rc == 0
    assert out.startswith("29-1141.00  Registered Nurses")
    assert "29-0000  Healthcare Practitioners and Technical Occupations" in out
    assert "Alternate titles (first 20 of 25)" in out
    assert "Nurse Title 19" in out and "Nurse Title 20" not in out
    assert out.index("[core] Administer medications.") < out.index("[supplemental] Record vital signs.")
    assert out.index("Epic Systems (hot)") < out.index("Charting software")
    assert "Job zone 4: Job Zone Four: Considerable Preparation Needed" in out
    assert "Typical education: Bachelor's Degree" in out
    assert "29-1171.00  Nurse Practitioners" in out


def test_occupation_json(engine: FakeEngine, capsys) -> None:
    rc, out, _ = run(["occupation", "29-1141.00", "--json"], capsys)
    profile = service.OccupationProfile.model_validate_json(out)
    assert rc == 0 and profile.soc.broad is not None and profile.soc.broad.code == "29-1140"
    assert len(profile.alternate_titles) == 25


def test_occupation_unknown_code_exits_2_with_a_message(engine: FakeEngine, capsys) -> None:
    rc, out, err = run(["occupation", "99-9999"], capsys)
    assert rc == 2 and out == ""
    assert err.startswith("error: '99-9999' is not an O*NET-SOC code of the O*NET test release")
    assert len(err.strip().splitlines()) == 1


def write_lines(path: Path, lines: list[object]) -> Path:
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n")
    return path


def case(case_id: str, title: str, gold: list[str], level: str = "onetsoc") -> dict[str, object]:
    return {"id": case_id, "title": title, "description": f"{title} duties", "industry": None,
            "gold": gold, "gold_level": level, "source": "test"}


def test_eval_json_has_the_schema_and_hand_computed_scores(engine: FakeEngine, tmp_path: Path, capsys) -> None:
    engine.answers = {
        "zigzag": ["51-6031.00", "51-6021.00"],  # right at every level
        "nurse": ["29-1141.00", "29-1171.00"],  # multi-gold: SOC right at 1, O*NET-SOC right at 2
        "allergist": ["29-1229.01", "51-6031.00"],  # broad-level-only hit (29-122)
        "clerk": ["11-1011.00", "43-4171.00", "51-6011.00", "29-1141.00", "51-6021.00", "43-4051.00"],
        "vp": ["29-1171.00"],
        "ceo": ["11-1021.00", "11-1011.00"],
    }
    dot = write_lines(tmp_path / "dot.jsonl", [
        case("a", "zigzag", ["51-6031.00"]),
        case("b", "nurse", ["29-1141.01", "29-1171.00"]),
        '{"id": "broken", "title": ',
        case("c", "allergist", ["29-1221.00"]),
        case("d", "clerk", ["43-4051.00"]),
    ])
    acs = write_lines(tmp_path / "acs.jsonl", [
        case("e", "vp", ["29-1141", "29-1171"], "soc"),
        case("f", "ceo", ["11-1011"], "soc"),
    ])
    out_path = tmp_path / "out" / "scores.json"
    rc, out, err = run(["eval", str(dot), str(acs), "--json", str(out_path)], capsys)
    assert rc == 0
    assert f"{dot}, line 3: not valid JSON" in err
    written = json.loads(out_path.read_text())
    assert [set(entry) for entry in written] == [
        {"cases", "n", "fields", "top1", "top5", "p50_ms", "p95_ms"}] * 2
    first, second = written
    assert (first["cases"], first["n"], first["fields"]) == (str(dot), 4, ["title", "description", "industry"])
    assert first["top1"] == {"onetsoc": 0.25, "soc": 0.5, "broad": 0.75, "minor": 0.75, "major": 0.75}
    assert first["top5"] == {"onetsoc": 0.5, "soc": 0.5, "broad": 0.75, "minor": 1.0, "major": 1.0}
    assert (second["cases"], second["n"]) == (str(acs), 2)
    assert second["top1"] == {"onetsoc": None, "soc": 0.5, "broad": 0.5, "minor": 1.0, "major": 1.0}
    assert second["top5"] == {"onetsoc": None, "soc": 1.0, "broad": 1.0, "minor": 1.0, "major": 1.0}
    for entry in written:
        assert isinstance(entry["p50_ms"], float) and entry["p95_ms"] >= entry["p50_ms"] >= 0
    assert "O*NET-SOC" in out and "25.0%" in out
    assert all(call["k"] == 5 for call in engine.calls)


def test_eval_shows_the_coder_only_the_named_fields(engine: FakeEngine, tmp_path: Path, capsys) -> None:
    cases = write_lines(tmp_path / "c.jsonl", [case("a", "zigzag", ["51-6031.00"]), case("b", "x", ["51-6031.00"])])
    engine.answers = {"zigzag duties": ["51-6031.00"]}
    out_path = tmp_path / "s.json"
    rc, _, _ = run(["eval", str(cases), "--fields", "description,industry", "--limit", "1",
                    "--json", str(out_path)], capsys)
    assert rc == 0
    assert engine.calls == [{"title": None, "description": "zigzag duties", "industry": None, "k": 5}]
    [entry] = json.loads(out_path.read_text())
    assert entry["fields"] == ["description", "industry"] and entry["n"] == 1 and entry["top1"]["onetsoc"] == 1.0


def test_eval_rejects_unknown_fields_and_missing_files(engine: FakeEngine, tmp_path: Path, capsys) -> None:
    rc, _, err = run(["eval", str(tmp_path / "none.jsonl")], capsys)
    assert rc == 2 and "does not exist" in err
    cases = write_lines(tmp_path / "c.jsonl", [case("a", "zigzag", ["51-6031.00"])])
    rc, _, err = run(["eval", str(cases), "--fields", "title,employer"], capsys)
    assert rc == 2 and err.startswith("error: fields must be")


def test_build_engine_maps_settings_to_engine_open(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    opened: dict[str, object] = {}

    class RecordingEngine:
        @classmethod
        def open(cls, onet_dir: Path, taxonomy_dir: Path, home: Path, **options: object) -> str:
            opened.update(onet_dir=onet_dir, taxonomy_dir=taxonomy_dir, home=home, **options)
            return "engine"

    def build_embedder(kind: str, model: str | None = None, base_url: str | None = None,
                       api_key: str | None = None, cache_dir: Path | None = None) -> tuple[str, ...]:
        assert cache_dir == tmp_path / "new" / "home" / "models"
        return (kind, model, base_url, api_key)  # type: ignore[return-value]

    monkeypatch.setitem(sys.modules, "retrieval.engine", types.SimpleNamespace(Engine=RecordingEngine))
    monkeypatch.setitem(sys.modules, "retrieval.embedder", types.SimpleNamespace(build_embedder=build_embedder))
    settings = Settings(onet_dir=Path("o"), taxonomy_dir=Path("t"), home=tmp_path / "new" / "home",
                        chroma_url="http://localhost:8000", embedder="openai", embedding_model="m",
                        embedding_base_url="http://e", llm_api_key="secret")  # type: ignore[arg-type]
    assert service.build_engine(settings, progress=False, rebuild=True) == "engine"
    assert (tmp_path / "new" / "home").is_dir()
    assert opened == {"onet_dir": Path("o"), "taxonomy_dir": Path("t"), "home": tmp_path / "new" / "home",
                      "embedder": ("openai", "m", "http://e", "secret"), "chroma_url": "http://localhost:8000",
                      "progress": False, "rebuild": True}
