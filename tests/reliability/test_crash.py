"""Crash safety: a process killed with SIGKILL in the middle of a chat turn or a review decision leaves the
database whole: every submission reads back, its conversation is the last one saved in full, and its state
agrees with the last audit entry (no half-written decision)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from assistant.store import Store

ROOT = Path(__file__).resolve().parents[2]


def run_and_kill(url: str, mode: str, lines: int, seed: int) -> list[str]:
    """Start the worker, let it finish `lines` writes, kill it at a random moment inside the next ones."""
    proc = subprocess.Popen([sys.executable, "-m", "tests.reliability.crash_worker", url, mode], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    seen: list[str] = []
    try:
        assert proc.stdout is not None
        while len(seen) < lines:
            line = proc.stdout.readline()
            if not line:
                pytest.fail(f"the worker stopped early (exit {proc.poll()}) after {seen[-3:]}")
            seen.append(line.strip())
        time.sleep(random.Random(seed).uniform(0, 0.05))
        os.kill(proc.pid, signal.SIGKILL)
        rest, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    return seen + rest.splitlines()


def consistent(store: Store, reference: str) -> None:
    submission = store.get(reference)
    audit = store.audit(reference)
    assert audit, "every submission has at least its creation in the log"
    assert audit[-1].to_state == submission.state
    for before, after in zip(audit, audit[1:]):
        assert after.from_state == before.to_state, "the log is a chain of moves"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_killed_chat_keeps_the_last_saved_turn_whole(tmp_path: Path, seed: int):
    url = f"sqlite:///{tmp_path / 'oca.sqlite3'}"
    Store.open(url).close()  # migrate first, as the app does at start
    out = run_and_kill(url, "chat", lines=4 + seed, seed=seed)
    ref = out[0].split()[1]
    saved = max(int(line.split()[1]) for line in out if line.startswith("saved"))

    store = Store.open(url)
    submission = store.get(ref)
    turns = submission.conversation["turns"]
    assert turns in (saved, saved + 1), "the last printed turn is there, or the one it was writing, in full"
    assert len(submission.conversation["messages"]) == turns
    assert submission.part_a["job_title"] == f"title after turn {turns}"
    consistent(store, ref)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_killed_review_leaves_no_half_decision(tmp_path: Path, seed: int):
    url = f"sqlite:///{tmp_path / 'oca.sqlite3'}"
    Store.open(url).close()
    out = run_and_kill(url, "review", lines=2 + seed, seed=seed)
    decided = [line.split()[1] for line in out if line.startswith("decided")]
    assert decided, "the worker finished some decisions before it was killed"

    store = Store.open(url)
    for ref in decided:
        submission = store.get(ref)
        assert submission.state == "changed" and submission.code == "29-2061.00"
        consistent(store, ref)
    # The one it was working on when killed is in some whole state, never between two.
    with store.engine.connect() as conn:
        refs = [r for (r,) in conn.execute(text("SELECT reference FROM submissions"))]
    assert set(decided) <= set(refs)
    for ref in refs:
        consistent(store, ref)
        submission = store.get(ref)
        if submission.state == "changed":
            assert submission.code == "29-2061.00"
        if submission.state in ("drafted", "changed"):
            assert submission.draft and submission.draft["code"] == "29-1141.00"
