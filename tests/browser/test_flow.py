"""The main flow in a real browser: a customer describes a job and submits it; an analyst signs in, changes the
code; the customer sees Part B by the private link; search then finds the job's title under the new code.
Also how long search takes in the browser, from pressing Enter to the first result on screen."""

from __future__ import annotations

import re
import statistics
import time

import pytest

from tests.browser.conftest import RunningApp, Shots, idle

pytestmark = [pytest.mark.real_data, pytest.mark.browser]

ANALYST, PASSWORD = "ann", "a long analyst password"
TITLE = "Ward sister"
FIRST_MESSAGE = ("I work as a ward sister. I run a hospital ward: I look after patients, give them their medicines "
                 "and supervise the nurses on my shift.")
SECOND_MESSAGE = "I work for a public hospital."
NURSES, MANAGERS = ("29-1141.00", "Registered Nurses"), ("11-9111.00", "Medical and Health Services Managers")
# The goal is 300 ms on a quiet machine, and the test prints every timing (README: "Accuracy and speed today").
# It fails only when results hang: medians reached 1.05 s with the load average at 16, so a tighter ceiling
# would fail CI for the machine's load, not the product's speed.
SEARCH_GOAL_MS, SEARCH_CEILING_MS = 300, 5000
SEARCHES = ["registered nurse", "cashier", "sewing machine operator", "truck driver", "software developer",
            "pastry chef", "forklift", "teacher"]


def chat_says(page, text: str, turn: int) -> None:
    """The customer's `turn`-th message; the chat then shows the greeting and two messages a turn.

    The count is known rather than read before sending: a page still redrawing shows fewer messages."""
    from playwright.sync_api import expect

    messages = page.get_by_test_id("stChatMessage")
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(text)
    box.press("Enter")
    expect(messages).to_have_count(1 + 2 * turn)  # the customer's message and the assistant's reply
    idle(page)


@pytest.fixture(scope="module")
def analyst(running_app: RunningApp) -> str:
    done = running_app.oca("users", "add", ANALYST, "--role", "analyst", stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    return ANALYST


def test_a_job_goes_from_the_customers_chat_to_an_analysts_decision_and_back(
        browser, running_app: RunningApp, analyst: str, shots: Shots) -> None:
    from playwright.sync_api import expect

    customer = browser.new_context(viewport={"width": 1366, "height": 900})
    staff = browser.new_context(viewport={"width": 1366, "height": 900})
    try:
        # The customer describes the job in the chat and sends it.
        page = customer.new_page()
        page.goto(running_app.url)
        expect(page.get_by_role("heading", name="Describe a job")).to_be_visible()
        shots.take(page, "customer opens the chat")
        chat_says(page, FIRST_MESSAGE, 1)
        chat_says(page, SECOND_MESSAGE, 2)
        shots.take(page, "customer described the job")
        page.get_by_role("button", name="Send for review").click()
        sent = page.get_by_text(re.compile(r"Sent for review\. Your reference is OCA-[A-Z0-9]{4}-[A-Z0-9]{4}"))
        expect(sent).to_be_visible()
        reference = re.search(r"OCA-[A-Z0-9]{4}-[A-Z0-9]{4}", sent.inner_text()).group()
        link = page.get_by_test_id("stCode").filter(has_text="token=").inner_text().strip()
        assert link.startswith(running_app.url) and f"ref={reference}" in link
        shots.take(page, "customer sent it for review")

        # An analyst signs in, opens it from the queue and changes the code.
        desk = staff.new_page()
        desk.goto(f"{running_app.url}/signin")
        desk.get_by_role("textbox", name="Name", exact=True).fill(analyst)
        desk.get_by_role("textbox", name="Password", exact=True).fill(PASSWORD)
        shots.take(desk, "analyst signs in")
        desk.get_by_role("button", name="Sign in").click()
        expect(desk.get_by_role("heading", name="Review queue")).to_be_visible()
        expect(desk.get_by_test_id("stSidebar").get_by_text(f"Signed in as {analyst}")).to_be_visible()
        idle(desk)
        shots.take(desk, "the review queue")
        desk.get_by_role("button", name="Open for review").click()
        saved = running_app.store().get(reference)  # what the chat understood; the analyst picks another code
        assert saved.job_title and TITLE.lower() in saved.job_title.lower()
        expect(desk.get_by_role("heading", name=f"{reference} · {saved.job_title}")).to_be_visible()
        idle(desk)
        shots.take(desk, "the review screen")
        new_code, new_title = MANAGERS if saved.code == NURSES[0] else NURSES
        desk.get_by_test_id("stRadio").get_by_text("Change the code").click()
        search = desk.get_by_label("Find the occupation (title, words or code)")
        expect(search).to_be_visible()
        search.fill(new_code)
        search.press("Enter")
        expect(desk.get_by_role("combobox", name="Occupation")).to_match_aria_snapshot(
            f'- combobox "Occupation": {new_code} {new_title}')
        desk.get_by_label("Note (optional)").fill("Runs a ward and its nurses: a nursing job.")
        idle(desk)
        shots.take(desk, "analyst chose the new code")
        desk.get_by_role("button", name="Change the code").click()
        expect(desk.get_by_text(f"{reference}: Changed the code to {new_code}.")).to_be_visible()
        shots.take(desk, "analyst changed the code")
        desk.get_by_test_id("stSidebar").get_by_role("button", name="Sign out").click()
        expect(desk.get_by_test_id("stSidebarNav").get_by_text("Staff sign-in")).to_be_visible()
        expect(desk.get_by_test_id("stSidebarNav").get_by_text("Review queue")).to_have_count(0)
        desk.goto(f"{running_app.url}/review_queue")
        expect(desk.get_by_text("Page not found")).to_be_visible()
        shots.take(desk, "analyst signed out")

        # The customer's private link shows the decision and Part B.
        page.goto(link)
        expect(page.get_by_role("heading", name="My submission")).to_be_visible()
        expect(page.get_by_text("Code changed by an analyst").first).to_be_visible()
        expect(page.get_by_text(new_code).first).to_be_visible()
        expect(page.get_by_text(new_title).first).to_be_visible()
        idle(page)
        shots.take(page, "customer sees part B")

        # Search now finds the customer's title under the analyst's code, first.
        elapsed = search_once(page, running_app.url, saved.job_title)
        first = page.get_by_test_id("stMain").get_by_role("heading", level=4).first
        expect(first).to_have_text(re.compile(re.escape(new_title), re.I))
        shots.take(page, "search finds the new title")
        print(f"\nsearch for the new title: first result after {elapsed:.0f} ms")
    finally:
        customer.close()
        staff.close()


def search_once(page, url: str, words: str) -> float:
    """Milliseconds from pressing Enter in Find an occupation to the first result being visible."""
    page.goto(f"{url}/find")
    box = page.get_by_label("Job title, keywords or code")
    box.fill(words)
    idle(page)
    first = page.get_by_test_id("stMain").get_by_role("heading", level=4).first
    started = time.perf_counter()
    box.press("Enter")
    first.wait_for(state="visible")
    elapsed = (time.perf_counter() - started) * 1000
    idle(page)
    served = page.get_by_text(re.compile(r"occupations, best match first \(\d+ ms\)")).inner_text()
    print(f"  {words!r}: {elapsed:.0f} ms in the browser, {served}")
    return elapsed


def test_search_results_appear_soon_after_pressing_enter(page, running_app: RunningApp, shots: Shots) -> None:
    search_once(page, running_app.url, "nurse")  # warm: the engine is open and the page's code loaded
    timings = [search_once(page, running_app.url, words) for words in SEARCHES]
    shots.take(page, "search results")
    median = statistics.median(timings)
    print(f"\nsearch, Enter to first result (ms): {', '.join(f'{t:.0f}' for t in timings)}; "
          f"median {median:.0f}, max {max(timings):.0f} (goal {SEARCH_GOAL_MS})")
    assert median < SEARCH_CEILING_MS, timings
