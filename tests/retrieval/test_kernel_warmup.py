"""Building an index compiles the title kernels, so a new process's first answer loads them from Numba's cache
instead of compiling them (about 4 s on two cores) while the user waits."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

OPEN_AND_ANSWER = r"""
import json, sys
from pathlib import Path
from retrieval import kernels
from retrieval.engine import Engine
release, taxonomy, home = map(Path, sys.argv[1:4])
engine = Engine.open(release, taxonomy, home, progress=False)
if sys.argv[4] == "answer":
    engine.code(title="pastry chef", description="Bakes bread. Decorates cakes.")
stats = [getattr(kernels, n).stats for n in ("title_scores", "title_similarities", "_accumulate")]
print(json.dumps({"misses": sum(sum(s.cache_misses.values()) for s in stats),
                  "hits": sum(sum(s.cache_hits.values()) for s in stats)}))
"""


def _open(release: Path, taxonomy: Path, home: Path, cache: Path, answer: bool) -> dict[str, int]:
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", OPEN_AND_ANSWER, str(release), str(taxonomy), str(home),
                           "answer" if answer else "open"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_new_process_answers_from_kernels_compiled_at_build_time(
        fixture_release: Path, fixture_taxonomy: Path, tmp_path: Path) -> None:
    cache = tmp_path / "numba"
    _open(fixture_release, fixture_taxonomy, tmp_path / "home", cache, answer=False)  # builds the index only
    assert any(cache.rglob("*.nbi")), "building the index left no compiled kernels in the cache"

    later = _open(fixture_release, fixture_taxonomy, tmp_path / "home", cache, answer=True)  # already built
    assert later["misses"] == 0 and later["hits"] > 0
