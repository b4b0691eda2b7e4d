"""A bare one-word title that only an occupation's own incumbents reported, and that it uses in no other
title, does not answer a one-word query ("Owner" is listed under Urologists; a bare "Owner" is not a
urologist), while deliberate listings and longer queries are unaffected."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from retrieval.engine import Engine
from retrieval.lexical import TITLE_POOL, TitleDoc, TitleIndex, group_top, incidental_listings
from retrieval.normalize import normalize_title

INCUMBENTS = frozenset({"02"})


def doc(code: int, text: str, sources: frozenset[str] = INCUMBENTS, kind: str = "alternate_title") -> TitleDoc:
    return TitleDoc(code, kind, text, normalize_title(text), sources)


DOCS = [
    doc(0, "Urologists", frozenset(), "title"), doc(0, "Owner"), doc(0, "Urologic Surgeon"),
    doc(1, "Chief Executives", frozenset(), "title"), doc(1, "Agency Owner", frozenset({"08"})),
    doc(2, "Funeral Home Managers", frozenset(), "title"), doc(2, "Owner", frozenset({"04", "06"})),
    doc(2, "Funeral Home Owner"),
    doc(3, "Principal", INCUMBENTS), doc(3, "School Principal"),  # the occupation uses the word elsewhere
    doc(4, "Briner"), doc(5, "Briner"),  # nobody uses the word in a longer title: a specific word
    doc(6, "Owner", frozenset(), "title"),  # an occupation's own title is never incidental
]


def test_only_incumbent_reported_listings_of_a_word_used_elsewhere_are_incidental() -> None:
    muted = incidental_listings(DOCS)
    assert set(muted) == {"owner"}
    assert [DOCS[i].code_index for i in muted["owner"]] == [0]


@pytest.fixture(scope="module")
def index() -> TitleIndex:
    return TitleIndex(sorted(DOCS, key=lambda d: d.code_index), 7)


def test_a_one_word_query_does_not_match_the_incidental_listing(index: TitleIndex) -> None:
    best, _, best_doc = index.occupation_scores_many(["Owner"])
    assert best[0, 0] < 0.5, "Urologists answer 'Owner' only through their bare listing"
    assert best[0, 2] == pytest.approx(1.0) and best[0, 6] == pytest.approx(1.0)
    assert index.docs[best_doc[0, 2]].normalized == "owner"
    muted_doc = next(i for i, d in enumerate(index.docs) if d.code_index == 0 and d.normalized == "owner")
    assert index.similarities("Owner")[muted_doc] == 0.0
    assert index.exact_share("Owner")[0] == 0.0 and index.exact_share("Owner")[2] == pytest.approx(0.5)


def test_a_longer_query_still_matches_the_listing(index: TitleIndex) -> None:
    muted_doc = next(i for i, d in enumerate(index.docs) if d.code_index == 0 and d.normalized == "owner")
    assert index.similarities("owner surgeon")[muted_doc] > 0.3
    assert index.similarities("principal")[[i for i, d in enumerate(index.docs) if d.code_index == 3]].max() == \
        pytest.approx(1.0)


def test_the_compiled_scores_and_their_numpy_definition_agree_on_muted_words(index: TitleIndex) -> None:
    titles = ["Owner", "owner", "Agency Owner", "Briner", "Principal", "Owners"]
    many = index.occupation_scores_many(titles)
    for r, title in enumerate(titles):
        one = group_top(index.similarities(title), index.doc_codes, index.n_codes, 3, TITLE_POOL)
        assert all(np.array_equal(a[r], b) for a, b in zip(many, one)), title


def test_the_engine_codes_a_bare_word_away_from_the_occupation_whose_incumbents_said_it(
        fixture_release: Path, fixture_taxonomy: Path, tmp_path: Path) -> None:
    # "Owner" itself is read as a manager's title before any listing is looked at (test_owner_titles.py), so a
    # made-up word stands in for it here: reported bare by one occupation's incumbents, used longer by another.
    release = tmp_path / "release"
    shutil.copytree(fixture_release, release)
    with (release / "Alternate Titles.txt").open("a", encoding="utf-8") as out:
        out.write("11-9111.00\tMedical and Health Services Managers\tSteward\t\t02\n")
        out.write("11-1011.00\tChief Executives\tBusiness Steward\t\t08\n")
    engine = Engine.open(release, fixture_taxonomy, tmp_path / "home", progress=False)
    assert engine.code(title="Steward").candidates[0].code == "11-1011.00"
    # the listing still counts for a longer title, and O*NET's profile still shows it
    assert "Steward" in [a.title for a in engine.kb.occupations["11-9111.00"].alt_titles]
    clinic = engine.code(title="Steward clinic manager").candidates[0]
    assert clinic.code == "11-9111.00"
