"""The Streamlit app through AppTest: every page renders, the main flows work, errors show as messages."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from eval.store import list_runs

from retrieval.errors import IndexError_, OcaError, ReleaseError
from tests.ui.fakes import GOOD_CASES, FakeEngine, case_line
from ui import auth, state
from ui.footer import ATTRIBUTION
from ui.views.evaluation import NO_RUNS

CODE_JOB = "views/code_job.py"
OCCUPATION = "views/occupation.py"
EVALUATION = "views/evaluation.py"
PAGES = (CODE_JOB, OCCUPATION, EVALUATION)


def plain(text: str) -> str:
    """Markdown with its backslash escapes removed: the text a reader sees."""
    return re.sub(r"\\(.)", r"\1", text)


def texts(at: AppTest, *kinds: str) -> str:
    """What the page says in Markdown, captions and alerts (or only in `kinds`), as one plain string."""
    kinds = kinds or ("markdown", "caption", "info", "warning", "error", "success")
    return plain("\n".join(str(e.value) for kind in kinds for e in getattr(at, kind)))


def started(at: AppTest, page: str) -> AppTest:
    """`at` run once, with an evaluator signed in when `page` is for evaluators."""
    if page == EVALUATION:
        at.session_state[auth.USER_KEY] = auth.SignedIn(name="eve", role="evaluator")
    return at.run()


def open_page(app: Callable[..., AppTest], page: str, **kwargs: object) -> AppTest:
    at = started(app(**kwargs), page)  # opens on the default page, Describe a job
    at.switch_page(page).run()
    return at


# ----- every page ---------------------------------------------------------------------------------------

def test_each_page_renders_with_the_footer(app: Callable[..., AppTest]) -> None:
    for page in PAGES:
        at = open_page(app, page)
        assert not at.exception, (page, at.exception)
        assert not at.error, (page, [e.value for e in at.error])
        captions = texts(at, "caption")
        assert ATTRIBUTION in captions, page
        assert "Data: O*NET 29.3 · engine fake-1" in captions, page


def test_building_the_index_shows_a_status_box(app: Callable[..., AppTest], fake_engine: FakeEngine,
                                                     tmp_path: Path) -> None:
    def failing_build() -> None:
        raise IndexError_("Building the index failed: disk full.")

    at = app(build=failing_build).run()
    assert [(s.label, s.state) for s in at.status] == [(state.BUILD_FAILED, "error")]
    assert "disk full" in texts(at, "error")

    at = app().run()
    assert [(s.label, s.state) for s in at.status] == [(state.BUILD_DONE, "complete")]

    (tmp_path / "home" / "index").mkdir(parents=True)
    (tmp_path / "home" / "index" / "engine.pkl").write_bytes(b"")
    at = app().run()
    assert not at.status  # an index on disk is only opened: a spinner, and only if it takes a while


def test_each_page_shows_an_engine_that_cannot_open_as_an_error(app: Callable[..., AppTest],
                                                               monkeypatch) -> None:
    def broken() -> None:
        raise ReleaseError("O*NET release not found at /nowhere: set OCA_ONET_DIR to the unzipped db_29_3_text folder.")

    for page in PAGES:
        at = started(app(), page)
        monkeypatch.setattr(state, "get_engine", broken)
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        assert "set OCA_ONET_DIR" in texts(at, "error"), page
        assert "Data: not loaded yet" in texts(at, "caption"), page


def test_the_attribution_is_the_licence_text() -> None:
    assert ATTRIBUTION.startswith("This product includes information from the O*NET 29.3 Database")
    assert "OCA Assistant has modified" in ATTRIBUTION


# ----- Code a job ---------------------------------------------------------------------------------------

def test_code_job_shows_ranked_candidates(app: Callable[..., AppTest], fake_engine: FakeEngine) -> None:
    at = open_page(app, CODE_JOB)
    at.text_input[0].input("registered nurse")
    at.text_area[0].input("cares for patients")
    at.text_input[1].input("hospital")
    at.number_input[0].set_value(3)
    at.button[0].click().run()
    assert not at.exception
    assert fake_engine.calls == [{"title": "registered nurse", "description": "cares for patients",
                                  "industry": "hospital", "k": 3}]
    table = at.dataframe[0].value
    assert list(table["code"]) [0] == "29-1141.00"
    assert list(table.columns) == ["rank", "code", "title", "soc_code", "confidence"]
    assert len(table) == 3
    assert "**Registered** Nurses" in texts(at)
    assert at.expander[0].label.startswith("1\\. Registered Nurses")


def test_code_job_says_how_the_engine_read_the_title(app: Callable[..., AppTest], fake_engine: FakeEngine) -> None:
    at = open_page(app, CODE_JOB)
    at.text_input[0].input("REGISTERED NURSE")
    at.text_input[1].input("hospital")
    at.button[0].click().run()
    assert not at.exception
    captions = texts(at, "caption")
    assert "For title “REGISTERED NURSE” · industry “hospital”" in captions
    assert "Read as title “registered nurse”" in captions  # only what was read otherwise
    at.text_input[0].input("registered nurse")
    at.button[0].click().run()
    assert "Read as" not in texts(at, "caption")


def test_code_job_empty_submission_warns(app: Callable[..., AppTest], fake_engine: FakeEngine) -> None:
    at = open_page(app, CODE_JOB)
    at.button[0].click().run()
    assert not at.exception
    assert [w.value for w in at.warning] and "job title" in at.warning[0].value
    assert fake_engine.calls == []
    assert not at.dataframe


def test_code_job_engine_error_is_shown_as_its_message(app: Callable[..., AppTest], fixture_kb) -> None:
    failing = FakeEngine(fixture_kb, error=OcaError("The search index is damaged: run `oca index --rebuild`."))
    at = open_page(app, CODE_JOB, engine=failing)
    at.text_input[0].input("nurse")
    at.button[0].click().run()
    assert not at.exception
    assert [plain(e.value) for e in at.error] == ["The search index is damaged: run `oca index --rebuild`."]


def test_code_job_does_not_render_user_text_as_markup(app: Callable[..., AppTest], fixture_kb) -> None:
    at = open_page(app, CODE_JOB)
    at.text_input[0].input("<b>nurses</b> **registered** [x](javascript:alert(1))")
    at.button[0].click().run()
    assert not at.exception
    assert "For title “<b>nurses</b> **registered** [x](javascript:alert(1))”" in texts(at, "caption")
    for element in (*at.markdown, *at.caption):
        assert "<b>" not in element.value and "[x](" not in element.value
        assert not getattr(element.proto, "allow_html", False)


def test_code_job_opens_a_candidates_profile(app: Callable[..., AppTest]) -> None:
    at = open_page(app, CODE_JOB)
    at.text_input[0].input("registered nurse")
    at.button[0].click().run()
    at.button(key="profile-1-29-1141.00").click().run()
    assert not at.exception
    assert at.title[0].value == "Occupation"
    assert at.header[0].value == "Registered Nurses"


# ----- Occupation ---------------------------------------------------------------------------------------

def test_occupation_shows_a_profile(app: Callable[..., AppTest]) -> None:
    at = open_page(app, OCCUPATION)
    assert at.info and "Type a code" in at.info[0].value
    at.text_input(key=state.OCCUPATION_CODE_KEY).input("29-1141").run()
    assert not at.exception
    assert at.header[0].value == "Registered Nurses"
    assert "29-1141.00 · SOC 29-1141" in texts(at, "caption")
    assert [t.label.split(" (")[0] for t in at.tabs] == ["Tasks", "Titles", "Work activities", "Technology",
                                                          "Tools", "Related"]


def test_occupation_unknown_code_is_an_error(app: Callable[..., AppTest]) -> None:
    at = open_page(app, OCCUPATION)
    at.text_input(key=state.OCCUPATION_CODE_KEY).input("99-9999.99").run()
    assert not at.exception
    assert "is not an O*NET-SOC code" in texts(at, "error")


def test_occupation_search_sets_the_code(app: Callable[..., AppTest]) -> None:
    at = open_page(app, OCCUPATION)
    at.text_input(key="occupation.search").input("cashiers").run()
    at.button(key="hit-41-2011.00").click().run()
    assert not at.exception
    assert at.header[0].value == "Cashiers"


# ----- Evaluation -------------------------------------------------------------------------------------------

def run_evaluation(at: AppTest) -> AppTest:
    [run] = [b for b in at.button if b.label == "Run the evaluation"]
    return run.click().run()


def test_evaluation_without_runs_shows_the_empty_state(app: Callable[..., AppTest]) -> None:
    at = open_page(app, EVALUATION)
    assert not at.exception
    assert NO_RUNS in [i.value for i in at.info]
    assert at.multiselect(key="evaluation.files").value == []


def test_evaluation_runs_the_suite_and_keeps_the_run(app: Callable[..., AppTest], shared_eval_dir: Path,
                                                      tmp_path: Path) -> None:
    (shared_eval_dir / "tiny.jsonl").write_text(GOOD_CASES, encoding="utf-8")
    at = open_page(app, EVALUATION)
    assert at.multiselect(key="evaluation.files").value == [str(shared_eval_dir / "tiny.jsonl")]
    run_evaluation(at)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    headline = at.dataframe[0].value
    assert list(headline["file"]) == ["tiny"] and list(headline["cases"]) == [4]
    assert headline["top-1 SOC detailed"][0] == pytest.approx(1.0)
    runs = list_runs(tmp_path / "home")
    assert len(runs) == 1 and runs[0].n == {"tiny": 4}
    assert (Path(runs[0].path) / "report.md").is_file()
    assert "Evaluation report" in texts(at, "markdown")
    assert len(at.image) == 3  # reliability, coverage and groups plots, shown inside the report
    assert at.progress[0].value == 100
    assert NO_RUNS not in [i.value for i in at.info]


def test_evaluation_shows_the_line_numbers_of_bad_lines_and_runs_the_rest(
        app: Callable[..., AppTest], shared_eval_dir: Path, tmp_path: Path) -> None:
    (shared_eval_dir / "mixed.jsonl").write_text(
        case_line("c1", "cashiers", ["41-2011.00"]) + "\n{not json\n"
        + case_line("c3", "chefs", ["35-1011"]) + "\n", encoding="utf-8")
    (shared_eval_dir / "broken.jsonl").write_text("[1, 2]\n{\"id\": \"x\"}\n", encoding="utf-8")
    at = open_page(app, EVALUATION)
    run_evaluation(at)
    assert not at.exception, at.exception
    warnings = texts(at, "warning")
    assert "mixed: 2 line(s) could not be read and were skipped" in warnings
    assert "line 2: not valid JSON" in warnings
    assert "line 3: gold_level 'onetsoc' wants O*NET-SOC 2019 codes like 51-6031.00; got '35-1011'" in warnings
    errors = texts(at, "error")
    assert "shared/eval/broken.jsonl was left out" in errors
    assert "line 1: expected a JSON object" in errors and "line 2: missing field" in errors
    assert list(at.dataframe[0].value["file"]) == ["mixed"]
    assert len(list_runs(tmp_path / "home")) == 1


def test_evaluation_uses_an_uploaded_case_file(app: Callable[..., AppTest], tmp_path: Path) -> None:
    at = open_page(app, EVALUATION)
    at.file_uploader[0].upload("my cases.jsonl", GOOD_CASES.encode(), "application/jsonl").run()
    saved = tmp_path / "home" / "uploads" / "my_cases.jsonl"
    assert saved.read_text(encoding="utf-8") == GOOD_CASES
    assert at.multiselect(key="evaluation.files").value == [str(saved)]
    run_evaluation(at)
    assert not at.exception
    assert list(at.dataframe[0].value["file"]) == ["my_cases"]


def test_evaluation_error_is_shown_as_its_message(app: Callable[..., AppTest], shared_eval_dir: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    (shared_eval_dir / "tiny.jsonl").write_text(GOOD_CASES, encoding="utf-8")

    def failing(*args: object, **kwargs: object) -> None:
        raise OcaError("The search index is damaged: run `oca index --rebuild`.")

    monkeypatch.setattr("eval.suite.run_suite", failing)
    at = open_page(app, EVALUATION)
    run_evaluation(at)
    assert not at.exception
    assert "The search index is damaged" in texts(at, "error")
    assert NO_RUNS in [i.value for i in at.info]


def test_earlier_runs_open_and_compare_side_by_side(app: Callable[..., AppTest], shared_eval_dir: Path,
                                                   tmp_path: Path) -> None:
    (shared_eval_dir / "tiny.jsonl").write_text(GOOD_CASES, encoding="utf-8")
    at = open_page(app, EVALUATION)
    run_evaluation(at)
    at.checkbox(key="evaluation.field.title").uncheck()
    at.checkbox(key="evaluation.field.description").check()
    run_evaluation(at)
    assert not at.exception
    runs = at.multiselect(key="evaluation.chosen_runs")
    assert len(runs.options) == 2
    kept = {tuple(s.fields["tiny"]): s.path for s in list_runs(tmp_path / "home")}
    titled, masked = kept[("title", "description", "industry")], kept[("description", "industry")]
    runs.set_value([masked]).run()  # one run: its report
    assert not at.exception
    assert len(at.image) == 3 + 3  # the latest run's plots, then the chosen run's
    at.multiselect(key="evaluation.chosen_runs").set_value([titled, masked]).run()  # two: side by side
    assert not at.exception
    comparison = at.dataframe[-1].value
    assert len(comparison.columns) == 5  # file, measure, a column per run, change
    row = comparison[comparison["measure"] == "top-1 SOC detailed"].iloc[0]
    assert row.iloc[2] == "100.0%"  # the run with titles
    assert row.iloc[3] == "0.0%"  # masked titles and no description leave nothing to code
    assert row["change"] == "-100.0 pt"
    assert list(comparison[comparison["measure"] == "fields shown"].iloc[0][2:4]) == [
        "title, description, industry", "description, industry"]


def test_ui_never_imports_network_or_database_clients() -> None:
    ui = Path(__file__).parents[2] / "ui"
    for source in ui.rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(import|from)\s+(openai|chromadb)\b", text, re.M), source
        assert "unsafe_allow_html" not in text, source


def test_importing_a_page_draws_nothing_and_opens_no_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    import ui.views.chat
    import ui.views.code_job
    import ui.views.evaluation
    import ui.views.find
    import ui.views.my_submission
    import ui.views.occupation

    def no_engine() -> None:
        raise AssertionError("a page opened the engine on import")

    monkeypatch.setattr(state, "get_engine", no_engine)
    monkeypatch.setattr(state, "get_store", no_engine)
    for module in (ui.views.code_job, ui.views.occupation, ui.views.evaluation, ui.views.find, ui.views.chat,
                   ui.views.my_submission):
        importlib.reload(module)
