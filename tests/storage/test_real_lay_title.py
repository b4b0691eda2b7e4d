"""The issue's promise on the real O*NET release: an approved new title is found by search, first, right after the
approval (how fast is a benchmark figure, `scripts/bench.py`: "approved new title answered first")."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assistant import review
from assistant.store import Store
from retrieval.engine import Engine
from tests.storage.conftest import ANALYST, part_a

pytestmark = pytest.mark.real_data
LAY_TITLE = "vibe curator"  # O*NET answers Curators (25-4012.00) for it
EVENT_PLANNER = "13-1121.00"  # Meeting, Convention, and Event Planners


@pytest.fixture
def engine(real_engine: Engine) -> Iterator[Engine]:
    """The session's real engine, with the lay titles it knew before this test put back afterwards."""
    before = {title: list(codes) for title, codes in real_engine._lay_titles.items()}
    yield real_engine
    real_engine._lay_titles = before


def test_an_approved_new_title_ranks_first_right_after_the_decision(store: Store, engine: Engine,
                                                                    analysts: tuple[str, str]) -> None:
    assert engine.code(title=LAY_TITLE).candidates[0].code != EVENT_PLANNER
    ref = store.create_submission().reference
    store.save_conversation(ref, None, part_a(LAY_TITLE, summary="Plans the office parties and team outings.",
                                              duties=[{"text": "Books venues and caterers for company events"}],
                                              industries=[{"name": "software company"}]))
    review.submit(store, ref, engine)
    review.decide(store, ref, ANALYST, "change", engine=engine, code=EVENT_PLANNER, reason_category="duties")
    assert engine.code(title=LAY_TITLE).candidates[0].code == EVENT_PLANNER  # no rebuild, no restart
    assert engine.search(LAY_TITLE)[0].code == EVENT_PLANNER


@pytest.mark.parametrize("title, code", [("vibe curator", EVENT_PLANNER), ("data wrangler", "15-2051.00"),
                                         ("bin lorry driver", "53-7081.00")])
def test_an_approved_lay_title_is_answered_with_more_confidence_than_before(engine: Engine, title: str,
                                                                          code: str) -> None:
    """Once an analyst approves a title, its code comes first and is shown surer than it was before."""
    before = engine.code(title=title).candidates
    engine.add_lay_titles([(title, code)])
    top = engine.code(title=title).candidates[0]
    assert top.code == code
    earlier = next((c.confidence for c in before if c.code == code), 0.0)
    assert top.confidence > max(earlier, 0.3), (title, earlier, top.confidence)
