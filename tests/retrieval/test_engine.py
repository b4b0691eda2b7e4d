"""The coding engine on the fixture release with the real packaged MiniLM model: ranking, evidence, staleness."""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from retrieval.embedder import EmbedderError, MiniLMEmbedder
from retrieval.engine import Engine
from retrieval.models import CodingResult
from retrieval.normalize import text_tokens

NURSE, LPN, PHYSICIAN_OTHER = "29-1141.00", "29-2061.00", "29-1229.00"
CASHIER, SALESPERSON, SEWER, TRUCKER, LINE_COOK = "41-2011.00", "41-2031.00", "51-6031.00", "53-3032.00", "35-2014.00"


@pytest.fixture(scope="module")
def engine(fixture_release: Path, fixture_taxonomy: Path, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return Engine.open(fixture_release, fixture_taxonomy, tmp_path_factory.mktemp("engine-home"), progress=False)


def codes(result: CodingResult) -> list[str]:
    return [c.code for c in result.candidates]


# ----- ranking ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("title", ["Staff Nurse", "registered nurse", "RN", "REGISTERED NURSES"])
def test_nurse_titles_rank_registered_nurses_first(engine: Engine, title: str) -> None:
    assert codes(engine.code(title=title))[0] == NURSE


@pytest.mark.parametrize("title", ["LPN", "Licensed Practical Nurse", "lvn"])
def test_practical_nurse_titles_rank_lpn_first(engine: Engine, title: str) -> None:
    assert codes(engine.code(title=title))[0] == LPN


def test_a_misspelt_title_with_its_industry_finds_cashiers(engine: Engine) -> None:
    assert codes(engine.code(title="CASHER", industry="retail"))[0] == CASHIER


def test_a_misspelt_title_is_ranked_as_meant_and_shown_as_written(engine: Engine) -> None:
    result = engine.code(title="Registred Nurse")
    assert codes(result)[0] == NURSE
    assert result.query.title == "Registred Nurse"
    assert engine.code_many([{"title": "Registred Nurse"}])[0].query.title == "Registred Nurse"


@pytest.mark.parametrize(("industry", "expected"), [
    ("nursing home", LPN),  # "Nursing Home Nurse" is an LPN title, "Hospital Nurse" a registered nurse's
    ("hospital", NURSE),
])
def test_a_generic_title_is_read_with_its_industry(engine: Engine, industry: str, expected: str) -> None:
    assert codes(engine.code(title="Nurse", industry=industry))[0] == expected


def test_the_title_named_with_the_industry_is_shown_as_evidence(engine: Engine) -> None:
    top = engine.code(title="Nurse", industry="nursing home").candidates[0]
    shown = [m for m in top.evidence if m.channel == "industry"]
    assert [m.text for m in shown] == ["Nursing Home Nurse"]
    assert shown[0].matched_words == ["home", "nurse", "nursing"]


def test_the_industry_qualified_title_is_what_moves_a_generic_title(engine: Engine, monkeypatch) -> None:
    from retrieval import rank

    monkeypatch.setattr(rank, "TITLE_INDUSTRY_WEIGHT", 0.0)
    # without the title read with its industry, the nursing home's nurse is taken for a registered nurse
    assert codes(engine.code(title="Nurse", industry="nursing home"))[0] == NURSE


@pytest.mark.parametrize(
    ("inverted", "expected"),
    [
        ("SALESPERSON, SHOES", SALESPERSON),
        ("OPERATOR, SEWING MACHINE", SEWER),  # alternate title "Sewing Machine Operator"
        ("DRIVER, TRUCK", TRUCKER),  # alternate title "Truck Driver"
        ("COOK, LINE", LINE_COOK),  # alternate title "Line Cook"
    ],
)
def test_dot_inverted_titles_find_their_occupation(engine: Engine, inverted: str, expected: str) -> None:
    assert codes(engine.code(title=inverted))[0] == expected


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        # Paraphrases of fixture tasks, in words the fixture does not use for them.
        ("Looks after people on the ward, hands out their prescribed drugs and notes any reactions, "
         "and writes up plans for their nursing.", NURSE),
        ("Runs the till at a supermarket: rings through the shopping, hands back change and gives the receipt.",
         CASHIER),
        ("Drives an articulated lorry on fixed runs to drop off loads on time. Checks the brakes and tyres first.",
         TRUCKER),
        ("Feeds cloth beneath the needle to stitch hems and seams on garments.", SEWER),
    ],
)
def test_a_description_alone_ranks_the_right_occupation_in_the_top_three(
    engine: Engine, description: str, expected: str
) -> None:
    assert expected in codes(engine.code(description=description))[:3]


def test_an_all_other_occupation_can_be_returned(engine: Engine) -> None:
    occupation = engine.kb.occupation(PHYSICIAN_OTHER)
    assert occupation.title == "Physicians, All Other"
    assert [hit.code for hit in engine.search("29-1229")] == [PHYSICIAN_OTHER]
    assert [hit.code for hit in engine.search(PHYSICIAN_OTHER)] == [PHYSICIAN_OTHER]
    assert codes(engine.code(title="Physician"))[0] == PHYSICIAN_OTHER


# ----- the shape of an answer -----------------------------------------------------------------------------------

def test_each_candidate_carries_its_soc_code_and_hierarchy(engine: Engine) -> None:
    result = engine.code(title="Staff Nurse", k=len(engine.codes))
    top = result.candidates[0]
    assert top.soc_code == "29-1141"
    assert top.title == "Registered Nurses"
    assert (top.soc.major.code, top.soc.major.title) == ("29-0000", "Healthcare Practitioners and Technical Occupations")
    assert (top.soc.minor.code, top.soc.minor.title) == ("29-1000", "Healthcare Diagnosing or Treating Practitioners")
    assert (top.soc.broad.code, top.soc.broad.title) == ("29-1140", "Registered Nurses")
    assert (top.soc.detailed.code, top.soc.detailed.title) == ("29-1141", "Registered Nurses")
    for candidate in result.candidates:
        soc = candidate.soc
        assert soc.major and soc.minor and soc.broad and soc.detailed, candidate.code
        assert soc.detailed.code == candidate.soc_code == candidate.code[:7]
        assert soc.major.code == candidate.code[:2] + "-0000"
    lpn = next(c for c in result.candidates if c.code == LPN)
    assert lpn.soc.minor.title == "Health Technologists and Technicians"


def test_candidates_are_ranked_with_falling_scores_and_bounded_confidence(engine: Engine) -> None:
    result = engine.code(title="Cook", description="Grills meat and fish and plates the dishes.", k=8)
    assert [c.rank for c in result.candidates] == list(range(1, 9))
    scores = [c.score for c in result.candidates]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= c.confidence <= 1.0 for c in result.candidates)
    assert len({c.code for c in result.candidates}) == 8


def test_a_clear_title_match_is_confident_and_its_runner_up_is_not(engine: Engine) -> None:
    top, second = engine.code(title="Staff Nurse", k=2).candidates
    assert top.confidence > 0.5 > second.confidence


def test_title_evidence_names_the_matched_title_and_words(engine: Engine) -> None:
    top = engine.code(title="Staff Nurse").candidates[0]
    title_evidence = [m for m in top.evidence if m.channel == "title"]
    assert title_evidence, top.evidence
    assert title_evidence[0].text == "Staff Nurse"
    assert title_evidence[0].matched_words == ["nurse", "staff"]


def test_description_evidence_names_the_words_it_matched_on(engine: Engine) -> None:
    description = "Scans the shopping, takes card payment and gives customers their change."
    top = engine.code(description=description).candidates[0]
    assert top.code == CASHIER
    words = set(text_tokens(description))
    matched = [m for m in top.evidence if m.matched_words]
    assert matched, top.evidence
    for match in matched:
        assert set(match.matched_words) <= words
    assert any(m.kind == "task" for m in top.evidence)


def test_a_title_the_description_names_is_shown_as_evidence(engine: Engine) -> None:
    """The description's words that name one of an occupation's titles are a channel of their own ("title mentions");
    the evidence says which title and which words, as for the other channels."""
    description = "I develop the back end of web applications and fix bugs in the code."
    top = engine.code(description=description).candidates[0]
    mentions = [m for m in top.evidence if m.channel == "mention"]
    assert [(m.kind, m.text, m.matched_words, m.score) for m in mentions] == [
        ("alternate_title", "Back End Developer", ["back", "end", "develop"], 1.0)]
    assert not any(m.channel == "mention" for m in engine.code(title="Back End Developer").candidates[0].evidence)


def test_evidence_is_the_same_in_every_process(engine: Engine, fixture_release: Path, fixture_taxonomy: Path) -> None:
    """Words that weigh the same are listed in one order, whatever the interpreter's string-hash seed."""
    script = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from retrieval.engine import Engine\n"
        "e = Engine.open(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), progress=False)\n"
        "r = e.code(title='shop cashier', description='Takes cash and card payment at the till; gives change.')\n"
        "print(json.dumps([[m.matched_words for m in c.evidence] for c in r.candidates[:5]]))\n")
    home = engine._kb_path.parent.parent  # the fixture's OCA_HOME (index/kb.pkl lives under it)
    outputs = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        args = [str(fixture_release), str(fixture_taxonomy), str(home)]
        done = subprocess.run([sys.executable, "-c", script, *args], env=env, capture_output=True, text=True,
                              check=True)
        outputs.add(done.stdout.strip().splitlines()[-1])
    assert len(outputs) == 1, outputs


def test_every_channel_is_reported_for_every_candidate(engine: Engine) -> None:
    result = engine.code(title="Cashier", description="Takes payment at the register.", industry="grocery")
    names = set(result.candidates[0].channels)
    assert {"title", "title_exact", "lexical_description", "dense_description", "lexical_industry"} <= names
    assert all(set(c.channels) == names for c in result.candidates)


def test_the_answer_names_the_release_and_echoes_the_query(engine: Engine) -> None:
    result = engine.code(title="  Staff   Nurse ", industry="hospital")
    assert result.release == "O*NET 29.9"
    assert result.engine_version == engine.engine_version
    assert result.query.title == "Staff Nurse"
    assert result.query.industry == "hospital"
    assert result.elapsed_ms > 0


@pytest.mark.parametrize(("said", "employer"), [
    ("I ring up sales", "for a small company"),
    ("I count cash", "at a large family-owned firm"),
    ("I cook meals", "with the company"),
])
def test_an_employer_named_by_its_size_alone_is_left_out_and_shown_as_said(engine: Engine, said: str,
                                                                           employer: str) -> None:
    told = engine.code(description=f"{said} {employer}.", industry=employer.split(" ", 1)[1])
    plain = engine.code(description=f"{said}.")
    assert [(c.code, c.confidence) for c in told.candidates] == [(c.code, c.confidence) for c in plain.candidates]
    assert told.query.description == f"{said} {employer}."  # as written
    assert told.read_otherwise() == {"description": f"{said}."}


def test_an_employer_named_by_its_trade_stays_in_the_description(engine: Engine) -> None:
    result = engine.code(description="I ring up sales for a grocery company.")
    assert result.read_as is None


@pytest.mark.parametrize("query", [{}, {"title": ""}, {"title": "   ", "description": "\n\t"}, {"title": None}])
def test_an_empty_query_returns_no_candidates(engine: Engine, query: dict) -> None:
    result = engine.code(**query)
    assert result.candidates == []
    assert result.release == "O*NET 29.9"


@pytest.mark.parametrize("k", [1, 3, 5])
def test_k_candidates_are_returned(engine: Engine, k: int) -> None:
    assert len(engine.code(title="nurse", k=k).candidates) == k


def test_k_larger_than_the_release_returns_every_occupation_once(engine: Engine) -> None:
    result = engine.code(title="nurse", k=100)
    assert sorted(codes(result)) == sorted(engine.kb.occupations)


# ----- keyword search -----------------------------------------------------------------------------------------

def test_search_finds_nurse_occupations_with_their_matched_titles(engine: Engine) -> None:
    hits = engine.search("nurse")
    assert {h.code for h in hits[:2]} == {NURSE, LPN}
    for h in hits[:2]:
        assert h.matched_titles
        assert all("nurse" in t.lower() or "lpn" in t.lower() for t in h.matched_titles), h.matched_titles


def test_search_reads_a_misspelt_word_as_meant(engine: Engine) -> None:
    hits = engine.search("Seamstres")  # one letter short of the sewing machine operators' "Seamstress"
    assert hits and hits[0].code == SEWER
    assert any("Seamstress" in t for t in hits[0].matched_titles)


def test_search_respects_k(engine: Engine) -> None:
    assert len(engine.search("nurse", k=1)) == 1


def test_search_does_not_list_occupations_unrelated_to_the_words(engine: Engine) -> None:
    """`oca search nurse` should not pad its table with occupations where nothing matched."""
    unrelated = {"15-1252.00", CASHIER, TRUCKER, SEWER, "35-1011.00"}
    listed = {h.code: h for h in engine.search("nurse")}
    noise = sorted(set(listed) & unrelated)
    assert noise == [], [(code, listed[code].score, listed[code].matched_titles) for code in noise]


def test_search_for_nothing_finds_nothing(engine: Engine) -> None:
    assert engine.search("") == []
    assert engine.search("   ") == []


# ----- opening, building and staleness ---------------------------------------------------------------------------

class FakeEmbedder:
    """Deterministic unit vectors from a hash of the text: stable, fast, and a different model name."""

    name = "fake-embedder"
    dim = 384

    def embed(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        rows = []
        for text in texts:
            seed = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little")
            vector = np.random.default_rng(seed).normal(size=self.dim)
            rows.append(vector / np.linalg.norm(vector))
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), self.dim)


@pytest.fixture(scope="module")
def minilm() -> MiniLMEmbedder:
    return MiniLMEmbedder()


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every index build, by release folder, while still building for real."""
    calls: list[Path] = []
    original = Engine._build

    def counting(onet_dir: Path, *args: object, **kwargs: object):
        calls.append(Path(onet_dir))
        return original(onet_dir, *args, **kwargs)

    monkeypatch.setattr(Engine, "_build", staticmethod(counting))
    return calls


@pytest.fixture
def release_copy(fixture_release: Path, fixture_taxonomy: Path, tmp_path: Path) -> tuple[Path, Path]:
    onet = shutil.copytree(fixture_release, tmp_path / "onet")
    taxonomy = shutil.copytree(fixture_taxonomy, tmp_path / "taxonomy")
    return Path(onet), Path(taxonomy)


def _state_file(home: Path) -> Path:
    return home / "index" / "engine.pkl"


def test_opening_again_with_the_same_inputs_does_not_rebuild(
    release_copy: tuple[Path, Path], tmp_path: Path, minilm: MiniLMEmbedder, builds: list[Path]
) -> None:
    onet, taxonomy = release_copy
    home = tmp_path / "home"
    Engine.open(onet, taxonomy, home, embedder=minilm, progress=False)
    assert len(builds) == 1
    stamp = _state_file(home).stat().st_mtime_ns
    reopened = Engine.open(onet, taxonomy, home, embedder=minilm, progress=False)
    assert len(builds) == 1
    assert _state_file(home).stat().st_mtime_ns == stamp
    assert reopened.code(title="Staff Nurse").candidates[0].code == NURSE


def test_a_different_embedder_forces_a_rebuild(
    release_copy: tuple[Path, Path], tmp_path: Path, minilm: MiniLMEmbedder, builds: list[Path]
) -> None:
    onet, taxonomy = release_copy
    home = tmp_path / "home"
    Engine.open(onet, taxonomy, home, embedder=minilm, progress=False)
    fake = Engine.open(onet, taxonomy, home, embedder=FakeEmbedder(), progress=False)
    assert len(builds) == 2
    # The rebuilt index answers (the title channels do not depend on the embedder).
    assert fake.code(title="Staff Nurse").candidates[0].code == NURSE
    Engine.open(onet, taxonomy, home, embedder=FakeEmbedder(), progress=False)
    assert len(builds) == 2
    back = Engine.open(onet, taxonomy, home, embedder=minilm, progress=False)
    assert len(builds) == 3
    assert back.code(description="Feeds cloth beneath the needle to stitch hems.").candidates[0].code == SEWER


def _dense_evidence(result: CodingResult) -> list[str]:
    return [m.text for c in result.candidates for m in c.evidence if m.channel == "dense"]


def test_the_evidence_shows_dense_texts_without_reading_the_store_and_an_older_state_reads_them(
        release_copy: tuple[Path, Path], tmp_path: Path, minilm: MiniLMEmbedder,
        monkeypatch: pytest.MonkeyPatch) -> None:
    onet, taxonomy = release_copy
    home = tmp_path / "home"
    question = dict(title="Nurse", description="Monitors patients and records their vital signs.")
    built = Engine.open(onet, taxonomy, home, embedder=minilm, progress=False)
    reads: list[list[str]] = []
    original = built._store.documents

    def counted(ids):
        reads.append(list(ids))
        return original(ids)

    monkeypatch.setattr(built._store, "documents", counted)
    shown = _dense_evidence(built.code(**question))
    assert shown and all(shown) and reads == []  # the texts came with the index state

    # a state pickled before it kept the texts: they are read from the store, and the evidence is the same
    state = _state_file(home)
    with state.open("rb") as fh:
        older = pickle.load(fh)
    older.doc_texts = {}
    with state.open("wb") as fh:
        pickle.dump(older, fh)
    reopened = Engine.open(onet, taxonomy, home, embedder=minilm, progress=False)
    original = reopened._store.documents
    monkeypatch.setattr(reopened._store, "documents", counted)
    assert _dense_evidence(reopened.code(**question)) == shown and reads


class QueryCopyEmbedder(FakeEmbedder):
    """A FakeEmbedder whose queries go through a copy that takes a while to open, as onnxruntime's session does."""

    def __init__(self, broken: bool = False) -> None:
        self.broken = broken
        self.asked_by: list[str] = []
        self._copy: FakeEmbedder | None = None
        self._lock = threading.Lock()

    def for_queries(self) -> FakeEmbedder:
        with self._lock:
            self.asked_by.append(threading.current_thread().name)
            if self.broken:
                raise EmbedderError("The query model could not be opened.")
            if self._copy is None:
                time.sleep(0.2)
                self._copy = FakeEmbedder()
            return self._copy


def test_the_query_copy_opens_beside_the_index_and_once(release_copy: tuple[Path, Path], tmp_path: Path) -> None:
    onet, taxonomy = release_copy
    embedder = QueryCopyEmbedder()
    engine = Engine.open(onet, taxonomy, tmp_path / "home", embedder=embedder, progress=False)
    assert "query-encoder" in embedder.asked_by  # started on a thread of its own while the index opened
    assert engine._embedder is embedder._copy
    assert engine.code(title="Staff Nurse").candidates[0].code == NURSE


def test_a_query_copy_that_cannot_open_stops_the_engine_with_its_error(release_copy: tuple[Path, Path],
                                                                       tmp_path: Path) -> None:
    onet, taxonomy = release_copy
    embedder = QueryCopyEmbedder(broken=True)
    with pytest.raises(EmbedderError, match="could not be opened"):
        Engine.open(onet, taxonomy, tmp_path / "home", embedder=embedder, progress=False)
    assert "query-encoder" in embedder.asked_by and len(embedder.asked_by) == 2  # tried early, then raised


def test_rebuild_true_forces_a_rebuild(
    release_copy: tuple[Path, Path], tmp_path: Path, minilm: MiniLMEmbedder, builds: list[Path]
) -> None:
    onet, taxonomy = release_copy
    home = tmp_path / "home"
    Engine.open(onet, taxonomy, home, embedder=minilm, progress=False)
    rebuilt = Engine.open(onet, taxonomy, home, embedder=minilm, progress=False, rebuild=True)
    assert len(builds) == 2
    assert rebuilt.code(title="LPN").candidates[0].code == LPN


def test_the_same_release_copied_afresh_is_not_rebuilt(
    release_copy: tuple[Path, Path], tmp_path: Path, minilm: MiniLMEmbedder, builds: list[Path]
) -> None:
    # Unzipped again, restored or copied to another folder: every file has a new time, nothing else changed.
    onet, taxonomy = release_copy
    home = tmp_path / "home"
    Engine.open(onet, taxonomy, home, embedder=minilm, progress=False)
    stamp = _state_file(home).stat().st_mtime_ns
    for folder in (onet, taxonomy):
        for p in folder.iterdir():
            later = p.stat().st_mtime + 3600
            os.utime(p, (later, later))
    moved_onet = Path(shutil.copytree(onet, tmp_path / "elsewhere" / "onet"))
    moved_taxonomy = Path(shutil.copytree(taxonomy, tmp_path / "elsewhere" / "taxonomy"))
    reopened = Engine.open(moved_onet, moved_taxonomy, home, embedder=minilm, progress=False)
    assert len(builds) == 1
    assert _state_file(home).stat().st_mtime_ns == stamp
    assert reopened.code(title="Staff Nurse").candidates[0].code == NURSE


@pytest.mark.parametrize("folder, name", [("onet", "Task Statements.txt"),
                                          ("taxonomy", "soc2018_direct_match_titles.txt")])
def test_a_release_or_taxonomy_file_edited_in_place_forces_a_rebuild(
    release_copy: tuple[Path, Path], tmp_path: Path, minilm: MiniLMEmbedder, builds: list[Path], folder: str,
    name: str
) -> None:
    onet, taxonomy = release_copy
    home = tmp_path / "home"
    Engine.open(onet, taxonomy, home, embedder=minilm, progress=False)
    edited = (onet if folder == "onet" else taxonomy) / name
    stat = edited.stat()
    text = edited.read_bytes()
    at = text.rindex(b"e")  # one letter of the last row changed: the same size, and the old time put back
    edited.write_bytes(text[:at] + b"a" + text[at + 1:])
    os.utime(edited, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    Engine.open(onet, taxonomy, home, embedder=minilm, progress=False)
    assert len(builds) == 2


def test_an_edited_release_is_rebuilt_and_its_new_titles_are_found(
    release_copy: tuple[Path, Path], tmp_path: Path, minilm: MiniLMEmbedder, builds: list[Path]
) -> None:
    onet, taxonomy = release_copy
    home = tmp_path / "home"
    before = Engine.open(onet, taxonomy, home, embedder=minilm, progress=False)
    assert not any(m.text == "Till Operator" for c in before.code(title="Till Operator").candidates for m in c.evidence)
    with (onet / "Alternate Titles.txt").open("a", encoding="utf-8") as fh:
        fh.write("41-2011.00\tCashiers\tTill Operator\t\t08\n")
    after = Engine.open(onet, taxonomy, home, embedder=minilm, progress=False)
    assert len(builds) == 2
    top = after.code(title="Till Operator").candidates[0]
    assert top.code == CASHIER
    assert any(m.text == "Till Operator" for m in top.evidence)
    assert "Till Operator" in [a.title for a in after.kb.occupation(CASHIER).alt_titles]


@pytest.mark.parametrize("junk", [b"not a pickle at all", b"\x80\x05\x95 truncated", b""])
def test_a_corrupt_state_file_is_rebuilt_instead_of_failing(
    release_copy: tuple[Path, Path], tmp_path: Path, minilm: MiniLMEmbedder, builds: list[Path], junk: bytes
) -> None:
    onet, taxonomy = release_copy
    home = tmp_path / "home"
    Engine.open(onet, taxonomy, home, embedder=minilm, progress=False)
    _state_file(home).write_bytes(junk)
    reopened = Engine.open(onet, taxonomy, home, embedder=minilm, progress=False)
    assert len(builds) == 2
    assert reopened.code(title="Staff Nurse").candidates[0].code == NURSE
    assert _state_file(home).stat().st_size > 1000
