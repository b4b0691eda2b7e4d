"""The running app in a real browser: `streamlit run ui/app.py` on a free localhost port, driven by Playwright
through Debian's Chromium (`/usr/bin/chromium`; never a browser Playwright downloads itself).

The app reads the session's real index (`real_home`, built once per session, or OCA_TEST_HOME) and gets
its own SQLite database, so nothing it stores reaches that home. Screenshots of each step go to
OCA_TEST_SCREENSHOTS when it is set, else to a folder under pytest's temporary directory (printed).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.servers import free_port

if TYPE_CHECKING:
    from assistant.store import Store

REPO = Path(__file__).parents[2]
CHROMIUM = Path("/usr/bin/chromium")
READY_TIMEOUT_S = 120
STEP_TIMEOUT_MS = 60_000  # the first page opens the engine; later steps take well under a second


def _missing(reason: str) -> None:
    # In CI, .ci/run installs the browser and Playwright: a missing one there is a broken CI, not a skip.
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run: {reason}")
    pytest.skip(f"browser tests skipped: {reason}")


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.is_file():
        _missing(f"{CHROMIUM} not found (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture(scope="session")
def playwright_installed() -> None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _missing("the playwright package is not installed (pip install -e '.[dev]')")


@pytest.fixture(scope="module")
def browser(chromium_path: Path, playwright_installed: None) -> Iterator[object]:
    """One Chromium per test module: Playwright's sync API allows one running instance at a time, and other
    modules (test_partb_page) start their own."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=STEP_TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium_path), headless=True,
                                             args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    named = os.environ.get("OCA_TEST_SCREENSHOTS")
    folder = Path(named) if named else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nbrowser screenshots: {folder}")
    return folder


def idle(page: object) -> None:
    """Wait until Streamlit has finished the current run: its "Running..." widget is gone."""
    from playwright.sync_api import expect

    page.wait_for_timeout(150)  # type: ignore[attr-defined]
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0)  # type: ignore[attr-defined]


class Shots:
    """Numbered screenshots of one test's steps: 01-<test>-<step>.png, ..."""

    def __init__(self, folder: Path, test: str) -> None:
        self.folder, self.test, self.count = folder, test, 0

    def take(self, page: object, step: str) -> Path:
        idle(page)
        self.count += 1
        path = self.folder / f"{self.test}-{self.count:02d}-{re.sub(r'[^a-z0-9]+', '-', step.lower())}.png"
        page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
        return path


@pytest.fixture
def shots(screenshots: Path, request: pytest.FixtureRequest) -> Shots:
    return Shots(screenshots, request.node.name.removeprefix("test_"))


class RunningApp:
    def __init__(self, url: str, env: dict[str, str], log: Path) -> None:
        self.url, self.env, self.log = url, env, log

    def store(self) -> Store:
        """The app's database, as the tests read it to check what the pages did."""
        from assistant.store import Store

        return Store.open(self.env["OCA_DATABASE_URL"])

    def oca(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """`oca ...` against the app's database and home, as an administrator would run it."""
        return subprocess.run([sys.executable, "-m", "assistant.cli", *args], input=stdin, env=self.env,
                              cwd=REPO, capture_output=True, text=True, timeout=120, check=False)


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the app did not answer within {READY_TIMEOUT_S} s:\n{log.read_text(errors='replace')}")


@pytest.fixture(scope="session")
def running_app(real_engine: object, real_home: Path, shared_onet_dir: Path, shared_taxonomy_dir: Path,
                tmp_path_factory: pytest.TempPathFactory, chromium_path: Path,
                playwright_installed: None) -> Iterator[RunningApp]:
    """The app as `./run` starts it, on its own port and database, over the session's built index."""
    folder = tmp_path_factory.mktemp("browser-app")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCA_LLM_")}  # offline, as by default
    env.update(OCA_HOME=str(real_home), OCA_ONET_DIR=str(shared_onet_dir), OCA_TAXONOMY_DIR=str(shared_taxonomy_dir),
               OCA_DATABASE_URL=f"sqlite:///{folder / 'app.sqlite3'}")
    log = folder / "streamlit.log"
    command = [sys.executable, "-m", "streamlit", "run", "ui/app.py", "--server.headless=true",
               f"--server.port={port}", "--server.address=127.0.0.1", "--browser.gatherUsageStats=false",
               "--server.fileWatcherType=none", "--client.toolbarMode=viewer"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, process, log)
        yield RunningApp(url, env, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def page(browser: object, running_app: RunningApp) -> Iterator[object]:
    """A fresh browser context (no cookies, no session) and page, laptop-sized."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})  # type: ignore[attr-defined]
    context.set_default_timeout(STEP_TIMEOUT_MS)
    tab = context.new_page()
    yield tab
    context.close()
