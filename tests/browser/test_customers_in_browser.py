"""A supervisor finds a customer in the directory, edits their compass inline, and merges a
duplicate after the preview, then undoes it (so the shared demo stays as it was)."""

import re

import pytest

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_demo_in_browser import log_in

pytestmark = pytest.mark.e2e

# Demo customers no other browser test relies on.
TARGET = "Ines Valdés"
SOURCE = "Aroha Te Rangi"


def problem(page, text: str) -> None:
    # Chromium asks for /favicon.ico by itself and Regard serves none; that is not our page.
    if "/favicon.ico" not in text:
        page.problems.append(text)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: m.type == "error" and problem(page, f"{m.text} {m.location}"))
    page.on("pageerror", lambda e: problem(page, str(e)))
    page.on("response", lambda r: r.status >= 400 and problem(page, f"{r.status} {r.url}"))
    yield page
    context.close()


def open_profile(page, server, query, name):
    page.goto(server["url"] + "/customers/")
    page.get_by_label("Find a customer").fill(query)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=name, exact=True).click()
    page.wait_for_url(re.compile(r"/customers/\d+/$"))
    return int(page.url.rstrip("/").rsplit("/", 1)[1])


def test_a_supervisor_edits_the_compass_inline(page, demo_server):
    log_in(page, demo_server, "supervisor")
    customer_id = open_profile(page, demo_server, "valdés", TARGET)
    compass = page.locator(f"#compass-{customer_id}")
    compass.locator("dd.compass-wants summary").click()
    compass.get_by_label("Wants", exact=True).fill("Tracking links in Spanish, please")
    before = page.url
    compass.get_by_role("button", name="Save wants").click()
    saved = page.locator(f"#compass-{customer_id}")
    saved.get_by_role("status").wait_for(timeout=10000)
    assert saved.get_by_role("status").inner_text() == "Wants saved."
    assert page.url == before, "htmx swapped the compass without leaving the page"
    page.reload()
    wants = page.locator(f"#compass-{customer_id} dd.compass-wants .value")
    assert wants.inner_text() == "Tracking links in Spanish, please"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "customer-profile.png"), full_page=True)
    assert page.problems == [], page.problems


def test_a_supervisor_merges_a_duplicate_after_the_preview_and_undoes_it(page, demo_server):
    log_in(page, demo_server, "supervisor")
    target_id = open_profile(page, demo_server, "Ines", TARGET)
    open_profile(page, demo_server, "aroha", SOURCE)
    page.get_by_label("Merge this customer into customer #").fill(str(target_id))
    page.get_by_role("button", name="Preview merge").click()
    assert page.get_by_role("heading", level=1).inner_text() == f"Merge {SOURCE} into {TARGET}?"
    moves = page.locator("ul.moves").inner_text()
    assert re.search(r"\d+ conversations?", moves) and "address" in moves
    page.screenshot(path=str(ARTIFACTS / "merge-preview.png"), full_page=True)

    page.get_by_role("button", name=f"Merge {SOURCE} into {TARGET}").click()
    page.wait_for_url(re.compile(rf"/customers/{target_id}/$"))
    assert f"{SOURCE} was merged into {TARGET}." in page.locator(".flash").inner_text()
    page.get_by_role("button", name=f"Undo merge of {SOURCE}").click()
    assert f"{SOURCE} is a separate customer again." in page.locator(".flash").inner_text()
    page.goto(demo_server["url"] + "/customers/?q=aroha")
    assert page.get_by_role("link", name=SOURCE, exact=True).is_visible()
    assert page.problems == [], page.problems
