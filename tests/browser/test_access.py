"""Signed-out visitors in a real browser: the customer pages open, the staff pages do not, not even by URL."""

from __future__ import annotations

import pytest

from tests.browser.conftest import RunningApp, Shots
from ui.footer import ATTRIBUTION

pytestmark = [pytest.mark.real_data, pytest.mark.browser]
DEFAULT_PAGE = "Describe a job"


def test_a_signed_out_visitor_cannot_open_the_review_queue(page, running_app: RunningApp, shots: Shots) -> None:
    from playwright.sync_api import expect

    page.goto(running_app.url)
    expect(page.get_by_role("heading", name=DEFAULT_PAGE)).to_be_visible()
    expect(page.get_by_text(ATTRIBUTION[:60])).to_be_visible()
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_text("Staff sign-in")).to_be_visible()
    expect(nav.get_by_text("Review queue")).to_have_count(0)
    shots.take(page, "signed out home")

    for path in ("review_queue", "review", "agreement", "evaluation"):
        page.goto(f"{running_app.url}/{path}")
        expect(page.get_by_text("Page not found")).to_be_visible()
        expect(page.get_by_role("heading", name=DEFAULT_PAGE)).to_be_visible()
        expect(page.get_by_role("heading", name="Review queue")).to_have_count(0)
        expect(page.get_by_role("heading", name="Review a submission")).to_have_count(0)
        shots.take(page, f"signed out asks for {path}")
