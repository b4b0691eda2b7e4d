"""Batch coding throughput and memory against the targets of issue 7.

    .venv/bin/python scripts/bench_batch.py [--home DIR] [--rows-1m N] [--skip-1m]

Each figure comes from `oca batch`'s own code path (`assistant.batch.run_batch` with the local runner) in a
fresh interpreter, so peak memory is that run's alone:
- title-only rows: every acs2009_dev write-in title (repeats included, as a real file has them);
- 700-character rows: every dot1991_dev description, repeated or cut to 700 characters, with its title;
- a generated CSV of 1,000,000 rows (ACS titles in a shuffled order, written under /tmp and deleted after),
  coded whole, and the same for its first 100,000 rows: the two peaks show memory is flat in the length.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval"
DESCRIPTION_CHARS = 700
TITLE_TARGET = 1000.0
DESCRIPTION_TARGET = 100.0

CHILD = r"""
import json, sys, time
job = json.loads(sys.argv[1])
from eval.memory import peak_memory_mb
from assistant.batch import Columns, DEFAULT_POLICY, LocalRunner, run_batch
from assistant.service import build_engine
from assistant.settings import load_settings
engine = build_engine(load_settings(home=job["home"]), progress=False)
engine.limit_embedder_threads(1)  # as `oca batch` does
engine.code(title="warm up")
columns = Columns(title="title", description=job.get("description_col"))
started, cpu = time.perf_counter(), time.process_time()
summary = run_batch(job["input"], job["output"], columns, LocalRunner(engine, 3), k=3, policy=DEFAULT_POLICY,
                    chunk_rows=job["chunk_rows"], restart=True)
elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
print(json.dumps({"rows": summary.rows, "seconds": elapsed, "rows_per_s": summary.rows / elapsed,
                  "cpu_ms_per_row": cpu * 1000 / summary.rows,
                  "peak_rss_mb": peak_memory_mb()}))
"""


def run_child(job: dict) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, json.dumps(job)], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"benchmark child failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def cases(name: str) -> list[dict]:
    return [json.loads(line) for line in (EVAL / name).open(encoding="utf-8")]


def write_csv(path: Path, header: list[str], rows) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def to_length(text: str, length: int) -> str:
    text = " ".join(text.split())
    while text and len(text) < length:
        text = f"{text} {text}"
    return text[:length]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", default=".oca", help="OCA_HOME with a built index (default .oca)")
    parser.add_argument("--rows-1m", type=int, default=1_000_000, help="rows of the generated CSV")
    parser.add_argument("--skip-1m", action="store_true", help="leave out the generated-file runs")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="oca-bench-batch-"))
    acs, dot = cases("acs2009_dev.jsonl"), cases("dot1991_dev.jsonl")
    titles = [c["title"] for c in acs]
    figures = []

    source = write_csv(tmp / "titles.csv", ["title"], ([t] for t in titles))
    result = run_child({"home": args.home, "input": str(source), "output": str(tmp / "titles.out.csv"),
                        "chunk_rows": 1000})
    figures.append((f"title-only rows ({len(titles):,} ACS titles, {len(set(titles)):,} distinct)", result,
                    TITLE_TARGET))

    rows = [[c["title"], to_length(c["description"] or c["title"], DESCRIPTION_CHARS)] for c in dot]
    source = write_csv(tmp / "descriptions.csv", ["title", "description"], rows)
    result = run_child({"home": args.home, "input": str(source), "output": str(tmp / "descriptions.out.csv"),
                        "description_col": "description", "chunk_rows": 500})
    figures.append((f"title + 700-character description ({len(rows):,} DOT rows)", result, DESCRIPTION_TARGET))

    if not args.skip_1m:
        shuffled = random.Random(0)
        big = write_csv(tmp / "million.csv", ["title"],
                        ([titles[shuffled.randrange(len(titles))]] for _ in range(args.rows_1m)))
        small = write_csv(tmp / "tenth.csv", ["title"], ([line] for line in _first(big, args.rows_1m // 10)))
        for path, label in ((small, f"{args.rows_1m // 10:,}"), (big, f"{args.rows_1m:,}")):
            result = run_child({"home": args.home, "input": str(path), "output": str(tmp / f"{path.stem}.out.csv"),
                                "chunk_rows": 2000})
            figures.append((f"generated CSV, {label} rows ({path.stat().st_size / 1e6:.0f} MB)", result, None))

    # CPU time (all threads) per row does not depend on how busy the machine is: 2 / it is the rate two
    # otherwise idle cores would reach if both were kept busy.
    print(f"{'run':<62} {'rows/s':>9} {'target':>8} {'CPU ms/row':>11} {'2 idle cores':>13} {'peak RSS':>10}")
    for label, result, target in figures:
        goal = f"{target:,.0f}" if target else "-"
        bound = 2000 / result["cpu_ms_per_row"]
        print(f"{label:<62} {result['rows_per_s']:>9,.0f} {goal:>8} {result['cpu_ms_per_row']:>11.2f} "
              f"{bound:>13,.0f} {result['peak_rss_mb']:>7,.0f} MB")
    for path in tmp.iterdir():
        path.unlink() if path.is_file() else None
    tmp.rmdir() if not any(tmp.iterdir()) else None


def _first(path: Path, n: int):
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader)
        for i, row in enumerate(reader):
            if i >= n:
                return
            yield row[0]


if __name__ == "__main__":
    main()
