"""Batch resume check: `oca batch` over N rows is killed (SIGKILL) halfway, started again, and must code every
row exactly once.

    python scripts/batch_resume.py [--rows 100000] [--kill-at 0.5] [--json OUT]

The input is N rows with an id and a job title drawn (seeded) from O*NET's own alternate titles, so it needs
no evaluation data. After the second run the output must hold each row number 1..N once, each input id once
and in order, a code on every row, and the same code for every row of one title. Uses OCA_HOME's index.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def titles(seed: int, n: int = 400) -> list[str]:
    from assistant.settings import load_settings
    from retrieval.onet import load_release

    settings = load_settings()
    kb = load_release(settings.onet_dir, settings.taxonomy_dir)
    rng = random.Random(seed)
    pool = [a.title for occ in kb.occupations.values() for a in occ.alt_titles] or \
        [occ.title for occ in kb.occupations.values()]
    return rng.sample(pool, min(n, len(pool)))


def write_input(path: Path, rows: int, seed: int) -> None:
    pool = titles(seed)
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "title"])
        for i in range(rows):
            writer.writerow([f"R{i:07d}", rng.choice(pool)])


def batch_command(src: Path, out: Path) -> list[str]:
    oca = Path(sys.executable).with_name("oca")
    base = [str(oca)] if oca.exists() else [sys.executable, "-m", "assistant.cli"]
    return [*base, "batch", str(src), str(out), "--title-col", "title", "--id-col", "id"]


def rows_done(out: Path) -> int:
    checkpoint = Path(f"{out}.oca-parts") / "checkpoint.json"
    try:
        return json.loads(checkpoint.read_text())["rows_done"]
    except (OSError, ValueError, KeyError):
        return 0


def run(rows: int, kill_at: float, seed: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="oca-batch-resume-") as tmp:
        src, out = Path(tmp) / "jobs.csv", Path(tmp) / "coded.parquet"
        write_input(src, rows, seed)
        started = time.perf_counter()
        first = subprocess.Popen(batch_command(src, out), cwd=ROOT, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        while first.poll() is None and rows_done(out) < rows * kill_at:
            time.sleep(0.05)
        if first.poll() is not None:
            raise SystemExit(f"the first run ended (exit {first.returncode}) before it could be interrupted")
        first.send_signal(signal.SIGKILL)
        first.wait()
        killed_at = rows_done(out)
        second = subprocess.run(batch_command(src, out), cwd=ROOT, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        if second.returncode != 0:
            raise SystemExit(f"the resumed run failed: {second.stderr.strip().splitlines()[-1:]}")
        table = pq.read_table(out, columns=["oca_row", "id", "title", "oca_code"]).to_pydict()
        with src.open(encoding="utf-8", newline="") as fh:
            ids = [row["id"] for row in csv.DictReader(fh)]
    numbers = table["oca_row"]
    by_title: dict[str, set[str]] = {}
    for title, code in zip(table["title"], table["oca_code"]):
        by_title.setdefault(title, set()).add(code)
    figures = {
        "rows": rows,
        "killed_after_rows": killed_at,
        "output_rows": len(numbers),
        "missing_rows": len(set(range(1, rows + 1)) - set(numbers)),
        "duplicated_rows": len(numbers) - len(set(numbers)),
        "ids_in_order": table["id"] == ids,
        "rows_without_code": sum(1 for c in table["oca_code"] if not c),
        "titles_with_two_codes": sum(1 for codes in by_title.values() if len(codes) > 1),
        "resumed_message": second.stdout.strip().splitlines()[0] if second.stdout.strip() else "",
        "seconds": round(seconds, 1),
    }
    figures["exactly_once"] = (figures["output_rows"] == rows and not figures["missing_rows"]
                               and not figures["duplicated_rows"] and figures["ids_in_order"]
                               and not figures["rows_without_code"] and not figures["titles_with_two_codes"]
                               and 0 < killed_at < rows)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--kill-at", type=float, default=0.5, help="share of the rows done when it is killed")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    figures = run(args.rows, args.kill_at, args.seed)
    for key, value in figures.items():
        print(f"{key:24} {value}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0 if figures["exactly_once"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
