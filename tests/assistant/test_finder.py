"""Find an occupation's search service: filters, browsing and code prefixes, on fixtures and the real release."""

from __future__ import annotations

import pytest

from assistant.finder import find_occupations, job_families, job_zones
from retrieval.engine import Engine
from tests.ui.engines import small_engine  # noqa: F401 - a fixture


def codes(engine: Engine, query: str, **kwargs: object) -> list[str]:
    return [r.code for r in find_occupations(engine, query, **kwargs).results]


def test_job_families_are_the_major_groups_that_hold_occupations(small_engine: Engine) -> None:
    families = {f.code: f.title for f in job_families(small_engine.kb)}
    assert families["29-0000"] == "Healthcare Practitioners and Technical Occupations"
    assert list(families) == sorted(families) and "13-0000" not in families  # none of the fixture's is there
    assert job_zones(small_engine.kb)[2].startswith("Job Zone Two")


def test_each_result_carries_its_family_zone_and_what_matched(small_engine: Engine) -> None:
    finding = find_occupations(small_engine, "  charge   nurse ")
    assert finding.query == "charge nurse" and finding.words == ["charge", "nurse"]
    nurse = finding.results[0]
    assert (nurse.code, nurse.job_zone, nurse.family.code) == ("29-1141.00", 3, "29-0000")
    assert "Charge Nurse" in nurse.matched_titles
    assert "Registered Nurses" not in nurse.matched_titles  # its own title is the heading, not a match


def test_filters_keep_only_the_chosen_families_and_zones(small_engine: Engine) -> None:
    assert set(codes(small_engine, "cook")[:2]) == {"35-2014.00", "35-1011.00"}
    assert codes(small_engine, "cook", zones=[2]) == ["35-2014.00"]
    assert codes(small_engine, "cook", families=["53-0000"]) == []
    assert all(c.startswith("29-") for c in codes(small_engine, "nurse", families=["29-0000"]))


def test_a_filter_without_a_query_browses_and_nothing_at_all_finds_nothing(small_engine: Engine) -> None:
    assert codes(small_engine, "", families=["41-0000"]) == ["41-1011.00", "41-2011.00", "41-2031.00"]
    assert codes(small_engine, "", zones=[5]) == ["11-1011.00"]
    assert codes(small_engine, "") == []


def test_codes_and_their_starts_list_the_occupations_under_them(small_engine: Engine) -> None:
    assert codes(small_engine, "35") == ["35-1011.00", "35-2014.00"]
    assert codes(small_engine, "29-114") == ["29-1141.00"]
    assert codes(small_engine, "29-1141.00") == ["29-1141.00"]
    assert codes(small_engine, "99-9999") == []


def test_limit_and_more(small_engine: Engine) -> None:
    finding = find_occupations(small_engine, "", families=["11-0000", "15-0000", "29-0000"], limit=2)
    assert len(finding.results) == 2 and finding.more
    assert not find_occupations(small_engine, "", families=["11-0000"], limit=2).more


@pytest.mark.real_data
def test_search_on_the_real_release_answers_every_query_within_its_filters(real_engine: Engine) -> None:
    """Every everyday query finds occupations, and each filter keeps only its own (how fast: scripts/bench.py)."""
    queries = ["nurse", "sewing machine", "software developer", "truck driver", "sew garments by hand",
               "registered nurse supervisor", "29-11", "cashier", "welder", "teacher"]
    for query in queries:
        assert find_occupations(real_engine, query).results, query
        in_family = find_occupations(real_engine, query, families=["29-0000"]).results
        assert all(r.family is not None and r.family.code == "29-0000" for r in in_family), query
        assert all(r.job_zone in (2, 3) for r in find_occupations(real_engine, query, zones=[2, 3]).results), query
    assert codes(real_engine, "RN")[0] == "29-1141.00"
