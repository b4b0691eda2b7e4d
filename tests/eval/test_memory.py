"""The peak memory the report and the benchmarks print is the process's own, not its parent's."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from eval.memory import peak_memory_mb

ROOT = Path(__file__).resolve().parents[2]
CHILD = "import json; from eval.memory import peak_memory_mb; print(json.dumps(peak_memory_mb()))"


GROWS = """
import json
from eval.memory import peak_memory_mb
before = peak_memory_mb()
held = bytearray(200 * 1024 * 1024)
held[::4096] = b"x" * len(held[::4096])  # touch every page, so it is resident
print(json.dumps([before, peak_memory_mb()]))
"""


def test_the_peak_grows_with_what_the_process_holds() -> None:
    """In a fresh interpreter: the test run's own peak may already lie far above anything allocated here."""
    done = subprocess.run([sys.executable, "-c", GROWS], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          check=True)
    before, after = json.loads(done.stdout)
    assert before > 0 and after >= before + 150


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="Linux: ru_maxrss survives exec there")
def test_a_process_started_by_a_large_parent_reports_its_own_peak() -> None:
    held = bytearray(400 * 1024 * 1024)
    held[::4096] = b"x" * len(held[::4096])
    parent = peak_memory_mb()  # at least the 400 MB held now (the run's peak may be higher still)
    done = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          check=True)
    child = json.loads(done.stdout)
    assert child < parent - 300, (child, parent)  # the child holds a small interpreter, not the 400 MB
    del held
