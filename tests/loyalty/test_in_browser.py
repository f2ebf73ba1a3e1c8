"""In a real browser (Chromium via Playwright) against a live server: a customer clicks a rating
link in their survey and adds a comment; an agent opens the radar and reaches out."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from regard.customers.actions import update_customer_profile
from regard.loyalty import radar
from regard.loyalty.models import SurveyAnswer
from tests.browser.conftest import ARTIFACTS, CHROMIUM
from tests.factories import PASSWORD, make_conversation, make_customer
from tests.loyalty.helpers import rating_links, solved

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
# Playwright's sync API keeps an event loop in this thread; Django refuses database calls there
# unless told the caller is synchronous (it is). Set at import: the test database may be created
# after the browser started. Restored when this module's tests are done.
_BEFORE = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture(autouse=True, scope="module")
def _restore_async_check():
    yield
    if _BEFORE is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = _BEFORE


@pytest.fixture(scope="module")
def chromium():
    """This module's own browser, closed with the module, before the async check comes back."""
    if not Path(CHROMIUM).exists():
        pytest.skip("needs Debian's chromium: apt-get install -y chromium (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    flags = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    flags += ["--disable-component-update", "--disable-sync", "--no-first-run"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=flags)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server, transactional_db):
    """A page whose requests are all finished before the live server and database go."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    # The live-update stream outlives a test in the live server's thread; these pages work
    # without it.
    context.route(re.compile(r"/stream$"), lambda route: route.abort())
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on(
        "response",
        lambda r: r.status >= 400 and "favicon" not in r.url and problems.append(r.url),
    )
    yield page
    context.close()
    assert problems == []


def test_a_customer_rates_with_one_click_and_adds_a_comment(page, live_server, settings, agent):
    settings.BASE_URL = "http://testserver"
    solved(lambda block: block(), agent, subject="Grinder jammed")
    path = rating_links()[5]
    page.goto(live_server.url + path)
    page.get_by_role("status").wait_for()
    assert "5 of 5" in page.get_by_role("status").inner_text()
    page.get_by_label("Anything you would like to add?").fill("Dana was brilliant, thank you!")
    page.get_by_role("button", name="Send").click()
    page.get_by_text("We have your comment").wait_for()
    answer = SurveyAnswer.objects.get()
    assert (answer.score, answer.comment) == (5, "Dana was brilliant, thank you!")
    assert answer.survey.agent.kudos.count() == 1
    page.goto(live_server.url + path)
    assert "already answered" in page.content()


def test_an_agent_reaches_out_from_the_radar(page, live_server, agent, team):
    customer = make_customer(name="Ana Silva", owner=agent, vip=True)
    update_customer_profile(agent.user, customer, preferred_name="Ana", wants="Calls after 6pm")
    make_conversation(
        customer, subject="Blue kettle arrived cracked", team=team,
        at=timezone.now() - timedelta(days=4),
    )  # fmt: skip
    radar.recompute()
    page.goto(live_server.url + "/login/")
    page.get_by_label("Login").fill(agent.user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Loyalty").click()
    row = page.locator("tr.risk-row", has_text="Ana Silva")
    assert "waiting for our answer for 4 days" in row.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "loyalty-radar.png"), full_page=True)
    row.get_by_role("button", name="Reach out to Ana Silva").click()
    page.wait_for_url(re.compile(r"/conversations/\d+/$"))
    draft = page.locator("#reply-text").input_value()
    assert draft.startswith("Hi Ana,")
    assert "Blue kettle arrived cracked" in draft and "Calls after 6pm" in draft
