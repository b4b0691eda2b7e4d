"""A description of several sentences is also ranked by its first sentence alone, and the two rankings mixed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from retrieval import confidence as conf
from retrieval import engine as engine_module
from retrieval.engine import LEAD_WEIGHT, Engine, lead_query, with_lead
from retrieval.models import Query

N = 50


def scores(*best: int) -> np.ndarray:
    """A ranking over N occupations with `best` first, in that order, well above the rest."""
    out = np.linspace(0.0, -1.0, N)
    for rank, i in enumerate(best):
        out[i] = 10.0 - rank
    return out


def test_only_a_description_of_several_sentences_without_a_title_has_a_lead() -> None:
    text = "Cooks meals in a hospital kitchen. Washes pots and pans."
    assert lead_query(Query(title="cook")) is None
    assert lead_query(Query(description="Cooks meals in a hospital kitchen.")) is None
    assert lead_query(Query(title="cook", description=text)) is None  # the title says what the job is
    lead = lead_query(Query(description=text, industry="hospital"))
    assert lead == Query(description="Cooks meals in a hospital kitchen.", industry="hospital")


def test_a_sure_first_sentence_lifts_its_occupation_over_a_close_whole_description() -> None:
    whole = scores(3, 7)  # the whole description: 3 ahead of 7, but not by much
    lead = scores(7, 3)  # the first sentence: plainly 7
    top, shares = with_lead(whole, 0.40, lead, 0.90, k=5, mode=None)
    assert top[0] == 7 and top[1] == 3
    assert shares == sorted(shares, reverse=True)
    assert sum(shares) <= 1.0 + 1e-9
    # the mixture itself: (whole + LEAD_WEIGHT * lead) / (1 + LEAD_WEIGHT) of each share
    assert shares[0] == pytest.approx((whole_share(whole, 0.40, 7) + LEAD_WEIGHT * 0.90) / (1 + LEAD_WEIGHT))


def whole_share(fused: np.ndarray, p_top: float, i: int) -> float:
    from retrieval import rank

    pool = np.argsort(-fused)[:engine_module.LEAD_POOL]
    return dict(zip(pool.tolist(), rank.shared_confidence(p_top, fused, pool)))[i]


def test_a_vague_first_sentence_does_not_overturn_a_sure_whole_description() -> None:
    top, _ = with_lead(scores(3, 7), 0.85, scores(7, 3), 0.30, k=3, mode=None)
    assert top[0] == 3


def test_the_mixed_top_share_is_mapped_by_the_modes_lead_stretch() -> None:
    top, raw = with_lead(scores(3, 7), 0.5, scores(3, 7), 0.5, k=4, mode=None)
    _, stretched = with_lead(scores(3, 7), 0.5, scores(3, 7), 0.5, k=4, mode="description")
    assert stretched[0] == pytest.approx(conf.lead_probability(raw[0], "description"))
    assert all(0.0 <= s <= stretched[0] for s in stretched)
    assert sum(stretched) <= 1.0 + 1e-9


def test_the_stored_confidence_model_has_a_lead_stretch_for_descriptions() -> None:
    model = conf.models()["description"]
    assert model.lead_slope > 0  # a surer mixture stays a surer answer
    assert (model.lead_slope, model.lead_intercept) != (1.0, 0.0)  # fitted, not the identity


@pytest.fixture(scope="module")
def engine(fixture_release: Path, fixture_taxonomy: Path, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return Engine.open(fixture_release, fixture_taxonomy, tmp_path_factory.mktemp("lead-home"), progress=False)


def test_the_first_sentence_is_ranked_from_what_the_whole_description_found(engine: Engine, monkeypatch) -> None:
    """The lead's sentence vector and its sentence's hits come from the whole description's work: one embedding
    call and one extra vector search (the lead's own whole-query pool)."""
    embedded: list[list[str]] = []
    searches: list[int] = []
    embed, query_ids = engine._embedder.embed, engine._store.query_ids

    def counted_embed(texts, *args, **kwargs):
        embedded.append(list(texts))
        return embed(texts, *args, **kwargs)

    def counted_query_ids(vectors, n):
        searches.append(len(vectors))
        return query_ids(vectors, n)

    monkeypatch.setattr(engine._embedder, "embed", counted_embed)
    monkeypatch.setattr(engine._store, "query_ids", counted_query_ids)
    text = "Operates a zigzag sewing machine to join parts of garments. Trims loose threads from seams."
    result = engine.code(description=text, industry="apparel", k=3)
    assert result.candidates
    assert len(embedded) == 1  # both sentences, once
    assert searches == [1, 2, 1]  # the whole description, the two sentences, the lead's whole-query pool
    assert getattr(engine._batch, "memo", None) is None  # nothing kept after the call


def test_the_mixture_changes_the_answer_only_where_the_description_has_several_sentences(engine: Engine,
                                                                                          monkeypatch) -> None:
    one = "Operates a zigzag sewing machine to join parts of garments."
    several = one + " Rings up purchases at the register and counts the till."
    before = {text: engine.code(description=text, k=5) for text in (one, several)}
    monkeypatch.setattr(engine_module, "lead_query", lambda query: None)  # the whole description alone
    after = {text: engine.code(description=text, k=5) for text in (one, several)}

    def shown(result):
        return [(c.code, c.confidence) for c in result.candidates]

    assert shown(before[one]) == shown(after[one])
    assert shown(before[several]) != shown(after[several])


def test_the_first_sentence_is_ranked_knowing_the_whole_description_supervises(engine: Engine, monkeypatch) -> None:
    """Whether the job supervises is said anywhere ("... I assign each cleaner an area and inspect their work"); the
    first sentence alone ("I'm in charge of the cleaning crew") would rank the workers it names."""
    seen: list[dict] = []
    rank_ = engine._rank

    def recorded(query, channels, *args, **kwargs):
        seen.append(dict(channels))
        return rank_(query, channels, *args, **kwargs)

    monkeypatch.setattr(engine, "_rank", recorded)
    engine.code(description="Rings up purchases at the register in a grocery store. Supervises and trains the "
                            "cashiers, assigns their work and schedules their shifts.", k=3)
    whole, first = seen
    assert whole["supervision"].max() > 0  # the fixture's supervisors are read as such
    assert np.array_equal(first["supervision"], whole["supervision"])
