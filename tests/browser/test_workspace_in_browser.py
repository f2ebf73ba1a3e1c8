"""Working in the inbox with the keyboard, saved replies, live updates and colleagues nearby."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_demo_in_browser import log_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def context_factory(browser):
    contexts = []

    def make():
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        contexts.append(context)
        page = context.new_page()
        page.problems = []
        page.on("pageerror", lambda e: page.problems.append(str(e)))
        return page

    yield make
    for context in contexts:
        context.close()


def test_the_keyboard_moves_opens_and_helps(context_factory, demo_server):
    page = context_factory()
    log_in(page, demo_server, "agent")
    page.get_by_role("link", name="Waiting longest").click()
    page.wait_for_url(re.compile(r"view=waiting"))
    page.wait_for_load_state("load")
    page.keyboard.press("j")
    selected = page.locator("tr.selected")
    subject = selected.locator("a").first.inner_text()
    page.keyboard.press("o")
    page.wait_for_url(re.compile(r"/conversations/\d+/$"))
    assert page.get_by_role("heading", level=1).inner_text() == subject
    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.id") == "reply-text"
    page.keyboard.press("Escape")
    page.keyboard.press("?")
    assert page.get_by_role("heading", name="Keyboard shortcuts").is_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "top-q"
    assert page.problems == [], page.problems


def test_a_saved_reply_greets_the_customer_by_their_preferred_name(context_factory, demo_server):
    page = context_factory()
    log_in(page, demo_server, "agent")
    page.get_by_role("link", name="Waiting longest").click()
    page.locator("table.conversations tbody a").first.click()
    greeting = page.get_by_label("Reply to").evaluate("e => e.labels[0].innerText")
    name = greeting.removeprefix("Reply to ").strip()
    page.get_by_label("Insert a saved reply").select_option(label="Thanks for waiting")
    text = page.locator("#reply-text")
    expect(text).to_have_value(re.compile(r"^Hi "), timeout=10000)
    assert text.input_value().startswith(f"Hi {name},")
    assert "{name}" not in text.input_value()
    page.locator("#coach").get_by_text("Greets them by name").wait_for(timeout=10000)
    assert page.problems == [], page.problems


def test_a_colleague_is_seen_and_their_note_appears_live(context_factory, demo_server):
    agent = context_factory()
    log_in(agent, demo_server, "agent")
    agent.get_by_role("link", name="Mine").click()
    agent.wait_for_url(re.compile(r"view=mine"))
    agent.locator("table.conversations tbody a").first.click()
    url = agent.url

    boss = context_factory()
    log_in(boss, demo_server, "supervisor")
    boss.goto(url)
    agent.reload()
    boss_name = boss.locator(".who").inner_text()
    assert f"{boss_name} is viewing" in agent.locator("#presence").inner_text()

    # The live stream comes from the stream process on the next port, with the session.
    with agent.expect_response(re.compile(r"/stream(\?|$)")) as streamed:
        agent.reload()
    stream = streamed.value
    web_port = int(demo_server["url"].rsplit(":", 1)[1])
    assert stream.url.startswith(f"http://127.0.0.1:{web_port + 1}/stream"), stream.url
    assert stream.status == 200
    assert stream.headers["access-control-allow-credentials"] == "true"
    boss.get_by_label("Reply to").fill("Checked with the warehouse: it left today.")
    boss.get_by_role("button", name="Add internal note").click()
    agent.locator("#timeline").get_by_text("Checked with the warehouse").wait_for(timeout=15000)
    assert agent.problems == [] and boss.problems == []


def test_bulk_tagging_from_the_inbox(context_factory, demo_server):
    page = context_factory()
    log_in(page, demo_server, "agent")
    page.get_by_role("link", name="My team").click()
    page.wait_for_url(re.compile(r"view=team"))
    boxes = page.locator("input[name=ids]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.get_by_label("With the ticked").select_option("tag")
    page.get_by_label("Tags", exact=True).fill("checked-in-browser")
    page.get_by_role("button", name="Apply").click()
    assert "Tagged 2." in page.locator("ul.flash").inner_text()
    page.get_by_label("Tag", exact=True).fill("checked-in-browser")
    page.get_by_role("button", name="Filter").click()
    assert page.locator("table.conversations tbody tr[data-href]").count() == 2
