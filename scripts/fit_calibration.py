"""Fit the confidence model (retrieval/calibration.json) on one half of labelled case files.

Cases are split by a hash of their id: the "fit" half is used here, the other half is left for reporting
(`oca eval --half report` style checks), so the calibration is never scored on the cases it was fitted on.
The model is a logistic regression per query mode over `rank.confidence_features` of the top answer,
labelled right or wrong at the SOC detailed level.

    python scripts/fit_calibration.py --acs ../shared/eval/acs2009_dev.jsonl --dot ../shared/eval/dot1991_dev.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.service import build_engine  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from eval.cases import in_fit_half  # noqa: E402
from retrieval import rank  # noqa: E402
from retrieval.models import Query  # noqa: E402


def collect(engine, cases: list[dict], fields: list[str]) -> tuple[list[list[float]], list[int]]:
    feats, labels = [], []
    for case in cases:
        query = Query(**{f: case.get(f) for f in fields})
        if query.is_empty():
            continue
        channels, _, _, _ = engine._channels(query)
        fused = engine._rank(query, channels)  # the ranking `code` answers with, reranker included
        gold = {engine.kb.soc_of(g) if "." in g else g for g in case["gold"]}
        feats.append(rank.confidence_features(fused, channels))
        labels.append(int(engine.kb.soc_of(engine.codes[int(np.argmax(fused))]) in gold))
    return feats, labels


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--acs", type=Path, required=True, help="write-in cases (title + industry)")
    ap.add_argument("--dot", type=Path, required=True, help="cases with descriptions")
    ap.add_argument("--out", type=Path, default=ROOT / "retrieval" / "calibration.json")
    args = ap.parse_args()
    engine = build_engine(Settings(), progress=True)

    def load(path: Path) -> list[dict]:
        cases = [json.loads(line) for line in path.open() if line.strip()]
        return [c for c in cases if in_fit_half(c["id"])]

    plans = {
        "title": [(load(args.acs), ["title", "industry"])],
        "description": [(load(args.dot), ["description", "industry"])],
        "title_description": [(load(args.dot), ["title", "description", "industry"])],
    }
    modes = {}
    for mode, sources in plans.items():
        feats, labels = [], []
        for cases, fields in sources:
            f, l = collect(engine, cases, fields)
            feats += f
            labels += l
        model = LogisticRegression(C=1.0, max_iter=1000).fit(np.array(feats), np.array(labels))
        modes[mode] = {"coef": [round(float(c), 5) for c in model.coef_[0]],
                       "bias": round(float(model.intercept_[0]), 5), "n": len(labels)}
        print(mode, modes[mode], flush=True)
    args.out.write_text(json.dumps({
        "note": ("Logistic models mapping rank.confidence_features (fused score, lead over the runner-up, "
                 "title cosine, share of an exact title match) of the top answer to P(right at SOC detailed level). Fitted by "
                 "scripts/fit_calibration.py on the half of the dev cases whose sha1(id) starts with an even "
                 "byte; report calibration on the other half."),
        "engine": engine.engine_version,
        "modes": modes,
    }, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
