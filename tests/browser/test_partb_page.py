"""The printable Part B page in a real browser: what a customer typed never runs, the page fetches nothing,
its citations lead to their evidence rows, and it prints."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.parta import PartA
from assistant.partb import draft_part_b, to_html
from retrieval.engine import Engine

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    """Debian's Chromium through Playwright (the app's browser tests use the same one)."""
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} not found (apt-get install chromium)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def engine(fixture_release: Path, fixture_taxonomy: Path, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return Engine.open(fixture_release, fixture_taxonomy, tmp_path_factory.mktemp("partb-page-home"), progress=False)


def test_the_part_b_page_runs_nothing_the_customer_wrote_and_prints(chromium, engine: Engine, tmp_path: Path) -> None:
    part_a = PartA(
        job_title="<script>window.pwned = 'title'</script>Staff nurse",
        duties=[{"text": "Gives medicines <img src=x onerror=\"window.pwned='duty'\"> and watches side effects"}],
        licenses=["Registered Nurse license <iframe src='https://example.org'></iframe>"],
    )
    page_file = tmp_path / "partb.html"
    page_file.write_text(to_html(draft_part_b(part_a, engine), part_a), encoding="utf-8")

    page = chromium.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(page_file.as_uri())
    assert page.evaluate("window.pwned") is None
    assert requests == [page_file.as_uri()]  # no scripts, styles, fonts or images from anywhere
    assert page.locator("script, img, iframe").count() == 0
    assert "<script>window.pwned = 'title'</script>Staff nurse" in page.inner_text("body")

    page.locator("a[href='#E1']").first.click()
    assert page.url.endswith("#E1") and page.locator("tr#E1").is_visible()

    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    page.close()
