"""The title index's own character n-grams are scikit-learn's char_wb n-grams, and answering a query in a new
process does not import scikit-learn (fitting does; loading and answering read only what it learnt)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from retrieval.lexical import char_ngrams
from retrieval.normalize import normalize_title

ROOT = Path(__file__).resolve().parents[2]
CHAR_WB = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4)).build_analyzer()

AWKWARD = ["", " ", "a", "ab", "abc", "abcd", "RN", "Sr. Mgr", "nurse  nurse\tnurse", "  leading and trailing  ",
           "SALESPERSON, SHOES", "Café Señor Ñandú", "ÉCOLE", "x-ray tech", "CASHER/STOCK", "1st shift lead",
           "straße", "İstanbul guide", "a b c d e", "über-long-hyphenated-compound-title-word"]


@pytest.mark.parametrize("text", AWKWARD)
def test_char_ngrams_are_scikit_learns_char_wb_ngrams(text: str) -> None:
    assert char_ngrams(text) == CHAR_WB(text)


@pytest.mark.real_data
def test_char_ngrams_match_on_every_onet_title(real_kb) -> None:
    titles = {t for occ in real_kb.occupations.values()
              for t in [occ.title, *(a.title for a in occ.alt_titles), *occ.reported_titles]}
    for title in titles:
        for text in (title, normalize_title(title)):
            assert char_ngrams(text) == CHAR_WB(text), text


OPEN_AND_ANSWER = r"""
import json, sys
from pathlib import Path
from retrieval.engine import Engine
release, taxonomy, home = map(Path, sys.argv[1:4])
engine = Engine.open(release, taxonomy, home, progress=False)
if sys.argv[4] == "answer":
    result = engine.code(title="pastry chef", description="Bakes bread. Decorates cakes.", industry="bakery")
    print(json.dumps({"sklearn": any(m == "sklearn" or m.startswith("sklearn.") for m in sys.modules),
                      "top": result.candidates[0].code}))
"""


def test_a_warm_process_answers_without_importing_scikit_learn(
        fixture_release: Path, fixture_taxonomy: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NUMBA_CACHE_DIR": str(tmp_path / "numba")}

    def run(step: str) -> str:
        done = subprocess.run([sys.executable, "-c", OPEN_AND_ANSWER, str(fixture_release), str(fixture_taxonomy),
                               str(tmp_path / "home"), step], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    run("build")
    answer = json.loads(run("answer").strip().splitlines()[-1])
    assert answer["sklearn"] is False
    assert answer["top"]  # and it still answered
