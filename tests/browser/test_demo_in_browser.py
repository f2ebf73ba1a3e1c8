"""An agent uses the demo in a real browser: log in, find the waiting customer, know them."""

import pytest

from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    yield page
    context.close()


def log_in(page, server, role):
    user, password = server["logins"][role]
    page.goto(server["url"] + "/")
    page.get_by_label("Login").fill(user)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_the_demo_prints_a_login_for_every_role(demo_server):
    assert {"admin", "supervisor", "agent"} <= set(demo_server["logins"]), demo_server[
        "log"
    ].read_text()[-2000:]


def test_a_wrong_password_is_refused_in_plain_words(page, demo_server):
    page.goto(demo_server["url"] + "/")
    page.get_by_label("Login").fill("priya")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_role("alert").inner_text().startswith("That login and password")


def test_an_agent_opens_waiting_longest_and_knows_the_customer(page, demo_server):
    log_in(page, demo_server, "agent")
    page.get_by_role("link", name="Waiting longest").click()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "inbox.png"), full_page=False)
    first = page.locator("table.conversations tbody a").first
    subject = first.inner_text()
    first.click()
    assert page.get_by_role("heading", level=1).inner_text() == subject
    card = page.locator("aside.customer-card")
    for heading in ("Compass", "Reach them at"):
        assert card.get_by_role("heading", name=heading).is_visible()
    assert card.locator("dt", has_text="Their person").is_visible()

    page.get_by_label("Reply to").fill("As per our policy it will be looked into.")
    coach = page.locator("#coach")
    coach.get_by_text("Not defensive").wait_for(timeout=10000)
    page.screenshot(path=str(ARTIFACTS / "conversation.png"), full_page=False)
    assert page.problems == [], page.problems


def test_the_admin_reaches_the_django_admin(page, demo_server):
    log_in(page, demo_server, "admin")
    page.get_by_role("link", name="Admin").click()
    assert "Site administration" in page.content()
