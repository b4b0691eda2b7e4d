"""Check, on O*NET's own data, mixing a description's ranking with its first sentence's (`retrieval.engine.with_lead`).

Every occupation with a held-out task bundle (`fit_reranker.choose_held_out`, the reranker's own split) is hidden
from the index: those tasks, its held-out titles and, here, its description too. Each is then asked twice, with no
title:
- "summary + tasks": its description followed by the held-out tasks, as the DOT and most job descriptions are
  written (what the job is, then its duties);
- "tasks": the held-out tasks alone, whose first sentence is one duty among others.
For each, top-1 (the occupation itself) with the whole description alone, with its first sentence alone, and with
the two mixed at several weights of the first sentence. The shipped weight is the one that gains where the first
sentence is a summary without losing much where it is not.

    .venv/bin/python scripts/lead_check.py [--limit N]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import fit_reranker as fr  # noqa: E402
from assistant.service import build_engine  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from retrieval.engine import with_lead  # noqa: E402
from retrieval.models import Query  # noqa: E402

WEIGHTS = (0.0, 0.25, 0.5, 1.0, 2.0)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, help="ask about the first N occupations only")
    args = ap.parse_args()
    engine = build_engine(Settings(), progress=True, lay_titles=False)
    titles, bundles = fr.choose_held_out(engine.kb, random.Random(fr.SEED))
    masked = fr.masked_engine(engine, engine.kb, titles, bundles, descriptions=True)
    codes = sorted(bundles)[: args.limit] if args.limit else sorted(bundles)
    index = {c: i for i, c in enumerate(engine.codes)}
    hits: Counter[tuple[str, str]] = Counter()
    started = time.perf_counter()
    for code in codes:
        occ = engine.kb.occupations[code]
        tasks = " ".join(occ.tasks[k].text for k in bundles[code][0])
        for variant, text in (("summary + tasks", f"{occ.description} {tasks}"), ("tasks", tasks)):
            ranked = masked.rankings_with_lead(Query(description=text))
            if ranked is None:
                continue
            right = index[code]
            for w in WEIGHTS:
                top, _ = with_lead(*ranked, 1, None, weight=w)
                hits[(variant, f"mixed, first sentence x{w:g}")] += int(top[0]) == right
            hits[(variant, "first sentence alone")] += int(np.argmax(ranked[2])) == right
            hits[(variant, "n")] += 1
    print(f"{len(codes)} held-out occupations in {time.perf_counter() - started:.0f} s; top-1, the occupation itself")
    for variant in ("summary + tasks", "tasks"):
        n = hits[(variant, "n")]
        print(f"{variant} ({n} queries):")
        for (v, name), count in hits.items():
            if v == variant and name != "n":
                print(f"  {name:32} {count / n:6.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
