"""The "Code a file" page through AppTest: staff upload a file, it is coded, flagged rows show, the result downloads."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from assistant.batch import NO_TEXT
from retrieval.engine import Engine
from tests.ui.engines import small_engine  # noqa: F401
from ui import auth

PAGE = "views/batch.py"
CSV = "Job_Title,Duties,Industry,Record\nStaff Nurse,,hospital,0001\nLPN,,,0002\n,,bank,0003\ncashier,,,0004\n"


def as_staff(at: AppTest, role: str) -> AppTest:
    at.session_state[auth.USER_KEY] = auth.SignedIn(name="ann", role=role)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def code_upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="batch.upload").upload(name, data, "text/csv").run()
    assert not at.exception, at.exception
    [button] = [b for b in at.button if b.label == "Code the file"]
    return button.click().run()


def test_customers_cannot_reach_the_page(app: Callable[..., AppTest], small_engine: Engine) -> None:  # noqa: F811
    at = app(small_engine).run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE)


@pytest.mark.parametrize("role", ["analyst", "evaluator"])
def test_staff_code_an_uploaded_file_and_see_the_rows_to_review(app: Callable[..., AppTest],
                                                                small_engine: Engine,  # noqa: F811
                                                                tmp_path: Path, role: str) -> None:
    at = code_upload(as_staff(app(small_engine), role), "my jobs.csv", CSV.encode())
    assert not at.error, [e.value for e in at.error]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Rows"] == "4" and metrics["Without a title or duties"] == "1"

    coded = pd.read_csv(tmp_path / "home" / "batch" / "my_jobs.coded.csv", dtype=str, keep_default_na=False)
    assert list(coded["Record"]) == ["0001", "0002", "0003", "0004"]
    assert list(coded["oca_code"][:2]) == ["29-1141.00", "29-2061.00"]

    [flagged] = at.dataframe
    table = flagged.value
    assert NO_TEXT in set(table["oca_review_reason"])
    assert "0003" in set(table["Record"].astype(str))
    assert int(metrics["Flagged for review"]) == len(table)
    assert at.get("download_button"), "no download button"


def test_the_result_can_be_asked_for_in_another_format(app: Callable[..., AppTest], small_engine: Engine,  # noqa: F811
                                                       tmp_path: Path) -> None:
    at = as_staff(app(small_engine), "analyst")
    at.file_uploader(key="batch.upload").upload("jobs.csv", CSV.encode(), "text/csv").run()
    at.selectbox(key="batch.format").select("xlsx")
    [button] = [b for b in at.button if b.label == "Code the file"]
    button.click().run()
    assert not at.error, [e.value for e in at.error]
    coded = pd.read_excel(tmp_path / "home" / "batch" / "jobs.coded.xlsx", dtype=str)
    assert len(coded) == 4


def test_a_file_without_a_header_gets_a_clear_message(app: Callable[..., AppTest], small_engine: Engine) -> None:  # noqa: F811
    at = as_staff(app(small_engine), "analyst")
    at.file_uploader(key="batch.upload").upload("empty.csv", b"", "text/csv").run()
    assert "the file is empty" in " ".join(e.value for e in at.error)
