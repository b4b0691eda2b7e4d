"""Find an occupation through AppTest, over a real engine built from the fixture release."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from retrieval.engine import Engine
from retrieval.errors import OcaError, ReleaseError
from tests.ui.engines import small_engine  # noqa: F401 - a fixture
from tests.ui.fakes import FakeEngine
from ui import state
from ui.views import find

FIND = "views/find.py"


@pytest.fixture
def engine(small_engine: Engine) -> Engine:
    return small_engine


def plain(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def texts(at: AppTest, *kinds: str) -> str:
    kinds = kinds or ("markdown", "caption", "info", "warning", "error", "success")
    return plain("\n".join(str(e.value) for kind in kinds for e in getattr(at, kind)))


def result_titles(at: AppTest) -> list[str]:
    return [plain(m.value).removeprefix("#### ").replace("**", "") for m in at.markdown if m.value.startswith("#### ")]


@pytest.fixture
def find_page(app: Callable[..., AppTest], engine: Engine) -> Callable[..., AppTest]:
    def make(engine_: object = engine, **params: str | list[str]) -> AppTest:
        at = app(engine_)
        for name, value in params.items():
            at.query_params[name] = value
        at.run()
        return at.switch_page(FIND).run()

    return make


def test_an_empty_search_says_what_to_type(find_page: Callable[..., AppTest]) -> None:
    at = find_page()
    assert not at.exception
    assert [i.value for i in at.info] == [find.EMPTY]
    assert not result_titles(at)


def test_a_title_search_lists_occupations_with_what_matched_highlighted(find_page: Callable[..., AppTest]) -> None:
    at = find_page()
    at.text_input(key=find.QUERY_KEY).input("charge nurse").run()
    assert not at.exception
    titles = result_titles(at)
    assert titles[:2] == ["Registered Nurses", "Licensed Practical and Licensed Vocational Nurses"]
    also = [m.value for m in at.markdown if m.value.startswith("Also called")]
    assert "**Charge** **Nurse**" in also[0]  # the alternate title the words matched, in bold
    captions = texts(at, "caption")
    assert "29-1141.00 · Healthcare Practitioners and Technical Occupations · Job zone 3" in captions


def test_matching_tasks_are_shown_with_the_query_words_in_bold(find_page: Callable[..., AppTest]) -> None:
    at = find_page(q="sewing")
    assert result_titles(at)[0] == "Sewing Machine Operators"
    assert "- Check finished pieces for **sewing** defects and repair them." in texts(at, "markdown")
    assert "Also called: **Sewing** Machine Operators" not in texts(at, "markdown")  # its own title is not repeated


def test_job_zone_and_family_filters_narrow_the_results(find_page: Callable[..., AppTest]) -> None:
    at = find_page(q="cook")
    assert set(result_titles(at)[:2]) == {"Cooks, Restaurant", "Chefs and Head Cooks"}
    at.multiselect(key=find.ZONE_KEY).set_value([2]).run()
    assert not at.exception
    assert result_titles(at) == ["Cooks, Restaurant"]
    at.multiselect(key=find.ZONE_KEY).set_value([]).run()
    at.multiselect(key=find.FAMILY_KEY).set_value(["41-0000"]).run()
    assert "Cooks, Restaurant" not in result_titles(at)


def test_a_job_family_can_be_browsed_without_a_query(find_page: Callable[..., AppTest]) -> None:
    at = find_page()
    family = at.multiselect(key=find.FAMILY_KEY)
    assert "Sales and Related Occupations" in [family.format_func(o) for o in family.options]
    family.set_value(["41-0000"]).run()
    assert result_titles(at) == ["First-Line Supervisors of Retail Sales Workers", "Cashiers", "Retail Salespersons"]
    assert "3 occupations, in code order" in texts(at, "caption")


@pytest.mark.parametrize(("query", "expected"), [
    ("29-1141", ["Registered Nurses"]),
    ("29-1141.00", ["Registered Nurses"]),
    ("41-20", ["Cashiers", "Retail Salespersons"]),
])
def test_a_code_or_its_start_finds_the_occupations_under_it(find_page: Callable[..., AppTest], query: str,
                                                           expected: list[str]) -> None:
    at = find_page(q=query)
    assert result_titles(at) == expected


def test_no_results_says_what_to_try(find_page: Callable[..., AppTest]) -> None:
    at = find_page(q="zzzqx")
    assert not at.exception
    assert [w.value for w in at.warning] == [find.NO_RESULTS]


def test_show_more_pages_through_long_lists(find_page: Callable[..., AppTest]) -> None:
    at = find_page(q="29-")  # a code prefix: the 3 occupations whose code starts with 29-
    assert len(result_titles(at)) == 3 and "find.more" not in [b.key for b in at.button]
    at.text_input(key=find.QUERY_KEY).input("").run()
    at.multiselect(key=find.FAMILY_KEY).set_value(["11-0000", "15-0000", "29-0000"]).run()
    at.session_state[find.LIMIT_KEY] = 3
    at.run()
    assert result_titles(at) == ["Chief Executives", "Medical and Health Services Managers", "Software Developers"]
    assert "3+ occupations, in code order" in texts(at, "caption")
    assert "3+ occupations" in texts(at, "caption")
    at.button(key="find.more").click().run()
    assert len(result_titles(at)) == 6 and "6 occupations" in texts(at, "caption")
    at.text_input(key=find.QUERY_KEY).input("29").run()  # a new search starts again at the first page
    assert at.session_state[find.LIMIT_KEY] == find.PAGE_SIZE


def test_a_result_opens_its_profile_and_back_returns_to_the_results(find_page: Callable[..., AppTest]) -> None:
    at = find_page(q="cashier")
    at.button(key="view-41-2011.00").click().run()
    assert not at.exception
    assert at.query_params[find.OCCUPATION_KEY] == ["41-2011.00"] or at.query_params[find.OCCUPATION_KEY] == "41-2011.00"
    assert at.header[0].value == "Cashiers"
    assert [t.label.split(" (")[0] for t in at.tabs] == ["Tasks", "Titles", "Work activities", "Technology",
                                                          "Tools", "Related"]
    at.button(key="find.back").click().run()
    assert not at.header
    assert result_titles(at)[0] == "Cashiers"


def test_a_link_to_an_unknown_code_says_so(find_page: Callable[..., AppTest]) -> None:
    at = find_page(occupation="99-9999.99")
    assert not at.exception
    assert [plain(e.value) for e in at.error] == [find.UNKNOWN_CODE.format(code="99-9999.99")]


def test_search_errors_and_an_engine_that_cannot_open_are_shown_as_messages(
        find_page: Callable[..., AppTest], fixture_kb, monkeypatch: pytest.MonkeyPatch) -> None:
    failing = FakeEngine(fixture_kb)

    def broken_search(query: str, k: int = 20) -> list:
        raise OcaError("The search index is damaged: run `oca index --rebuild`.")

    failing.search = broken_search  # type: ignore[method-assign]
    at = find_page(failing, q="nurse")
    assert not at.exception
    assert [plain(e.value) for e in at.error] == ["The search index is damaged: run `oca index --rebuild`."]

    def cannot_open() -> None:
        raise ReleaseError("O*NET release not found at /nowhere: set OCA_ONET_DIR to the unzipped folder.")

    monkeypatch.setattr(state, "get_engine", cannot_open)
    at.run()
    assert "set OCA_ONET_DIR" in texts(at, "error")
    assert not at.text_input


def test_typed_text_is_never_rendered_as_markup(find_page: Callable[..., AppTest]) -> None:
    at = find_page(q="<b>nurse</b> [x](javascript:alert(1)) ![i](http://x/i.png)")
    assert not at.exception
    for element in (*at.markdown, *at.caption):
        assert "<b>" not in element.value and "](" not in element.value
