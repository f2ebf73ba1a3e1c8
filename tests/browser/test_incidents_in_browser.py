"""A supervisor declares an incident, links a customer, writes an update with the coach's
advice, confirms the number of recipients, and sees it delivered (the demo's own worker)."""

import re
import time

import pytest

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_demo_in_browser import log_in

pytestmark = pytest.mark.e2e


def test_declare_link_compose_confirm_and_send(page, demo_server):
    log_in(page, demo_server, "supervisor")
    page.get_by_role("link", name="Incidents").click()
    page.get_by_role("link", name="Declare an incident").click()
    page.get_by_label("Title").fill("Login links expire too early")
    page.get_by_label("What customers see").fill("Password reset links expire at once.")
    page.get_by_role("button", name="Declare").click()
    page.wait_for_url(re.compile(r"/incidents/\d+/$"))
    incident_url = page.url

    page.get_by_label("Link a conversation # or an e-mail address").fill("1")
    page.get_by_role("button", name="Link", exact=True).click()
    assert "is linked." in page.locator(".flash").inner_text()

    page.get_by_role("link", name="Write an update").click()
    page.get_by_label("Text").fill("The issue has been escalated to the team.")
    coach = page.locator("#coach")
    coach.get_by_text("hides who acts").wait_for(timeout=10000)
    assert "Say when" in coach.inner_text()
    page.get_by_label("Text").fill(
        "I found the cause and I'll send you a working link by 3pm today."
    )
    page.get_by_role("button", name="Review recipients").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Send this update?"
    assert "Hi " in page.locator("pre.preview").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "incident-confirm.png"), full_page=True)
    page.get_by_role("button", name="Send to 1 customer").click()
    page.wait_for_url(incident_url)
    assert "Update queued for 1 customer." in page.locator(".flash").inner_text()

    deadline = time.monotonic() + 60
    counts = page.locator(".delivery-counts").first
    while "1 sent" not in counts.inner_text() and time.monotonic() < deadline:
        time.sleep(1)
        page.reload()
    assert "1 recipients: 1 sent" in counts.inner_text()
    page.screenshot(path=str(ARTIFACTS / "incident.png"), full_page=True)
    assert page.problems == [], page.problems
