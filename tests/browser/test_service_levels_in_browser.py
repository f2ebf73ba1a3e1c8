"""A supervisor opens Breaching soon, reads a conversation's clocks with their due time in
words, then the policies in words and the attainment figures; no page errors on the way."""

import re

import pytest

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_demo_in_browser import log_in

pytestmark = pytest.mark.e2e


def test_breaching_soon_clocks_policies_and_attainment(page, demo_server):
    log_in(page, demo_server, "supervisor")
    page.get_by_role("link", name=re.compile(r"^Breaching soon")).click()
    page.wait_for_url(re.compile(r"view=breaching"))
    rows = page.locator("table.conversations tbody tr")
    assert rows.count() >= 1
    assert "late" in rows.first.inner_text()  # the demo's one breach comes first
    rows.first.get_by_role("link").first.click()

    clocks = page.get_by_role("region", name="Service levels")
    assert "breached by" in clocks.inner_text()
    assert re.search(r"due \w{3} \d\d:\d\d: \d+ business hours? from", clocks.inner_text())
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "service-clocks.png"), full_page=True)

    page.get_by_role("link", name="Service levels", exact=True).click()
    assert "VIP customers" in page.inner_text("main")
    assert "first reply within 1 business hour" in page.inner_text("main")
    page.get_by_role("link", name="How often were they met?").click()
    page.get_by_label("Clocks started from").fill("2020-01-01")
    page.get_by_role("button", name="Show").click()
    assert "Per policy" in page.inner_text("main")
    assert "On time:" in page.inner_text("main")
    assert not page.problems, page.problems
