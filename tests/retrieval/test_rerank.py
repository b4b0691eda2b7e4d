"""The learned reranker: its candidate pool, its features, and how a fitted model re-orders the ranking."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import pickle
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from retrieval import rank, rerank
from retrieval.lexical import TitleDoc, TitleIndex
from retrieval.models import Query
from retrieval.onet import Taxonomy

N = 600
CODES = [f"51-{4000 + i:04d}.00" if i % 2 == 0 else f"51-{4000 + i - 1:04d}.01" for i in range(N)]
SOCS = [c[:7] for c in CODES]


def statics() -> rerank.Statics:
    docs = [TitleDoc(i, "alternate_title", f"title {i} extra", f"title {i} extra") for i in range(N)]
    docs += [TitleDoc(0, "reported_title", f"other {j}", f"other {j}") for j in range(5)]
    titles = TitleIndex(docs, N)
    names = [f"Occupation {i}" if i % 100 else f"Group {i} Workers, All Other" for i in range(N)]
    return rerank.build_statics(CODES, SOCS, Taxonomy(), titles, [frozenset({"w"})] * N, names)


def channels(seed: int = 0, exact: int | None = None) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    out = {"lexical_description": rng.random(N).astype(np.float32),
           "dense_description": rng.random(N).astype(np.float32)}
    if exact is not None:
        out["title"] = rng.random(N).astype(np.float32)
        share = np.zeros(N, dtype=np.float32)
        share[exact] = 1.0
        out["title_exact_share"] = share
    return out


def model_favouring(feature: str, mode: str) -> rerank.Reranker:
    names = rerank.feature_names()
    coef = [1.0 if name == feature else 0.0 for name in names]
    return rerank.Reranker({"modes": {mode: {"features": names, "mean": [0.0] * len(names),
                                             "scale": [1.0] * len(names), "coef": coef}}})


def test_the_pool_holds_the_best_fused_candidates_best_first() -> None:
    ch = channels()
    fused = rank.fuse(ch, {"lexical_description": 1.0, "dense_description": 1.0})
    pool = rerank.gather(ch, fused, size=10)
    assert list(pool.index) == list(np.argsort(-fused)[:10])
    column = rerank.CHANNELS.index("lexical_description")
    best = int(np.argmax(ch["lexical_description"]))
    if best in pool.index:
        assert pool.rank[column][list(pool.index).index(best)] == 0
    # a channel the query did not have is marked absent, not read as zero evidence
    assert pool.present[rerank.CHANNELS.index("title")] == 0
    assert pool.present[column] == 1


def test_features_have_one_row_per_candidate_and_the_named_columns() -> None:
    ch = channels()
    fused = rank.fuse(ch, {"lexical_description": 1.0})
    X = rerank.features(rerank.gather(ch, fused), statics())
    assert X.shape == (rerank.POOL, len(rerank.feature_names()))
    assert np.isfinite(X).all()


def test_the_all_other_occupations_are_flagged_for_the_model() -> None:
    """A group's "All Other" occupation has titles but no tasks: the model knows it for what it is."""
    st = statics()
    assert st.residual.tolist() == [1.0 if i % 100 == 0 else 0.0 for i in range(N)]
    ch = channels()
    pool = rerank.gather(ch, rank.fuse(ch, {"lexical_description": 1.0}))
    X = rerank.features(pool, st)
    column = rerank.feature_names().index("residual")
    assert X[:, column].tolist() == [float(i % 100 == 0) for i in pool.index]


@pytest.mark.parametrize(("words", "read"), [(0, 0.0), (3, np.log1p(3)), (8, np.log1p(8)), (40, np.log1p(8))])
def test_the_all_other_flag_is_also_read_with_how_long_the_description_is(words: int, read: float) -> None:
    """"I clean offices" is too short to rule out every cleaning occupation: the model can tell it from a full
    description, up to about one task statement's length."""
    ch = channels()
    pool = rerank.gather(ch, rank.fuse(ch, {"lexical_description": 1.0}), words=words)
    X = rerank.features(pool, statics())
    column = rerank.feature_names().index("residual_x_words")
    assert X[:, column] == pytest.approx([read if i % 100 == 0 else 0.0 for i in pool.index])


def test_the_engine_passes_the_description_length_to_the_model() -> None:
    """A model that favours "All Other" occupations only by that length gives them nothing without a description
    and puts one first for a long description."""
    ch = channels(2)
    ch["lexical_description"][100] = np.sort(ch["lexical_description"])[-5]  # an "All Other" one among the best
    fused = rank.fuse(ch, {"lexical_description": 1.0})
    reranker = model_favouring("residual_x_words", "description")
    pool = rerank.gather(ch, fused)
    assert 100 in pool.index and int(np.argmax(fused)) != 100
    wordless = reranker.rerank(ch, fused, "description", statics, description=None)
    assert np.ptp(wordless[pool.index]) == 0
    long = " ".join(f"word{i}" for i in range(20))
    assert rerank.description_words(long) == 20
    assert int(np.argmax(reranker.rerank(ch, fused, "description", statics, description=long))) % 100 == 0


def test_without_a_model_the_fused_ranking_is_kept() -> None:
    ch = channels()
    fused = rank.fuse(ch, {"lexical_description": 1.0})
    out = rerank.Reranker({}).rerank(ch, fused, "description", statics)
    assert np.array_equal(out, fused)


def test_a_model_reorders_the_pool_and_keeps_it_above_everyone_else() -> None:
    ch = channels(1)
    fused = rank.fuse(ch, {"lexical_description": 1.0})
    reranker = model_favouring("dense_description.raw", "description")
    out = reranker.rerank(ch, fused, "description", statics)
    pool = rerank.gather(ch, fused)
    top = int(np.argmax(out))
    # the pool member the model favours comes first, even when the fusion put it lower
    assert top == int(pool.index[np.argmax(ch["dense_description"][pool.index])])
    outside = np.setdiff1d(np.arange(N), pool.index)
    assert out[pool.index].min() > out[outside].max()


def test_the_title_read_with_the_industry_still_counts_after_the_model() -> None:
    """The models never saw an industry; the title-with-industry channel is added to their scores as the fusion
    weighs it, so the candidate the industry's own title names can overtake the model's first."""
    ch = channels(1)
    weights = {"lexical_description": 1.0, "title_industry": rank.TITLE_INDUSTRY_WEIGHT}
    reranker = model_favouring("dense_description.raw", "description")
    plain = reranker.rerank(ch, rank.fuse(ch, weights), "description", statics, rank.standardise_all(ch))
    pool = rerank.gather(ch, rank.fuse(ch, weights))
    second = int(pool.index[np.argsort(-plain[pool.index])[1]])
    ch["title_industry"] = np.zeros(N, dtype=np.float32)
    ch["title_industry"][second] = 1.0  # only the model's second has a title naming the industry
    fused = rank.fuse(ch, weights)
    with_setting = reranker.rerank(ch, fused, "description", statics, rank.standardise_all(ch))
    assert int(np.argmax(plain)) != second
    assert int(np.argmax(with_setting)) == second


def test_without_an_industry_the_model_scores_are_left_as_they_are() -> None:
    ch = channels(1)
    fused = rank.fuse(ch, {"lexical_description": 1.0})
    reranker = model_favouring("dense_description.raw", "description")
    assert np.array_equal(reranker.rerank(ch, fused, "description", statics, rank.standardise_all(ch)),
                          reranker.rerank(ch, fused, "description", statics))


def test_a_release_too_small_for_the_model_keeps_the_fused_order() -> None:
    small = {name: values[: rerank.MIN_OCCUPATIONS - 1] for name, values in channels(3).items()}
    fused = rank.fuse(small, {"lexical_description": 1.0})
    reranker = model_favouring("dense_description.raw", "description")
    assert np.array_equal(reranker.rerank(small, fused, "description", statics), fused)


def test_a_model_fitted_on_other_features_is_ignored() -> None:
    names = rerank.feature_names()[:-1]
    reranker = rerank.Reranker({"modes": {"description": {"features": names, "mean": [0.0] * len(names),
                                                          "scale": [1.0] * len(names), "coef": [1.0] * len(names)}}})
    ch = channels()
    fused = rank.fuse(ch, {"lexical_description": 1.0})
    assert np.array_equal(reranker.rerank(ch, fused, "description", statics), fused)


def test_a_title_some_occupation_lists_word_for_word_goes_to_its_own_model() -> None:
    ch = channels(2, exact=5)
    fused = rank.fuse(ch, {"title": 1.0, "lexical_description": 1.0})
    fused[5] += 100
    pool = rerank.gather(ch, fused)
    assert rerank.model_key("title_description", pool) == "title_description:exact"
    assert rerank.model_key("description", pool) == "description"
    ch_plain = channels(2, exact=None)
    ch_plain["title_exact_share"] = np.zeros(N, dtype=np.float32)
    assert rerank.model_key("title", rerank.gather(ch_plain, fused)) == "title"
    # only the exact-title model exists: a query without a listed title keeps its fused order, and never
    # works out the per-occupation facts it would have needed
    reranker = model_favouring("dense_description.raw", "title:exact")

    def unused() -> rerank.Statics:
        raise AssertionError("statics computed for a query no model applies to")

    assert np.array_equal(reranker.rerank(ch_plain, fused, "title", unused), fused)


def test_a_title_several_occupations_list_goes_to_the_shared_title_model() -> None:
    ch = channels(3, exact=5)
    ch["title_exact_share"][[5, 9]] = 0.5  # two occupations list the title word for word
    fused = rank.fuse(ch, {"title": 1.0, "lexical_description": 1.0})
    fused[[5, 9]] += 100
    pool = rerank.gather(ch, fused)
    assert rerank.model_key("title_description", pool) == "title_description:shared"
    assert rerank.model_key("title", pool) == "title:shared"
    # the shared-title model re-orders such a pool; a title one occupation lists keeps its fused order
    reranker = model_favouring("dense_description.raw", "title_description:shared")
    out = reranker.rerank(ch, fused, "title_description", statics)
    best = max(pool.index, key=lambda i: ch["dense_description"][i])
    assert int(np.argmax(out)) == best
    single = channels(3, exact=5)
    fused_single = rank.fuse(single, {"title": 1.0, "lexical_description": 1.0})
    fused_single[5] += 100
    assert np.array_equal(reranker.rerank(single, fused_single, "title_description", statics), fused_single)


def test_a_shared_title_counts_the_other_occupations_whose_titles_end_in_it() -> None:
    docs = [TitleDoc(0, "alternate_title", "Installer", "installer"),
            TitleDoc(1, "alternate_title", "Installer", "installer"),
            TitleDoc(1, "alternate_title", "Carpet Installer", "carpet installer"),  # lists both: not counted
            TitleDoc(2, "alternate_title", "Drywall Installer", "drywall installer"),
            TitleDoc(3, "alternate_title", "Solar Panel Installer", "solar panel installer"),
            TitleDoc(3, "alternate_title", "Panel Installer", "panel installer"),
            TitleDoc(4, "alternate_title", "Installer Helper", "installer helper")]  # does not end in it
    titles = TitleIndex(docs, 5)
    assert titles.endings("Installer") == 2
    assert titles.endings("INSTALLERS") == 2
    assert titles.endings("panel installer") == 0
    assert titles.endings("Welder") == 0
    restored = pickle.loads(pickle.dumps(titles))
    assert "_endings" not in restored.__dict__ and restored.endings("Installer") == 2


def test_the_count_is_read_for_listing_candidates_of_a_shared_title_only() -> None:
    ch = channels(4, exact=5)
    ch["title_exact_share"][[5, 9]] = 0.5
    fused = rank.fuse(ch, {"title": 1.0, "lexical_description": 1.0})
    fused[[5, 9]] += 100
    reranker = model_favouring("listed_x_endings", "title_description:shared")
    many = reranker.rerank(ch, fused, "title_description", statics, endings=lambda: 64)
    assert set(np.argsort(-many)[:2].tolist()) == {5, 9}  # the listing candidates carry log(1 + 64)
    pool = dataclasses.replace(rerank.gather(ch, fused), endings=64)
    column = rerank.feature_names().index("listed_x_endings")
    X = rerank.features(pool, statics())
    assert np.allclose(X[:, column], np.where(np.isin(pool.index, [5, 9]), np.log1p(64), 0.0))
    asked = []
    single = channels(4, exact=5)
    reranker.rerank(single, fused, "title_description", statics, endings=lambda: asked.append(1) or 3)
    assert asked == []  # a title one occupation lists goes to no model here, and the count is never worked out


@pytest.mark.parametrize(("first", "preferred", "expected"), [
    (10, 11, 10),  # the fusion put the general ".00" occupation first: its specialty does not displace it
    (11, 10, 10),  # the fusion put the specialty first: the model may still order them
])
def test_a_specialty_does_not_displace_its_general_occupation_on_a_shared_title(first: int, preferred: int,
                                                                                 expected: int) -> None:
    assert CODES[10].endswith(".00") and CODES[11].endswith(".01") and SOCS[10] == SOCS[11]
    ch = channels(5, exact=10)
    ch["title_exact_share"][[10, 11]] = 0.5
    ch["dense_description"][[10, 11]] = 0.0
    ch["dense_description"][preferred] = 5.0
    fused = rank.fuse(ch, {"title": 1.0, "lexical_description": 1.0})
    fused[[10, 11]] += 100
    fused[first] += 50
    reranker = model_favouring("dense_description.raw", "title_description:shared")
    out = reranker.rerank(ch, fused, "title_description", statics)
    assert int(np.argmax(out)) == expected


def test_the_packaged_model_matches_the_features_the_engine_computes() -> None:
    params = json.loads(resources.files("retrieval").joinpath("reranker.json").read_text())
    reranker = rerank.Reranker(params)
    assert "description" in reranker.modes
    assert {"description", "title_description:shared"} <= set(reranker.modes) <= {
        "title", "title:exact", "title:shared", "description", "title_description", "title_description:exact",
        "title_description:shared"}
    for mean, scale, coef, _ in reranker.modes.values():
        assert mean.shape == scale.shape == coef.shape == (len(rerank.feature_names()),)
        assert (scale > 0).all()


@pytest.mark.real_data
@pytest.mark.parametrize(("duties", "soc", "within"), [
    ("Drives a truck with a capacity of more than 26,000 pounds to carry goods over long distances. "
     "Inspects the truck before and after trips, keeps a log of hours and loads and secures cargo.", "53-3032", 3),
    ("Prepares and cooks meals in a restaurant kitchen. Seasons and grills meat, fish and vegetables. "
     "Cleans the grill and work area.", "35-2014", 3),
    # fourth since engine f17 (third before), behind office supervisors ("resolves complaints" reads as
    # supervising), telemarketers and telephone operators
    ("Answers telephone calls from customers about their accounts. Resolves billing complaints and records "
     "details of each call.", "43-4051", 5),
])
def test_duties_alone_put_the_occupation_they_describe_near_the_top(real_engine, duties: str, soc: str,
                                                                    within: int) -> None:
    result = real_engine.code(description=duties, k=within)
    assert soc in [c.soc_code for c in result.candidates]


@pytest.mark.real_data
def test_ablations_rank_without_the_reranker(real_engine) -> None:
    query = Query(description="Prepares and cooks meals in a restaurant kitchen; seasons and grills meat.")
    channels_, _, _, _ = real_engine._channels(query)
    plain = rank.fuse(channels_, rank.weights_for(query, ["dense"]))
    assert np.allclose(real_engine._rank(query, channels_, ["dense"]), plain)


def _fit_script():
    root = Path(__file__).resolve().parents[2]
    spec = importlib.util.spec_from_file_location("fit_reranker", root / "scripts" / "fit_reranker.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("task", "short"), [
    ("Clean and polish floors in offices, using buffers.", "Clean and polish floors in offices"),
    ("Perform routine and scheduled maintenance services, such as oil changes.",
     "Perform routine and scheduled maintenance services"),
    ("Measure, cut, and fit pipe to lengths required by blueprints.", "Measure, cut, and fit pipe"),
    ("Weigh and record the amounts of ingredients for each batch of dough.", "Weigh and record the amounts"),
])
def test_a_short_pseudo_query_is_a_tasks_opening_words(task: str, short: str) -> None:
    """The fitting script's short queries stand for a chat's first few words about the work."""
    assert _fit_script().short_statement(task) == short


@pytest.mark.real_data
def test_each_occupation_is_paired_with_its_groups_all_other_occupation(real_engine) -> None:
    residual = _fit_script().residual_of(real_engine)
    assert residual["51-9195.00"] == "51-9199.00"  # same broad group, Miscellaneous Production Workers
    assert residual["51-4031.00"] == "51-4199.00"  # the only "All Other" of Metal Workers and Plastic Workers
    assert residual["53-7062.00"] == "53-7199.00"
    assert "51-9199.00" not in residual  # an "All Other" occupation stands for itself
    assert all(real_engine.title_of(r).endswith("All Other") for r in residual.values())


@pytest.mark.real_data
@pytest.mark.parametrize("duties", [
    "Threads glass beads onto wire by hand to make decorative curtains, cuts the wire to length and crimps the "
    "ends with pliers.",
    "Glues felt pads to the bottoms of wooden chess pieces, trims the excess felt with a knife and packs the sets "
    "in boxes.",
])
def test_a_job_no_detailed_occupation_describes_is_offered_an_all_other_occupation(real_engine, duties) -> None:
    result = real_engine.code(description=duties, k=3)
    assert any(c.title.endswith("All Other") for c in result.candidates[:2]), [c.title for c in result.candidates]


def test_supervision_words_are_the_ones_most_supervisors_use_for_supervising() -> None:
    """Words most supervisor occupations share and others seldom use; not a trade of one supervisor, not a word
    everybody uses."""
    trades = ["inmate", "menu", "lawn", "cargo"]
    statements = [[f"Assign tasks to workers and hire staff for the {t} area.", f"Inspect the {t} equipment daily."]
                  for t in trades]
    statements += [[f"Operate the equipment to cut part {i}.", f"Clean part {i} with solvent."] for i in range(30)]
    statements += [["Train new workers on the line."]]
    supervisor = np.array([1.0] * len(trades) + [0.0] * 31, dtype=np.float32)
    words = rerank.supervision_words(statements, supervisor)
    assert {"assign", "hire", "staff", "worker"} <= set(words)
    assert not set(words) & {"inmate", "menu", "lawn", "cargo"}  # each is one supervisor's trade
    assert "equipment" not in words  # as common among the others
    assert words["assign"] > words["worker"] > 0  # "worker" is also in another occupation's statement
    assert rerank.supervision_words(statements, np.zeros(len(statements), dtype=np.float32)) == {}


def _with_overseer(st: rerank.Statics, heads: dict[int, int]) -> rerank.Statics:
    overseer = np.full(N, -1, dtype=np.int32)
    supervisor = np.zeros(N, dtype=np.float32)
    for worker, head in heads.items():
        overseer[worker] = head
        supervisor[head] = 1.0
    return dataclasses.replace(st, overseer=overseer, supervisor=supervisor)


def test_a_supervisory_query_brings_the_supervisor_of_its_best_candidates_into_the_pool() -> None:
    ch = channels(4)
    fused = rank.fuse(ch, {"lexical_description": 1.0, "dense_description": 1.0})
    order = np.argsort(-fused)
    best, head = int(order[0]), int(order[-1])  # the supervisor of the best candidate ranks last
    st = _with_overseer(statics(), {best: head})
    plain = rerank.gather(ch, fused, overseer=lambda: st.overseer)
    assert head not in plain.index  # nothing in the query says it supervises
    ch["supervision"] = st.supervisor * np.float32(3.0)
    pool = rerank.gather(ch, fused, overseer=lambda: st.overseer)
    assert pool.index.shape[0] == rerank.POOL + 1 and int(pool.index[-1]) == head
    assert list(pool.index[:-1]) == list(plain.index)
    X = rerank.features(pool, st)
    names = rerank.feature_names()
    share = X[:, names.index("supervised_share")]
    # the supervisor's share is the best candidate's part of the top candidates' weight; nobody else has one
    assert share[-1] > 0 and (share[:-1] == 0).all()
    assert X[-1, names.index("supervisor")] == 1.0
    assert X[-1, names.index("supervision_x_supervised")] == pytest.approx(3.0 * share[-1])


def test_a_model_that_favours_supervising_the_best_candidates_puts_their_supervisor_first() -> None:
    ch = channels(5)
    fused = rank.fuse(ch, {"lexical_description": 1.0, "dense_description": 1.0})
    order = np.argsort(-fused)
    st = _with_overseer(statics(), {int(order[0]): int(order[-1]), int(order[1]): int(order[-1])})
    ch["supervision"] = st.supervisor * np.float32(2.0)
    out = model_favouring("supervision_x_supervised", "description").rerank(ch, fused, "description", lambda: st)
    assert int(np.argmax(out)) == int(order[-1])


@pytest.mark.real_data
def test_supervisors_and_the_work_they_supervise_on_the_real_taxonomy(real_engine) -> None:
    st = real_engine._state
    words = st.supervision_words
    assert {"supervise", "assign", "worker", "hire"} <= set(words)
    assert not set(words) & {"inmate", "menu", "firefighter", "landscaping", "cargo"}  # one supervisor's trade
    statics = real_engine._statics
    index = {c: i for i, c in enumerate(real_engine.codes)}

    def head(code: str) -> str:
        return real_engine.codes[statics.overseer[index[code]]]

    assert statics.supervisor[index["51-1011.00"]] == 1 and statics.supervisor[index["51-4031.00"]] == 0
    assert head("51-4031.00") == "51-1011.00"  # the only supervisors of production workers
    assert head("37-2011.00") == "37-1011.00"  # janitors: housekeeping, not landscaping supervisors
    assert head("37-3011.00") == "37-1012.00"
    assert head("33-2011.00") == "33-1021.00"  # firefighters
    assert statics.overseer[index["51-1011.00"]] == -1  # a supervisor is not its own worker


@pytest.mark.real_data
@pytest.mark.parametrize(("duties", "soc"), [
    ("Supervises and coordinates the activities of workers who assemble wooden chairs and tables. Assigns tasks, "
     "trains new workers and inspects the finished furniture.", "51-1011"),
    ("Supervises the mechanics who repair the company's trucks, assigns repair jobs and checks the finished work.",
     "49-1011"),
    ("Supervises cooks and kitchen workers in a hospital cafeteria, schedules their shifts and orders food "
     "supplies.", "35-1012"),
])
def test_a_supervisor_described_by_the_work_supervised_is_offered_the_supervisors(real_engine, duties, soc) -> None:
    result = real_engine.code(description=duties, k=3)
    assert soc in [c.soc_code for c in result.candidates[:2]], [c.title for c in result.candidates]


@pytest.mark.real_data
def test_the_same_work_without_supervising_is_not_coded_to_a_supervisor(real_engine) -> None:
    result = real_engine.code(description="Assembles wooden chairs and tables, glues and clamps the joints and "
                                          "sands the finished furniture.", k=3)
    assert "Supervisors" not in result.candidates[0].title
    assert real_engine._channels(Query(description="Assembles wooden chairs and tables."))[0]["supervision"].max() == 0
