"""Fit the confidence model (retrieval/calibration.json) on one half of labelled case files.

Cases are split by a hash of their id: the "fit" half is used here, the other half is left for reporting
(`oca eval --half report`), so the confidence is never scored on the cases it was fitted on. The model is,
per query mode, a logistic regression over `retrieval.confidence.features` of the top answer, labelled right
or wrong at the SOC detailed level, averaged for title queries with a small gradient-boosted tree ensemble
(scikit-learn's HistGradientBoostingClassifier; see KINDS). It is stored as plain JSON that
`retrieval.confidence.ConfidenceModel` reads without scikit-learn. A slope and intercept on the log-odds,
fitted on out-of-fold answers within the fit half, then set how bold the probabilities are.

    python scripts/fit_calibration.py --acs ../shared/eval/acs2009_dev.jsonl --dot ../shared/eval/dot1991_dev.jsonl
    python scripts/fit_calibration.py ... --modes description,title_description   # refit these, keep the rest
    python scripts/fit_calibration.py ... --lead   # only the description mode's lead stretch

The lead stretch (`--lead`) maps the top share of a description's ranking mixed with its first sentence's
(`retrieval.engine.with_lead`) to a probability: a slope and intercept on its log-odds, fitted on the same half.
Refitting the description mode drops it (it maps that model's probabilities): run `--lead` after.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.service import build_engine  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from eval.cases import in_fit_half  # noqa: E402
from eval.metrics import coverage_curve, threshold_for_precision  # noqa: E402
from retrieval import confidence as conf  # noqa: E402
from retrieval.engine import with_lead  # noqa: E402
from retrieval.models import Query  # noqa: E402

# Shallow trees with large leaves, stopped when a fifth of the fit half held aside stops improving: the
# model sorts sure answers from unsure ones on a few thousand cases without learning any one of them.
PARAMS = dict(max_iter=300, learning_rate=0.05, max_leaf_nodes=8, min_samples_leaf=100, l2_regularization=1.0,
              early_stopping=True, validation_fraction=0.2, n_iter_no_change=20, random_state=0)
LINEAR_C = 0.1  # strong shrinkage: the linear half is there to be smooth
LINEAR_ONLY_C = 1.0  # a model of its own: less shrinkage (on the fit half C=1 was calibrated best, in and out of fold)
FOLDS = 5
# Trees, or the logistic regression alone, per mode. The description mode has 1,278 fit cases, too few for trees:
# on the fit half the blend's worst reliability bin (50+ cases) was 0.090 off on the cases it was fitted on against
# 0.047 out of fold, so `oca eval` on a whole dev set showed it too timid on half of it; the logistic regression
# alone is as calibrated in as out of fold (0.060 / 0.023) for about half a point of out-of-fold auto-coding at 90%
# precision (7.8% -> 7.3%). Title queries (2,455 fit cases) keep the blend: 0.084 / 0.063, and its trees add 1.4
# points of out-of-fold auto-coding (26.9% -> 28.3%). Title + description queries (2,212 fit cases with the
# generic-title copies below) take the blend too: on the other half, with DOT's titles, ECE 0.017 and 83.5%
# auto-coded at 90% precision against 0.023 and 81.9% for the logistic regression alone; with the titles cut to
# their head word, 0.044 and 22.3% against 0.050 and 21.5% (the model fitted on DOT's titles alone, linear: 0.028
# and 83.3%; 0.132 and 0.3%).
KINDS = {"title": "blend", "description": "linear", "title_description": "blend"}
# The title + description mode is also fitted on the same cases with the title cut to its last word ("Zigzag-Machine
# Operator" -> "Operator", "Salesperson, Shoes" -> "Salesperson"): DOT titles are O*NET's own, mostly listed word
# for word, while a customer says "Operator" and lets the duties say which; fitted on DOT's titles alone, the mode
# had given such answers far too much confidence (the report half's cases with the title cut: ECE 0.132).
GENERIC_COPIES = ("title_description",)


def _head_part(title: str | None) -> list[str]:
    """The words of the part of a title that names the worker (DOT's inverted "Salesperson, Shoes" names it first)."""
    return (title or "").split(",")[0].split()


def generic_title(title: str | None) -> str | None:
    """A title's head word, as a customer who names only the kind of worker says it."""
    words = _head_part(title)
    return words[-1] if words else title


def with_generic_titles(cases: list[dict]) -> list[dict]:
    """The cases, then each one whose title has more than one word again with its title cut to the head word."""
    return cases + [{**c, "id": f"{c['id']}#generic", "title": generic_title(c.get("title"))}
                    for c in cases if len(_head_part(c.get("title"))) > 1]


def collect(engine, cases: list[dict], fields: list[str]) -> tuple[np.ndarray, np.ndarray]:
    feats, labels = [], []
    for case in cases:
        query = Query(**{f: case.get(f) for f in fields})
        if query.is_empty():
            continue
        channels, _, _, _ = engine._channels(query)
        fused = engine._rank(query, channels)  # the ranking `code` answers with, reranker included
        gold = {engine.kb.soc_of(g) if "." in g else g for g in case["gold"]}
        feats.append(conf.features(fused, channels, engine._groups, query.title))
        labels.append(int(engine.kb.soc_of(engine.codes[int(np.argmax(fused))]) in gold))
    return np.array(feats), np.array(labels)


def collect_lead(engine, cases: list[dict], fields: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The mixed ranking's top share before any lead stretch, and whether its answer is right, for the cases whose
    description has a first sentence to mix in."""
    shares, labels = [], []
    for case in cases:
        query = Query(**{f: case.get(f) for f in fields})
        ranked = engine.rankings_with_lead(query) if not query.is_empty() else None
        if ranked is None:
            continue
        top, share = with_lead(*ranked, 1, None)
        gold = {engine.kb.soc_of(g) if "." in g else g for g in case["gold"]}
        shares.append(share[0])
        labels.append(int(engine.kb.soc_of(engine.codes[int(top[0])]) in gold))
    return np.array(shares), np.array(labels)


def fit_lead(engine, plans: dict, out: Path) -> None:
    stored = json.loads(out.read_text())
    for mode in ("description",):  # `lead_query`: a query with a title has no lead
        cases, fields = plans[mode]
        p, y = collect_lead(engine, [c for c in cases if in_fit_half(c["id"])], fields)
        fitted = fit_stretch(p, y)
        stored["modes"][mode]["lead_stretch"] = [float(fitted.coef_[0][0]), float(fitted.intercept_[0])]
        ph, yh = collect_lead(engine, [c for c in cases if not in_fit_half(c["id"])], fields)
        qh = fitted.predict_proba(logit(ph))[:, 1]
        print(f"{mode} lead stretch {stored['modes'][mode]['lead_stretch']}: fitted on {len(y)} ({y.mean():.1%} right); "
              f"other half {len(yh)}: ECE {ece(qh, yh):.3f}, auto-coded at 90% precision {coverage_at_90(qh, yh):.1%}",
              flush=True)
    stored["version"] = conf.MODEL_VERSION
    stored["engine"] = engine.engine_version
    out.write_text(json.dumps(stored) + "\n")


def export(model: HistGradientBoostingClassifier) -> dict:
    """The fitted trees as parallel lists (see `TreeModel`); leaf values already carry the learning rate. Thresholds keep
    every digit: a rounded one can send a value that sat just beside it down the other branch."""
    trees = []
    for (predictor,) in model._predictors:  # one tree an iteration for a binary target
        nodes = predictor.nodes
        if np.any(nodes["is_categorical"]):
            raise ValueError("categorical splits are not exported")
        trees.append({"feature": nodes["feature_idx"].tolist(),
                      "threshold": [float(t) for t in nodes["num_threshold"]],
                      "left": nodes["left"].tolist(), "right": nodes["right"].tolist(),
                      "value": [float(v) for v in nodes["value"]],
                      "leaf": nodes["is_leaf"].astype(int).tolist()})
    return {"features": conf.feature_names(), "baseline": float(np.ravel(model._baseline_prediction)[0]),
            "trees": trees}


def fit_blend(X: np.ndarray, y: np.ndarray) -> dict:
    """Trees and a logistic regression on (X, y), as `ConfidenceModel` params (scikit-learn objects under
    "_sklearn" for checking)."""
    model = HistGradientBoostingClassifier(**PARAMS).fit(X, y)
    scaler = StandardScaler().fit(X)
    linear = LogisticRegression(C=LINEAR_C, max_iter=5000).fit(scaler.transform(X), y)
    return {**export(model), "linear": {"mean": scaler.mean_.tolist(), "scale": scaler.scale_.tolist(),
                                        "coef": linear.coef_[0].tolist(), "bias": float(linear.intercept_[0])},
            "_sklearn": (model, scaler, linear)}


def fit_linear(X: np.ndarray, y: np.ndarray) -> dict:
    """The logistic regression alone, as `ConfidenceModel` params (no trees, `tree_weight` 0)."""
    scaler = StandardScaler().fit(X)
    linear = LogisticRegression(C=LINEAR_ONLY_C, max_iter=5000).fit(scaler.transform(X), y)
    return {"features": conf.feature_names(), "baseline": 0.0, "trees": [], "tree_weight": 0.0,
            "linear": {"mean": scaler.mean_.tolist(), "scale": scaler.scale_.tolist(),
                       "coef": linear.coef_[0].tolist(), "bias": float(linear.intercept_[0])},
            "_sklearn": (None, scaler, linear)}


def fit_kind(kind: str, X: np.ndarray, y: np.ndarray) -> dict:
    return fit_linear(X, y) if kind == "linear" else fit_blend(X, y)


def logit(p: np.ndarray) -> np.ndarray:
    """Probabilities as a one-column matrix of log-odds (kept off 0 and 1), what a stretch is fitted on."""
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return np.log(p / (1 - p))[:, None]


def fit_stretch(p: np.ndarray, y: np.ndarray) -> LogisticRegression:
    """A slope and intercept on the log-odds (practically unregularised) mapping `p` to P(right)."""
    return LogisticRegression(C=1e6).fit(logit(p), y)


def ece(p: np.ndarray, y: np.ndarray) -> float:
    """Expected calibration error over tenth-wide bins, each weighed by its share of the cases."""
    bins = np.minimum((p * 10).astype(int), 9)
    return float(sum(abs(p[bins == b].mean() - y[bins == b].mean()) * np.mean(bins == b) for b in set(bins.tolist())))


def worst_bin(p: np.ndarray, y: np.ndarray, least: int = 50) -> float:
    """The largest |mean confidence - accuracy| over the tenth-wide bins holding `least` cases or more."""
    bins = np.minimum((p * 10).astype(int), 9)
    gaps = [abs(p[bins == b].mean() - y[bins == b].mean()) for b in range(10) if (bins == b).sum() >= least]
    return max(gaps, default=0.0)


def coverage_at_90(p: np.ndarray, y: np.ndarray) -> float:
    point = threshold_for_precision(coverage_curve(p.tolist(), y.astype(bool).tolist()), 0.90)
    return point.coverage if point else 0.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--acs", type=Path, required=True, help="write-in cases (title + industry)")
    ap.add_argument("--dot", type=Path, required=True, help="cases with descriptions")
    ap.add_argument("--out", type=Path, default=ROOT / "retrieval" / "calibration.json")
    ap.add_argument("--modes", default=",".join(KINDS),
                    help="modes to refit (comma-separated); the others are kept from --out as they are")
    ap.add_argument("--lead", action="store_true", help="fit only the lead stretch (see above), keep the rest")
    args = ap.parse_args()
    wanted = [m for m in args.modes.split(",") if m]
    if unknown := set(wanted) - set(KINDS):
        raise SystemExit(f"unknown modes: {', '.join(sorted(unknown))}; choose from {', '.join(KINDS)}")
    kept = {}
    if set(wanted) != set(KINDS):
        stored = json.loads(args.out.read_text())
        kept = {m: {**p, "engine": p.get("engine", stored.get("engine"))} for m, p in stored["modes"].items()
                if m not in wanted}
    engine = build_engine(Settings(), progress=True)

    def load(path: Path) -> list[dict]:
        return [json.loads(line) for line in path.open() if line.strip()]

    plans = {"title": (load(args.acs), ["title", "industry"]),
             "description": (load(args.dot), ["description", "industry"]),
             "title_description": (load(args.dot), ["title", "description", "industry"])}
    if args.lead:
        fit_lead(engine, plans, args.out)
        return 0
    modes = {}
    for mode, (cases, fields) in plans.items():
        if mode not in wanted:
            continue
        kind = KINDS[mode]
        fit = [c for c in cases if in_fit_half(c["id"])]
        held = [c for c in cases if not in_fit_half(c["id"])]
        if mode in GENERIC_COPIES:  # the halves are drawn first, so a case and its copy stay in the same one
            fit, held = with_generic_titles(fit), with_generic_titles(held)
        X, y = collect(engine, fit, fields)
        params = fit_kind(kind, X, y)
        # The stretch: slope and intercept on the log-odds, fitted on out-of-fold blends (each fold's blend
        # from models that did not see it), so it corrects how bold the blend is on unseen cases.
        oof = np.zeros(len(y))
        for train, test in StratifiedKFold(FOLDS, shuffle=True, random_state=0).split(X, y):
            oof[test] = conf.ConfidenceModel(fit_kind(kind, X[train], y[train])).blend(X[test])
        stretch = fit_stretch(oof, y)
        params["stretch"] = [float(stretch.coef_[0][0]), float(stretch.intercept_[0])]
        model, scaler, linear = params.pop("_sklearn")
        tree_model = conf.ConfidenceModel(params)
        ours = tree_model.probabilities(X)
        their_linear = linear.predict_proba(scaler.transform(X))[:, 1]
        their_blend = their_linear if model is None else 0.5 * (model.predict_proba(X)[:, 1] + their_linear)
        theirs = stretch.predict_proba(logit(their_blend))[:, 1]
        if not np.allclose(ours, theirs, atol=1e-6):
            raise SystemExit(f"{mode}: exported model disagrees with scikit-learn by {np.abs(ours - theirs).max()}")
        Xh, yh = collect(engine, held, fields)
        ph = tree_model.probabilities(Xh)
        if mode in GENERIC_COPIES:
            copy = np.array([c["id"].endswith("#generic") for c in held if not Query(
                **{f: c.get(f) for f in fields}).is_empty()])
            before = conf.models()[mode].probabilities(Xh)
            for name, rows in (("as told", ~copy), ("title cut to its head word", copy)):
                print(f"  other half, {name} ({rows.sum()}): ECE {ece(ph[rows], yh[rows]):.3f} (before "
                      f"{ece(before[rows], yh[rows]):.3f}), auto-coded at 90% precision "
                      f"{coverage_at_90(ph[rows], yh[rows]):.1%} (before {coverage_at_90(before[rows], yh[rows]):.1%})",
                      flush=True)
        stretched_oof = stretch.predict_proba(logit(oof))[:, 1]
        print(f"{mode} ({kind}): fitted on {len(y)} ({y.mean():.1%} right), {len(params['trees'])} trees; worst bin "
              f"of 50+ on the fit half {worst_bin(ours, y):.3f} in sample, {worst_bin(stretched_oof, y):.3f} out of "
              f"fold; other half {len(yh)}: ECE {ece(ph, yh):.3f}, "
              f"auto-coded at 90% precision {coverage_at_90(ph, yh):.1%}",
              flush=True)
        modes[mode] = {**params, "n": int(len(y)), "engine": engine.engine_version}
    modes = {m: modes.get(m) or kept[m] for m in KINDS}
    if "description" in wanted:  # its lead stretch maps the refitted model's probabilities: fit it again
        print("description: the lead stretch is dropped with the old model; run again with --lead", flush=True)
    args.out.write_text(json.dumps({
        "note": ("Per query mode, a logistic regression (title and title + description queries: averaged with "
                 "gradient-boosted trees), stretched on the log-odds by a slope and intercept fitted out of fold, "
                 "mapping retrieval.confidence.features of the top answer to P(right at SOC detailed level). Fitted "
                 "by scripts/fit_calibration.py on the half of the dev cases whose sha1(id) starts with an even byte "
                 "(each mode records the engine it was fitted with); the title + description mode also on the same "
                 "cases with each title cut to its head word; report calibration on the other half."),
        "version": conf.MODEL_VERSION,
        "engine": engine.engine_version,
        "modes": modes,
    }) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
