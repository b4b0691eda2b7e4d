"""The confidence model: its features on hand-made rankings, the exported trees, title votes on the fixture."""

from __future__ import annotations

import importlib.util
import json
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from retrieval import confidence as conf
from retrieval.engine import Engine

ROOT = Path(__file__).resolve().parents[2]
NAMES = conf.feature_names()


def feature(x: np.ndarray, name: str) -> float:
    return float(x[NAMES.index(name)])


# Six occupations: 0 and 1 share a SOC detailed code (two O*NET-SOC codes of one SOC), 2 is in their broad
# group, 3 in their minor group only, 4 and 5 elsewhere.
GROUPS = conf.Groups(detailed=np.array([0, 0, 1, 2, 3, 4]), broad=np.array([0, 0, 0, 1, 2, 3]),
                     minor=np.array([0, 0, 0, 0, 1, 2]))


def test_leads_are_measured_to_the_runner_up_and_to_the_first_other_soc_code() -> None:
    fused = np.array([10.0, 9.0, 7.0, 4.0, 1.0, 0.0])
    x = conf.features(fused, {}, GROUPS)
    assert feature(x, "fused") == 10.0
    assert feature(x, "lead") == 1.0  # to occupation 1, same SOC code
    assert feature(x, "lead_other_soc") == 3.0  # to occupation 2, the first of another SOC code
    assert feature(x, "lead_5") == 9.0  # to the fifth


def test_group_mass_is_the_softmax_weight_kept_in_the_top_answers_group() -> None:
    fused = np.array([10.0, 9.0, 7.0, 4.0, 1.0, 0.0])
    x = conf.features(fused, {}, GROUPS)
    weights = np.exp(fused - 10.0) / np.exp(fused - 10.0).sum()
    assert feature(x, "mass_detailed") == pytest.approx(weights[:2].sum())
    assert feature(x, "mass_broad") == pytest.approx(weights[:3].sum())
    assert feature(x, "mass_minor") == pytest.approx(weights[:4].sum())
    assert feature(x, "mass_detailed") < feature(x, "mass_broad") < feature(x, "mass_minor") < 1.0


def test_channel_features_read_the_top_answer_against_its_first_rival_of_another_soc_code() -> None:
    fused = np.array([10.0, 9.0, 7.0, 4.0, 1.0, 0.0])
    dense = np.array([0.6, 0.9, 0.5, 0.8, 0.1, 0.0], dtype=np.float32)  # two occupations above the top answer
    x = conf.features(fused, {"dense_title": dense}, GROUPS)
    assert feature(x, "dense_title") == pytest.approx(0.6)
    assert feature(x, "dense_title_lead") == pytest.approx(0.1)  # against occupation 2
    assert feature(x, "dense_title_rank") == pytest.approx(np.log1p(2))
    assert feature(x, "lexical_description") == 0.0  # channels the query did not have read as zero


def test_exact_title_features_tell_a_unique_match_from_a_shared_one() -> None:
    fused = np.array([10.0, 9.0, 7.0, 4.0, 1.0, 0.0])
    unique = conf.features(fused, {"title_exact_share": np.array([1.0, 0, 0, 0, 0, 0])}, GROUPS, "Barista")
    shared = conf.features(fused, {"title_exact_share": np.array([0.25, 0, 0.25, 0.25, 0.25, 0])}, GROUPS, "Teacher")
    assert feature(unique, "exact_share") == 1.0 and feature(unique, "exact_count") == 1.0
    assert feature(shared, "exact_share") == 0.25 and feature(shared, "exact_count") == 4.0
    assert feature(unique, "title_words") == 1.0


def test_empty_ranking_has_all_zero_features() -> None:
    assert not conf.features(np.zeros(0), {}, GROUPS).any()


# ----- the tree model -----------------------------------------------------------------------------------------

def _fit_script():
    spec = importlib.util.spec_from_file_location("fit_calibration", ROOT / "scripts" / "fit_calibration.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_exported_trees_give_scikit_learns_probabilities() -> None:
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(3)
    X = rng.normal(size=(1500, len(NAMES)))
    X[:, 8] = rng.random(1500) * 1e-10  # values crowding around a split point must still take sklearn's branch
    y = (X[:, 0] + X[:, 1] * X[:, 2] + 1e10 * X[:, 8] + rng.normal(size=1500) > 0.5).astype(int)
    model = HistGradientBoostingClassifier(max_iter=30, max_leaf_nodes=8, random_state=0).fit(X, y)
    params = json.loads(json.dumps(_fit_script().export(model)))  # through JSON, as it is stored
    ours = conf.TreeModel(params)
    expected = model.predict_proba(X[:200])[:, 1]
    assert np.allclose(ours.probabilities(X[:200]), expected, atol=1e-9)  # all rows at once
    assert np.allclose([ours.probability(x) for x in X[:20]], expected[:20], atol=1e-9)  # one at a time


def test_the_model_averages_the_trees_and_the_logistic_regression() -> None:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(5)
    X = rng.normal(size=(800, len(NAMES)))
    y = (X[:, 0] - X[:, 3] + rng.normal(size=800) > 0).astype(int)
    trees = HistGradientBoostingClassifier(max_iter=20, random_state=0).fit(X, y)
    mean, scale = X.mean(axis=0), X.std(axis=0)
    linear = LogisticRegression().fit((X - mean) / scale, y)
    params = {**_fit_script().export(trees), "linear": {"mean": mean.tolist(), "scale": scale.tolist(),
                                                        "coef": linear.coef_[0].tolist(),
                                                        "bias": float(linear.intercept_[0])}}
    model = conf.ConfidenceModel(json.loads(json.dumps(params)))
    expected = 0.5 * (trees.predict_proba(X[:50])[:, 1] + linear.predict_proba((X[:50] - mean) / scale)[:, 1])
    assert np.allclose(model.probabilities(X[:50]), expected, atol=1e-9)
    assert model.probability(X[0]) == pytest.approx(expected[0])

    bolder = conf.ConfidenceModel({**json.loads(json.dumps(params)), "stretch": [2.0, 0.0]})
    logit = np.log(expected / (1 - expected))
    assert np.allclose(bolder.probabilities(X[:50]), 1 / (1 + np.exp(-2 * logit)), atol=1e-9)
    assert np.array_equal(np.argsort(bolder.probabilities(X[:50])), np.argsort(expected))  # same order


def test_a_mode_fitted_without_trees_is_the_logistic_regression_alone() -> None:
    """The description modes are fitted as a logistic regression alone (scripts/fit_calibration.py, KINDS): the
    exported parameters must give scikit-learn's probabilities, stretch included, without any tree."""
    rng = np.random.default_rng(7)
    X = rng.normal(size=(600, len(NAMES)))
    y = (X[:, 0] + 0.5 * X[:, 5] + rng.normal(size=600) > 0.3).astype(int)
    params = _fit_script().fit_linear(X, y)
    _, scaler, linear = params.pop("_sklearn")
    model = conf.ConfidenceModel(json.loads(json.dumps({**params, "stretch": [1.5, -0.2]})))
    expected = linear.predict_proba(scaler.transform(X[:40]))[:, 1]
    assert np.allclose(model.blend(X[:40]), expected, atol=1e-9)
    logit = np.log(expected / (1 - expected))
    assert np.allclose(model.probabilities(X[:40]), 1 / (1 + np.exp(-(1.5 * logit - 0.2))), atol=1e-9)
    with pytest.raises(ValueError, match="tree_weight"):  # a weight on trees that are not there is refused
        conf.ConfidenceModel({**params, "tree_weight": 0.5})


def test_the_packaged_description_mode_uses_no_trees_and_the_title_modes_keep_them() -> None:
    stored = json.loads(resources.files("retrieval").joinpath("calibration.json").read_text())["modes"]
    for mode in ("title", "title_description"):  # the title + description mode has its generic-title copies
        assert stored[mode]["trees"] and stored[mode].get("tree_weight", 0.5) == 0.5
    assert stored["description"]["trees"] == [] and stored["description"]["tree_weight"] == 0.0


def test_the_packaged_model_matches_the_features_and_gives_probabilities() -> None:
    stored = json.loads(resources.files("retrieval").joinpath("calibration.json").read_text())
    assert stored["version"] == conf.MODEL_VERSION
    assert set(stored["modes"]) == {"title", "description", "title_description"}
    rng = np.random.default_rng(0)
    for mode in stored["modes"]:
        p = [conf.top_probability(rng.normal(size=len(NAMES)) * 3, mode) for _ in range(50)]
        assert all(0.0 < v < 1.0 for v in p)
        assert len(set(p)) > 1  # the model reads its input


# ----- title votes ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def engine(fixture_release: Path, fixture_taxonomy: Path, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return Engine.open(fixture_release, fixture_taxonomy, tmp_path_factory.mktemp("conf-home"), progress=False)


def test_title_votes_share_out_the_titles_holding_every_word(engine: Engine) -> None:
    titles = engine._state.titles
    votes = conf.title_votes(titles, "nurse")
    holding = [d for d in titles.docs if "nurse" in d.normalized.split()]
    assert votes.sum() == pytest.approx(1.0)
    for i in set(d.code_index for d in holding):
        assert votes[i] == pytest.approx(sum(d.code_index == i for d in holding) / len(holding))
    assert votes[engine.codes.index("41-2011.00")] == 0.0  # no cashier title holds "nurse"


def test_title_votes_are_zero_when_no_title_holds_every_word(engine: Engine) -> None:
    titles = engine._state.titles
    assert not conf.title_votes(titles, "nurse cashier zzzz").any()
    assert not conf.title_votes(titles, "").any()
    assert not conf.title_votes(titles, None).any()


def test_a_unique_title_match_is_more_confident_than_a_one_word_generic_title(engine: Engine) -> None:
    sure = engine.code(title="Registered Nurse", industry="hospital").candidates[0]
    vague = engine.code(title="Worker").candidates[0]
    assert sure.code == "29-1141.00"
    assert sure.confidence > vague.confidence
