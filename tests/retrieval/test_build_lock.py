"""Two processes opening one home at once (the app started beside `oca index`, batch workers, parallel test
workers): the index is built once, by whichever comes first, and the other opens that build."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from retrieval.engine import Engine

ROOT = Path(__file__).resolve().parents[2]

OPEN_AND_ANSWER = r"""
import sys
from pathlib import Path
from retrieval.engine import Engine
release, taxonomy, home = map(Path, sys.argv[1:4])
engine = Engine.open(release, taxonomy, home, progress=True)
print(engine.code(title="pastry chef").candidates[0].code)
"""


def test_two_processes_opening_one_home_build_its_index_once(
        fixture_release: Path, fixture_taxonomy: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = [subprocess.Popen([sys.executable, "-c", OPEN_AND_ANSWER, str(fixture_release), str(fixture_taxonomy),
                                 str(home)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True) for _ in range(2)]
    done = [p.communicate(timeout=600) for p in started]
    assert [p.returncode for p in started] == [0, 0], [err[-2000:] for _, err in done]

    builders = [err for _, err in done if "Building the index" in err]
    assert len(builders) == 1, "both processes built the index, or neither said so"
    answers = {out.strip().splitlines()[-1] for out, _ in done}
    assert len(answers) == 1
    # and the build left behind is whole: a later open finds it current and answers the same
    later = Engine.open(fixture_release, fixture_taxonomy, home, progress=False)
    assert later.code(title="pastry chef").candidates[0].code in answers
