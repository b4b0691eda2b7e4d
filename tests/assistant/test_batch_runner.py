"""`LocalRunner`: chunks coded in pieces by two threads give the rows, in order, that coding each job alone
gives; a job is coded once per run however often it repeats."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from assistant.batch import LocalRunner, code_jobs
from retrieval.engine import Engine

JOBS = [("Staff Nurse", None, None), ("cashier", "Rings up purchases at the register.", "grocery"),
        ("LPN", None, "hospital"), (None, "Operates a zigzag sewing machine to join garment parts.", None),
        ("truck driver", None, None), ("Staff Nurse", None, None), (None, None, None), ("nurse aide", None, None)]


@pytest.fixture(scope="module")
def engine(fixture_release: Path, fixture_taxonomy: Path, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return Engine.open(fixture_release, fixture_taxonomy, tmp_path_factory.mktemp("runner-home"), progress=False)


@pytest.mark.parametrize("piece", [1, 2, 250])
def test_pieces_and_threads_give_each_row_its_own_answer_in_order(engine: Engine, piece: int) -> None:
    chunks = [(n, JOBS[n:n + 3] + JOBS[:n % 4]) for n in range(0, len(JOBS), 3)]
    expected = {job: code_jobs(engine, [job], 2)[0] for job in JOBS}
    seen = []
    for tag, rows in LocalRunner(engine, 2, piece=piece).map(iter(chunks)):
        jobs = dict(chunks)[tag]
        assert rows == [expected[job] for job in jobs]
        seen.append(tag)
    assert seen == [tag for tag, _ in chunks]


def test_a_repeated_job_is_coded_once_per_run(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[tuple] = []
    code_many = engine.code_many

    def counted(queries, *args, **kwargs):
        queries = list(queries)
        asked.extend((q["title"], q["description"], q["industry"]) for q in queries)
        return code_many(queries, *args, **kwargs)

    monkeypatch.setattr(engine, "code_many", counted)
    chunks = [(n, JOBS * 2) for n in range(6)]
    out = list(LocalRunner(engine, 2, piece=3).map(iter(chunks)))
    assert [len(rows) for _, rows in out] == [len(JOBS) * 2] * 6
    assert all(rows == out[0][1] for _, rows in out)
    # the first three chunks are in flight together, so each codes the jobs; the first one's answers are kept
    # before the fourth chunk is read, and no later chunk codes anything
    assert Counter(asked) == {job: 3 for job in set(JOBS)}


def test_rows_are_copies_the_caller_may_change(engine: Engine) -> None:
    runner = LocalRunner(engine, 2)
    (_, first), = runner.map(iter([(0, JOBS[:2])]))
    first[0]["oca_review"] = True
    (_, again), = runner.map(iter([(1, JOBS[:2])]))
    assert "oca_review" not in again[0]
