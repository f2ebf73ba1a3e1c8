"""An agent steps away and comes back from the top bar; a supervisor sees a customer's concierge
on their profile, the routing decision on the timeline, and the routing settings page."""

import re

import pytest

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_demo_in_browser import log_in

pytestmark = pytest.mark.e2e


def choose_availability(page, label: str) -> None:
    with page.expect_response(re.compile(r"/service/availability$")) as answer:
        page.get_by_label("Your availability").select_option(label=label)
    assert answer.value.status == 200
    # htmx swapped the form for the saved one: the choice stays, no page load.
    page.locator("#availability-form select option[selected]").wait_for(state="attached")


def test_an_agent_goes_away_and_comes_back_from_the_top_bar(page, demo_server):
    log_in(page, demo_server, "agent")
    page.wait_for_url(re.compile(r"/$"))
    choose_availability(page, "Away")
    page.reload()
    assert page.get_by_label("Your availability").input_value() == "away"
    choose_availability(page, "Available")  # as the shared demo was
    page.reload()
    assert page.get_by_label("Your availability").input_value() == "available"
    assert not page.problems, page.problems


def test_the_concierge_and_the_routing_decision_are_shown(page, demo_server):
    log_in(page, demo_server, "supervisor")
    page.goto(demo_server["url"] + "/customers/?q=Müller")
    page.get_by_role("link", name="Sören Müller-Lüdenscheidt", exact=True).click()
    assert page.get_by_test_id("concierge").inner_text().startswith("Concierge: Jonas Becker")
    page.get_by_role("link", name="Second espresso machine for the Hamburg office").click()
    timeline = page.locator("ol.timeline").inner_text()
    assert "assigned to Jonas Becker: their concierge, pinned" in timeline
    assert "Concierge: Jonas Becker" in page.locator("aside.customer-card").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "routing-concierge.png"), full_page=True)

    page.get_by_role("link", name="Routing", exact=True).click()
    assert "Orders & Delivery" in page.inner_text("main")
    orders = page.get_by_role("article", name=re.compile("^Orders & Delivery"))
    assert orders.get_by_label("Mode").input_value() == "least_loaded"
    assert not page.problems, page.problems
