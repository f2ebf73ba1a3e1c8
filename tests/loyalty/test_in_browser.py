"""In a real browser (Chromium via Playwright) against a live server: a customer clicks a rating
link in their survey and adds a comment; an agent opens the radar and reaches out."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from regard.customers.actions import update_customer_profile
from regard.loyalty import radar
from regard.loyalty.models import SurveyAnswer
from tests.browser.conftest import ARTIFACTS
from tests.factories import PASSWORD, make_conversation, make_customer
from tests.loyalty.helpers import rating_links, solved

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


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
