"""Load benchmark: N concurrent clients mix search, code and chat turns against the service for a while.

Each client is a thread on this machine that behaves like a person at the app: it sends a request, reads
the answer for a moment (think time), and sends the next. Chat turns go through the same path as the
chat page: the conversation is saved to the database before the engine is asked, and again after.
Queries are drawn from O*NET's own titles and tasks (seeded), so the run needs no evaluation data.

    python scripts/load_bench.py [--clients 50] [--seconds 60] [--think 1.0] [--json OUT]

Prints p50/p95 latency per operation, the error count and the throughput.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import threading
import time
import traceback
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import conversation  # noqa: E402
from assistant.service import build_engine  # noqa: E402
from assistant.settings import load_settings  # noqa: E402
from assistant.store import Store  # noqa: E402

OPERATIONS = ("search", "code", "chat")


def material(kb, seed: int) -> tuple[list[str], list[tuple[str, str]]]:
    """Titles to search and code, and (title, task) pairs for chat openings, from the O*NET release."""
    rng = random.Random(seed)
    occupations = [o for o in kb.occupations.values() if o.tasks]
    titles, chats = [], []
    for occ in rng.sample(occupations, min(300, len(occupations))):
        alts = [a.title for a in occ.alt_titles] or [occ.title]
        titles.append(rng.choice(alts))
        chats.append((rng.choice(alts), rng.choice(occ.tasks).text))
    return titles, chats


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.samples: list[str] = []

    def timed(self, op: str, fn) -> None:
        start = time.perf_counter()
        try:
            fn()
        except Exception:  # a load test counts failures rather than stopping at the first
            with self.lock:
                self.errors[op] += 1
                if len(self.samples) < 5:
                    self.samples.append(traceback.format_exc(limit=3))
            return
        elapsed = (time.perf_counter() - start) * 1000
        with self.lock:
            self.latency[op].append(elapsed)


def client(i: int, engine, store: Store, titles, chats, rec: Recorder, stop: float, think: float, seed: int) -> None:
    rng = random.Random(seed * 1000 + i)
    conv, reference = None, None
    while time.monotonic() < stop:
        op = rng.choice(OPERATIONS)
        if op == "search":
            rec.timed(op, lambda: engine.search(rng.choice(titles), k=20))
        elif op == "code":
            rec.timed(op, lambda: engine.code(title=rng.choice(titles), k=10))
        else:
            if conv is None or len(conv.messages) > 8:
                conv, reference = conversation.start(), store.create_submission().reference
                title, task = rng.choice(chats)
                text = f"I work as a {title}. {task}"
            else:
                text = rng.choice(chats)[1]

            def chat_turn() -> None:
                nonlocal conv
                store.save_conversation(reference, {**conv.model_dump(mode="json"), "pending_user": text}, None)
                result = conversation.turn(conv, text, engine)
                conv = result.conversation
                store.save_conversation(reference, conv.model_dump(mode="json"), conv.part_a.model_dump(mode="json"))

            rec.timed(op, chat_turn)
        time.sleep(rng.uniform(0, 2 * think))


def run(clients: int, seconds: float, think: float, seed: int, db_url: str | None) -> dict:
    settings = load_settings()
    engine = build_engine(settings, progress=False)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(db_url or f"sqlite:///{tmp}/load.sqlite3")
        titles, chats = material(engine.kb, seed)
        engine.code(title=titles[0])  # warm the process, as a running app is
        rec = Recorder()
        stop = time.monotonic() + seconds
        threads = [threading.Thread(target=client, args=(i, engine, store, titles, chats, rec, stop, think, seed),
                                    daemon=True) for i in range(clients)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.monotonic() - started
        store.close()
    figures: dict = {"clients": clients, "seconds": round(wall, 1), "think_s": think, "operations": {}}
    total = 0
    for op in OPERATIONS:
        values = np.array(rec.latency.get(op, []))
        total += len(values) + rec.errors.get(op, 0)
        figures["operations"][op] = {
            "n": int(len(values)),
            "errors": rec.errors.get(op, 0),
            "p50_ms": round(float(np.percentile(values, 50)), 1) if len(values) else None,
            "p95_ms": round(float(np.percentile(values, 95)), 1) if len(values) else None,
        }
    figures["errors"] = sum(rec.errors.values())
    figures["throughput_per_s"] = round(total / wall, 1)
    figures["error_samples"] = rec.samples
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=1.0, help="mean pause between a client's requests (s)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--db-url", help="database to write chat turns to (default: a temporary SQLite file)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    figures = run(args.clients, args.seconds, args.think, args.seed, args.db_url)
    print(f"{figures['clients']} clients for {figures['seconds']} s (mean think time {args.think} s)")
    print(f"{'operation':10} {'n':>6} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8}")
    for op, f in figures["operations"].items():
        print(f"{op:10} {f['n']:>6} {f['errors']:>6} {f['p50_ms'] or '-':>8} {f['p95_ms'] or '-':>8}")
    print(f"throughput {figures['throughput_per_s']} requests/s, errors {figures['errors']}")
    for sample in figures["error_samples"]:
        print(sample, file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 1 if figures["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
