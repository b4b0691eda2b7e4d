"""`oca batch`: every format in and out, input columns kept, empty rows flagged, resume after an interruption."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from assistant.batch import (
    DEFAULT_POLICY,
    NO_TEXT,
    BatchError,
    Columns,
    Job,
    LocalRunner,
    ReviewPolicy,
    parts_dir,
    policy_from_evaluation,
    run_batch,
)
from assistant.cli import main
from assistant.tabular import TableError, column_names, read_chunks
from retrieval.engine import Engine

TITLES = ["Staff Nurse", "LPN", "cashier", "", "Registered Nurse", "staff nurse", "Retail Salesperson"]
COLUMNS = Columns(title="job title", description="duties", industry="industry", id="id")


@pytest.fixture(scope="module")
def engine(fixture_release: Path, fixture_taxonomy: Path, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return Engine.open(fixture_release, fixture_taxonomy, tmp_path_factory.mktemp("batch-home"), progress=False)


def records(n: int) -> pd.DataFrame:
    """n job records; ids with leading zeros, one row in seven without a title or duties."""
    rows = []
    for i in range(n):
        title = TITLES[i % len(TITLES)]
        rows.append({"id": f"{i:05d}", "job title": title, "duties": "" if i % 3 else "looks after patients",
                     "industry": "hospital" if i % 2 else "", "note": f"row {i}, with a comma"})
    return pd.DataFrame(rows)


def write(frame: pd.DataFrame, path: Path) -> Path:
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    elif path.suffix == ".tsv":
        frame.to_csv(path, index=False, sep="\t")
    elif path.suffix == ".xlsx":
        frame.to_excel(path, index=False)
    else:
        frame.to_parquet(path, index=False)
    return path


def read(path: Path) -> pd.DataFrame:
    """The file as a person opening it would see it: text cells as text, empty numbers as NaN, flags as bools."""
    if path.suffix in (".csv", ".tsv"):
        frame = pd.read_csv(path, sep="\t" if path.suffix == ".tsv" else ",", dtype=str, keep_default_na=False)
    elif path.suffix == ".xlsx":
        frame = pd.read_excel(path, dtype=str, keep_default_na=False)
    else:
        frame = pd.read_parquet(path)
    for name in frame.columns:
        if name.endswith("_confidence") or name == "oca_row":
            frame[name] = pd.to_numeric(frame[name].replace("", None))
        elif name == "oca_review":
            frame[name] = frame[name].map(lambda v: v in (True, "true", "True", "TRUE"))
        else:  # an empty Excel cell reads back as a null
            frame[name] = frame[name].map(lambda v: v if isinstance(v, str) else "")
    return frame


@pytest.mark.parametrize("source, target", [(".csv", ".csv"), (".tsv", ".xlsx"), (".xlsx", ".parquet"),
                                            (".parquet", ".tsv")])
def test_each_format_is_coded_with_its_columns_kept(engine: Engine, tmp_path: Path, source: str,
                                                    target: str) -> None:
    frame = records(23)
    out = tmp_path / f"coded{target}"
    summary = run_batch(write(frame, tmp_path / f"jobs{source}"), out, COLUMNS, LocalRunner(engine, 2),
                        k=2, chunk_rows=5)
    coded = read(out)
    assert summary.rows == len(coded) == 23
    assert list(coded.columns[:5]) == ["id", "job title", "duties", "industry", "note"]
    assert list(coded["id"]) == list(frame["id"])  # leading zeros survive
    assert list(coded["note"]) == list(frame["note"])
    assert list(coded["oca_row"]) == list(range(1, 24))
    for _, row in coded.iterrows():
        if not row["job title"] and not row["duties"]:
            assert bool(row["oca_review"]) and row["oca_review_reason"] == NO_TEXT
            continue
        expected = engine.code(title=row["job title"] or None, description=row["duties"] or None,
                               industry=row["industry"] or None, k=3)
        assert row["oca_code"] == expected.candidates[0].code
        assert row["oca_soc_code"] == expected.candidates[0].soc_code
        assert row["oca_confidence"] == pytest.approx(expected.candidates[0].confidence)
        assert [row["oca_alt1_code"], row["oca_alt2_code"]] == [c.code for c in expected.candidates[1:3]]
        assert row["oca_engine_version"] == engine.engine_version
        assert row["oca_onet_release"] == engine.release
    assert not parts_dir(out).exists()
    assert summary.no_text == sum(1 for t, d in zip(frame["job title"], frame["duties"]) if not t and not d) == 2
    assert summary.flagged == int(coded["oca_review"].astype(bool).sum())


class Interrupting:
    """A runner that codes `chunks` chunks and is then stopped, as Ctrl-C or a crash would stop it."""

    def __init__(self, runner: LocalRunner, chunks: int) -> None:
        self.runner, self.chunks = runner, chunks
        self.coded_rows: list[int] = []

    def map(self, items: Iterable[tuple[Any, list[Job]]]) -> Iterator[tuple[Any, list[dict[str, Any]]]]:
        for n, (table, rows) in enumerate(self.runner.map(items)):
            if n == self.chunks:
                raise KeyboardInterrupt
            yield table, rows


def test_an_interrupted_run_resumes_without_repeating_or_skipping_rows(engine: Engine, tmp_path: Path) -> None:
    source = write(records(47), tmp_path / "jobs.csv")
    runner = LocalRunner(engine, 2)
    whole = run_batch(source, tmp_path / "whole.csv", COLUMNS, runner, k=2, chunk_rows=5)
    assert whole.rows == 47

    out = tmp_path / "coded.csv"
    with pytest.raises(KeyboardInterrupt):
        run_batch(source, out, COLUMNS, Interrupting(LocalRunner(engine, 2), 4), k=2, chunk_rows=5)
    assert not out.exists()
    assert sum(pq.read_metadata(p).num_rows for p in parts_dir(out).glob("part-*.parquet")) == 20
    # a chunk written after the last checkpoint (a crash between the two writes) is coded again, not kept twice
    stray = parts_dir(out) / "part-000004.parquet"
    pq.write_table(pq.read_table(parts_dir(out) / "part-000003.parquet"), stray)

    seen: list[int] = []
    resumed = run_batch(source, out, COLUMNS, LocalRunner(engine, 2), k=2, chunk_rows=5,
                        progress=lambda done, total: seen.append(done))
    assert resumed.resumed_at == 20 and seen[0] == 20 and seen[-1] == 47
    coded, reference = read(out), read(tmp_path / "whole.csv")
    assert list(coded["oca_row"]) == list(range(1, 48))
    assert list(coded["id"]) == list(reference["id"])
    pd.testing.assert_frame_equal(coded, reference)


def test_a_resume_with_other_options_is_refused_until_restarted(engine: Engine, tmp_path: Path) -> None:
    source = write(records(12), tmp_path / "jobs.parquet")
    out = tmp_path / "coded.parquet"
    with pytest.raises(KeyboardInterrupt):
        run_batch(source, out, COLUMNS, Interrupting(LocalRunner(engine, 2), 1), k=2, chunk_rows=4)
    with pytest.raises(BatchError, match="other options"):
        run_batch(source, out, COLUMNS, LocalRunner(engine, 3), k=3, chunk_rows=4)
    summary = run_batch(source, out, COLUMNS, LocalRunner(engine, 3), k=3, chunk_rows=4,
                        restart=True)
    assert summary.resumed_at == 0 and len(read(out)) == 12 and "oca_alt3_code" in read(out).columns


def test_a_resumed_run_flags_rows_by_the_policy_it_started_with(engine: Engine, tmp_path: Path) -> None:
    """A newer evaluation run kept between the two halves must not flag half the file one way and half another."""
    source = write(records(10), tmp_path / "jobs.csv")
    out = tmp_path / "coded.csv"
    strict = ReviewPolicy(thresholds={"title": 1.01, "title_description": 1.01}, source="strict")
    with pytest.raises(KeyboardInterrupt):
        run_batch(source, out, COLUMNS, Interrupting(LocalRunner(engine, 1), 1), k=1, chunk_rows=4, policy=strict)
    lenient = ReviewPolicy(thresholds={"title": 0.0, "title_description": 0.0}, source="lenient")
    summary = run_batch(source, out, COLUMNS, LocalRunner(engine, 1), k=1, chunk_rows=4, policy=lenient)
    coded = read(out)
    assert coded[coded["job title"] != ""]["oca_review"].all()
    assert "strict" in summary.policy


def test_rows_below_the_review_threshold_are_flagged(engine: Engine, tmp_path: Path) -> None:
    source = write(records(14), tmp_path / "jobs.csv")
    confidences = {title: engine.code(title=title).candidates[0].confidence for title in TITLES if title}
    cut = sorted(confidences.values())[len(confidences) // 2]
    policy = ReviewPolicy(thresholds={"title": cut, "title_description": None}, source="test")
    out = tmp_path / "coded.csv"
    run_batch(source, out, COLUMNS, LocalRunner(engine, 1), k=1, chunk_rows=100, policy=policy)
    for _, row in read(out).iterrows():
        if row["duties"] and row["job title"]:
            assert row["oca_review"] and row["oca_review_reason"].startswith("90% precision is not reached")
        elif row["job title"]:
            confidence = engine.code(title=row["job title"], industry=row["industry"] or None).candidates[0].confidence
            below = confidence < cut
            assert bool(row["oca_review"]) == below, row["job title"]
            assert row["oca_review_reason"] == (f"confidence below {cut:.2f}" if below else "")


def test_the_policy_takes_the_stricter_of_two_measurements_of_one_kind_of_query() -> None:
    policy = policy_from_evaluation([(["title", "industry"], 0.6), (["title"], 0.7), (["description"], None),
                                     (["industry"], 0.1)], "run x")
    assert policy.thresholds == {"title": 0.7, "description": None}
    assert policy_from_evaluation([], "nothing") is DEFAULT_POLICY


def test_bad_input_gets_a_clear_message(engine: Engine, tmp_path: Path) -> None:
    runner = LocalRunner(engine, 1)
    source = write(records(3), tmp_path / "jobs.csv")
    with pytest.raises(BatchError, match="has no column 'title'.*'job title'"):
        run_batch(source, tmp_path / "out.csv", Columns(title="title"), runner)
    with pytest.raises(TableError, match="cannot tell the format.*xlsx"):
        run_batch(source, tmp_path / "out.xls", COLUMNS, runner)
    with pytest.raises(BatchError, match="is the input file"):
        run_batch(source, source, COLUMNS, runner)
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("id,job title\n1,nurse\n2,cashier,extra\n", encoding="utf-8")
    with pytest.raises(TableError, match="ragged.csv.*columns"):
        run_batch(ragged, tmp_path / "out.csv", Columns(title="job title"), runner)


def _streaming_peak(path: Path, rows: int) -> int:
    """Write a CSV of `rows` rows, read it in chunks, and return the most Arrow memory the read held."""
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "title"])
        writer.writerows([i, f"machine operator number {i}"] for i in range(rows))
    base = pa.total_allocated_bytes()  # what earlier tests in this process still hold is not this read's
    peak = seen = 0
    for chunk in read_chunks(path, 2000, skip=10):
        assert chunk.num_rows <= 2000
        seen += chunk.num_rows
        peak = max(peak, pa.total_allocated_bytes() - base)
    assert seen == rows - 10
    return peak


def test_a_large_csv_is_read_in_chunks_without_holding_the_file(tmp_path: Path) -> None:
    # Arrow's allocation count wanders by some tens of MB with its block buffers and the allocator's caching;
    # a 120 MB file read whole would need all of it, streamed it needs a fraction.
    path = tmp_path / "big.csv"
    peak = _streaming_peak(path, 3_000_000)
    size = path.stat().st_size
    assert peak < size / 2, f"{peak:,} bytes held while streaming a {size:,}-byte file"


def test_the_command_codes_a_file_and_explains_bad_columns(fixture_release: Path, fixture_taxonomy: Path,
                                                           tmp_path: Path, capsys) -> None:
    source = write(records(9), tmp_path / "jobs.csv")
    home = ["--home", str(tmp_path / "home"), "--onet-dir", str(fixture_release),
            "--taxonomy-dir", str(fixture_taxonomy)]
    assert main(["batch", str(source), str(tmp_path / "out.csv"), "--title-col", "nope", *home]) == 2
    assert "has no column 'nope'" in capsys.readouterr().err
    assert main(["batch", str(source), str(tmp_path / "out.xlsx"), "--title-col", "job title",
                 "--description-col", "duties", "--k", "2", *home]) == 0
    out = capsys.readouterr()
    assert "Coded 9 rows" in out.out and "Review flags:" in out.err
    assert len(read(tmp_path / "out.xlsx")) == 9


@pytest.mark.parametrize(("raw", "titles"), [
    # a spreadsheet set up for decimal commas saves "CSV" with semicolons (and often a byte-order mark)
    ("\ufeffid;job title;industry\n1;Cashier;grocery store\n2;\"Nurse; charge\";hospital\n".encode(),
     ["Cashier", "Nurse; charge"]),
    (b"id|job title\n1|Cashier\n2|Welder, pipe\n", ["Cashier", "Welder, pipe"]),
    (b"id,job title\n1,\"Clerk; file\"\n2,Cook\n", ["Clerk; file", "Cook"]),  # commas still win when the header has them
    # Windows' own encoding, as Excel saves CSV there: not refused, read as such
    ("id,job title\n1,José, cashier\n2,Niñera\n".replace("José, cashier", '"José, cashier"').encode("cp1252"),
     ["José, cashier", "Niñera"]),
])
def test_a_csv_is_read_with_the_separator_and_encoding_it_was_saved_with(tmp_path: Path, raw: bytes,
                                                                        titles: list[str]) -> None:
    path = tmp_path / "jobs.csv"
    path.write_bytes(raw)
    assert column_names(path)[:2] == ["id", "job title"]
    table = pa.concat_tables(read_chunks(path, 1000))
    assert table.column("job title").to_pylist() == titles
