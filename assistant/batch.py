"""Batch coding: a file of job records in, the same file with codes, alternatives and review flags out.

The input is streamed in chunks (`assistant.tabular`); each chunk is coded by a runner (threads in this
process, or Ray actors, `assistant.batch_ray`) and saved as a Parquet part beside the output together with a
small checkpoint, both replaced atomically. An interrupted run started again with the same options resumes
after the last saved chunk, so no row is coded twice or skipped; when every chunk is in, the parts are
joined into the output file in its own format and removed.
"""

from __future__ import annotations

import os
import shutil
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel

from assistant.tabular import TableWriter, column_names, count_rows, format_of, read_chunks
from retrieval.errors import OcaError
from retrieval.models import CodingResult, Query
from retrieval.rank import query_mode

if TYPE_CHECKING:
    from retrieval.engine import Engine

PREFIX = "oca_"
DEFAULT_K = 3
DEFAULT_CHUNK_ROWS = 1000
# The confidence (of the top answer) at or above which the evaluation suite measured 90% of answers right
# at the SOC detailed level, by what the coder was shown: ACS write-in titles (title + industry) for
# "title", DOT descriptions with the title masked (description + industry) for "description", DOT with
# every field for "title_description". Measured with `oca eval ... --half report` (the cases the confidence
# model was not fitted on: 2,414 ACS, 1,270 DOT; "description" with engine 0.1.0+s10.f8.c11.q2, the others with
# s10.f7.c10.q2, whose title and all-fields answers s10.f8 leaves as they were). A newer evaluation run kept with
# `oca eval --keep` replaces them.
DEFAULT_THRESHOLDS: dict[str, float | None] = {"title": 0.73, "description": 0.83, "title_description": 0.53}
# For a kind of query no evaluation measured, the calibrated confidence itself: 0.9 means 90% right.
UNMEASURED_THRESHOLD = 0.9
CACHE_ENTRIES = 100_000

NO_TEXT = "no title or description"
LOW_CONFIDENCE = "confidence below {threshold:.2f}"
UNREACHED = "90% precision is not reached for {mode} queries"


Job = tuple[str | None, str | None, str | None]  # title, description, industry


class BatchError(OcaError):
    """A batch run cannot start or go on as asked."""


class ReviewPolicy(BaseModel):
    """Which coded rows a person should check: the confidence below which 90% precision is not met."""

    thresholds: dict[str, float | None]  # by query mode; None: no confidence reaches 90% precision
    source: str

    def reason(self, job: Job, confidence: float | None) -> str:
        """Why a coded job needs review ("" when it does not); `confidence` is its top answer's."""
        title, description, _ = job
        if confidence is None or not (title or description):
            return NO_TEXT
        mode = query_mode(Query(title=title, description=description))
        threshold = self.thresholds.get(mode, UNMEASURED_THRESHOLD)
        if threshold is None:
            return UNREACHED.format(mode=mode.replace("_", " + "))
        if confidence < threshold:
            return LOW_CONFIDENCE.format(threshold=threshold)
        return ""

    def describe(self) -> str:
        parts = [f"{mode.replace('_', ' + ')} >= {t:.2f}" if t is not None else f"{mode.replace('_', ' + ')}: always"
                 for mode, t in sorted(self.thresholds.items())]
        return f"review below {', '.join(parts)} (others < {UNMEASURED_THRESHOLD:.2f}); from {self.source}"


DEFAULT_POLICY = ReviewPolicy(thresholds=DEFAULT_THRESHOLDS, source="the default thresholds (no evaluation run kept)")


def policy_from_evaluation(files: Iterable[tuple[Sequence[str], float | None]], source: str) -> ReviewPolicy:
    """A policy from an evaluation's files: (fields the coder was shown, threshold for 90% precision).

    When two files measured the same kind of query, the stricter threshold wins.
    """
    thresholds: dict[str, float | None] = {}
    for fields, threshold in files:
        has_title, has_description = "title" in fields, "description" in fields
        if not (has_title or has_description):
            continue
        mode = "title_description" if has_title and has_description else "title" if has_title else "description"
        if mode in thresholds and (thresholds[mode] is None or threshold is None):
            thresholds[mode] = None
        else:
            thresholds[mode] = max(threshold, thresholds.get(mode) or 0.0) if threshold is not None else None
    return ReviewPolicy(thresholds=thresholds, source=source) if thresholds else DEFAULT_POLICY


@dataclass(frozen=True)
class Columns:
    """Which input columns hold the job's words (and an optional row identifier)."""

    title: str
    description: str | None = None
    industry: str | None = None
    id: str | None = None

    def check(self, names: Sequence[str], path: Path) -> None:
        for option, name in (("--title-col", self.title), ("--description-col", self.description),
                             ("--industry-col", self.industry), ("--id-col", self.id)):
            if name is not None and name not in names:
                raise BatchError(f"{path} has no column {name!r} (given as {option}); its columns are "
                                 f"{', '.join(repr(n) for n in names)}.")


def output_fields(k: int) -> list[pa.Field]:
    fields = [pa.field(f"{PREFIX}row", pa.int64()), pa.field(f"{PREFIX}code", pa.string()),
              pa.field(f"{PREFIX}title", pa.string()), pa.field(f"{PREFIX}soc_code", pa.string()),
              pa.field(f"{PREFIX}confidence", pa.float64()), pa.field(f"{PREFIX}review", pa.bool_()),
              pa.field(f"{PREFIX}review_reason", pa.string())]
    for i in range(1, k + 1):
        fields += [pa.field(f"{PREFIX}alt{i}_code", pa.string()), pa.field(f"{PREFIX}alt{i}_title", pa.string()),
                   pa.field(f"{PREFIX}alt{i}_confidence", pa.float64())]
    fields += [pa.field(f"{PREFIX}engine_version", pa.string()), pa.field(f"{PREFIX}onet_release", pa.string())]
    return fields


def coded_row(result: CodingResult, k: int) -> dict[str, Any]:
    """The output columns for one coded job but its row number and review flag: top answer, k runners-up."""
    candidates = result.candidates
    top = candidates[0] if candidates else None
    row: dict[str, Any] = {
        f"{PREFIX}code": top.code if top else None,
        f"{PREFIX}title": top.title if top else None,
        f"{PREFIX}soc_code": top.soc_code if top else None,
        f"{PREFIX}confidence": top.confidence if top else None,
    }
    for i in range(1, k + 1):
        alt = candidates[i] if i < len(candidates) else None
        row[f"{PREFIX}alt{i}_code"] = alt.code if alt else None
        row[f"{PREFIX}alt{i}_title"] = alt.title if alt else None
        row[f"{PREFIX}alt{i}_confidence"] = alt.confidence if alt else None
    row[f"{PREFIX}engine_version"] = result.engine_version
    row[f"{PREFIX}onet_release"] = result.release
    return row


def code_jobs(engine: Engine, jobs: Sequence[Job], k: int) -> list[dict[str, Any]]:
    """Output columns for each job; asks the engine for the top answer and k runners-up."""
    results = engine.code_many([{"title": t, "description": d, "industry": i} for t, d, i in jobs], k=k + 1,
                               evidence=False)
    return [coded_row(result, k) for result in results]


class Runner(Protocol):
    """Codes chunks of jobs, in order: `map` yields (tag, coded rows) for each (tag, jobs) it is given."""

    def map(self, chunks: Iterable[tuple[Any, list[Job]]]) -> Iterator[tuple[Any, list[dict[str, Any]]]]: ...


class LocalRunner:
    """This process: each chunk's new jobs are coded in pieces of `piece` jobs by `threads` threads, so that
    while one piece is embedded, searched and title-matched (native code that leaves Python's lock) another
    is ranked in Python, the last chunk too; answers already given in this run are reused (write-ins
    repeat). Only the calling thread reads and fills that cache."""

    def __init__(self, engine: Engine, k: int, threads: int = 2, piece: int = 250) -> None:
        self.engine, self.k, self.threads, self.piece = engine, k, threads, piece
        self._cache: OrderedDict[Job, dict[str, Any]] = OrderedDict()

    def map(self, chunks: Iterable[tuple[Any, list[Job]]]) -> Iterator[tuple[Any, list[dict[str, Any]]]]:
        with ThreadPoolExecutor(self.threads, thread_name_prefix="oca-batch") as pool:
            pending: deque[tuple[Any, list[Job], dict[Job, dict[str, Any]], list[tuple[list[Job], Future]]]] = deque()
            for tag, jobs in chunks:
                known, missing = self._known(jobs)
                pieces = [missing[i:i + self.piece] for i in range(0, len(missing), self.piece)]
                pending.append((tag, jobs, known, [(p, pool.submit(code_jobs, self.engine, p, self.k)) for p in pieces]))
                if len(pending) > self.threads:
                    yield self._finish(*pending.popleft())
            while pending:
                yield self._finish(*pending.popleft())

    def _known(self, jobs: list[Job]) -> tuple[dict[Job, dict[str, Any]], list[Job]]:
        """The chunk's distinct jobs answered earlier in this run, and the others."""
        known: dict[Job, dict[str, Any]] = {}
        missing: list[Job] = []
        for job in dict.fromkeys(jobs):
            row = self._cache.get(job)
            if row is None:
                missing.append(job)
            else:
                known[job] = row
        return known, missing

    def _finish(self, tag: Any, jobs: list[Job], known: dict[Job, dict[str, Any]],
                pieces: list[tuple[list[Job], Future]]) -> tuple[Any, list[dict[str, Any]]]:
        for piece, future in pieces:
            known.update(zip(piece, future.result()))
        return tag, self._rows(jobs, known)

    def _rows(self, jobs: list[Job], known: dict[Job, dict[str, Any]]) -> list[dict[str, Any]]:
        self._cache.update(known)
        while len(self._cache) > CACHE_ENTRIES:
            self._cache.popitem(last=False)
        return [dict(known[job]) for job in jobs]  # the caller adds the review columns to its own copy


class Checkpoint(BaseModel):
    """What a resumed run must match, and how far the last one got."""

    input: str
    input_size: int
    input_mtime_ns: int
    options: dict[str, Any]
    rows_done: int = 0
    parts: int = 0


class BatchSummary(BaseModel):
    output: str
    rows: int
    coded: int
    flagged: int
    no_text: int
    resumed_at: int  # rows already done by an earlier, interrupted run
    seconds: float
    rows_per_second: float
    policy: str


Progress = Callable[[int, int | None], None]  # rows done, rows in all (None when unknown)


def parts_dir(out_path: Path) -> Path:
    return Path(f"{out_path}.oca-parts")


def run_batch(in_path: Path, out_path: Path, columns: Columns, runner: Runner, *, k: int = DEFAULT_K,
              policy: ReviewPolicy = DEFAULT_POLICY, chunk_rows: int = DEFAULT_CHUNK_ROWS, restart: bool = False,
              progress: Progress | None = None) -> BatchSummary:
    """Code every row of `in_path` into `out_path`; resumes an interrupted run unless `restart`."""
    in_path, out_path = Path(in_path), Path(out_path)
    check_input(in_path, out_path, columns, k)
    folder = parts_dir(out_path)
    checkpoint = _start(in_path, folder, columns, k, chunk_rows, policy, restart)
    policy = ReviewPolicy.model_validate(checkpoint.options["policy"])  # a resumed run keeps its first policy
    total = count_rows(in_path)
    resumed_at = checkpoint.rows_done
    started = time.perf_counter()
    if progress:
        progress(checkpoint.rows_done, total)

    def chunks() -> Iterator[tuple[tuple[pa.Table, list[Job]], list[Job]]]:
        for table in read_chunks(in_path, chunk_rows, skip=checkpoint.rows_done):
            jobs = _jobs(table, columns)
            yield (table, jobs), jobs

    for (table, jobs), rows in runner.map(chunks()):
        first_row = checkpoint.rows_done + 1
        for job, row in zip(jobs, rows):
            reason = policy.reason(job, row[f"{PREFIX}confidence"])
            row[f"{PREFIX}review"], row[f"{PREFIX}review_reason"] = bool(reason), reason
        coded = pa.Table.from_pylist(rows, schema=pa.schema(output_fields(k)[1:]))
        numbers = pa.array(range(first_row, first_row + table.num_rows), pa.int64())
        out = table.append_column(output_fields(k)[0], numbers)
        for field in coded.schema:
            out = out.append_column(field, coded.column(field.name))
        _save_part(folder, checkpoint, out)
        if progress:
            progress(checkpoint.rows_done, total)
    _join_parts(folder, checkpoint, out_path)
    summary = _summary(folder, out_path, checkpoint, resumed_at, started, policy)
    shutil.rmtree(folder, ignore_errors=True)
    return summary


def check_input(in_path: Path, out_path: Path, columns: Columns, k: int) -> None:
    """Everything that can be said about the files before any coding starts."""
    format_of(out_path)
    names = column_names(in_path)
    columns.check(names, in_path)
    if in_path.resolve() == Path(out_path).resolve():
        raise BatchError(f"the output {out_path} is the input file; write the codes to another file.")
    clash = sorted(set(names) & {f.name for f in output_fields(k)})
    if clash:
        raise BatchError(f"{in_path} already has the output column(s) {clash}; rename them, or code the original file.")


def _jobs(table: pa.Table, columns: Columns) -> list[Job]:
    def texts(name: str | None) -> list[str | None]:
        if name is None:
            return [None] * table.num_rows
        return [None if v is None else (" ".join(str(v).split()) or None) for v in table.column(name).to_pylist()]

    jobs = []
    for title, description, industry in zip(texts(columns.title), texts(columns.description), texts(columns.industry)):
        # industry alone says where, not what: such a row is not coded
        jobs.append((title, description, industry) if title or description else (None, None, None))
    return jobs


def _start(in_path: Path, folder: Path, columns: Columns, k: int, chunk_rows: int, policy: ReviewPolicy,
           restart: bool) -> Checkpoint:
    stat = in_path.stat()
    options = {"columns": [columns.title, columns.description, columns.industry, columns.id], "k": k,
               "chunk_rows": chunk_rows, "policy": policy.model_dump()}
    fresh = Checkpoint(input=str(in_path.resolve()), input_size=stat.st_size, input_mtime_ns=stat.st_mtime_ns,
                       options=options)
    path = folder / "checkpoint.json"
    if path.is_file() and not restart:
        try:
            saved = Checkpoint.model_validate_json(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise BatchError(f"the checkpoint {path} cannot be read ({exc}); run again with --restart.") from exc
        same_input = (saved.input, saved.input_size, saved.input_mtime_ns) == (fresh.input, fresh.input_size,
                                                                              fresh.input_mtime_ns)
        if not same_input:
            raise BatchError(f"{path} belongs to a run over {saved.input} as it was then; the input differs now. "
                             "Run again with --restart to start over.")
        if {**saved.options, "policy": None} != {**options, "policy": None}:
            raise BatchError(f"{path} belongs to a run with other options ({saved.options['columns']}, "
                             f"k={saved.options['k']}, chunk {saved.options['chunk_rows']}); give the same options "
                             "to resume it, or --restart to start over.")
        for stray in folder.glob("part-*.parquet"):  # written after the last checkpoint: coded again
            if int(stray.stem.split("-")[1]) >= saved.parts:
                stray.unlink()
        return saved
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    _write_checkpoint(folder, fresh)
    return fresh


def _save_part(folder: Path, checkpoint: Checkpoint, table: pa.Table) -> None:
    part = folder / f"part-{checkpoint.parts:06d}.parquet"
    tmp = part.with_suffix(".tmp")
    pq.write_table(table, tmp)
    os.replace(tmp, part)
    checkpoint.rows_done += table.num_rows
    checkpoint.parts += 1
    _write_checkpoint(folder, checkpoint)


def _write_checkpoint(folder: Path, checkpoint: Checkpoint) -> None:
    tmp = folder / "checkpoint.json.tmp"
    tmp.write_text(checkpoint.model_dump_json(indent=1), encoding="utf-8")
    os.replace(tmp, folder / "checkpoint.json")


def _join_parts(folder: Path, checkpoint: Checkpoint, out_path: Path) -> None:
    parts = [folder / f"part-{i:06d}.parquet" for i in range(checkpoint.parts)]
    if not parts:
        raise BatchError("the input has a header but no rows; there is nothing to code.")
    schema = pq.read_schema(parts[0])
    tmp = out_path.with_name(f".{out_path.stem}.writing{out_path.suffix}")
    with TableWriter(tmp, schema, format_of(out_path)) as writer:
        for part in parts:
            writer.write(pq.read_table(part))
    os.replace(tmp, out_path)


def _summary(folder: Path, output: Path, checkpoint: Checkpoint, resumed_at: int, started: float,
             policy: ReviewPolicy) -> BatchSummary:
    flagged = no_text = 0
    for part in folder.glob("part-*.parquet"):
        t = pq.read_table(part, columns=[f"{PREFIX}review", f"{PREFIX}review_reason"])
        flagged += sum(1 for v in t.column(0).to_pylist() if v)
        no_text += sum(1 for v in t.column(1).to_pylist() if v == NO_TEXT)
    seconds = time.perf_counter() - started
    done_now = checkpoint.rows_done - resumed_at
    return BatchSummary(output=str(output), rows=checkpoint.rows_done,
                        coded=checkpoint.rows_done - no_text, flagged=flagged, no_text=no_text,
                        resumed_at=resumed_at, seconds=round(seconds, 2),
                        rows_per_second=round(done_now / seconds, 1) if seconds > 0 else 0.0,
                        policy=policy.describe())
