"""In a real browser (Chromium via Playwright) against a live server: a customer asks for a
sign-in link, the link arrives through a real SMTP server, the customer opens it, presses "Sign
in" and sees the promise the agent made, with its due date."""

from __future__ import annotations

import email
import re
import time
import zoneinfo
from email import policy
from pathlib import Path

import pytest
from django.utils import timezone

from regard.commitments.models import Commitment
from regard.conversations.actions import send_reply
from tests.browser.conftest import ARTIFACTS
from tests.channels.servers import start_smtp_sink
from tests.factories import make_conversation, make_customer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
AXE = Path(__file__).parent / "vendor" / "axe.min.js"


@pytest.fixture
def page(chromium, live_server, transactional_db):
    # bypass_csp: only so this test may add axe-core to check the pages' accessibility.
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
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


class Sink:
    def __init__(self):
        self.received: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.received.append(envelope.content)
        return "250 Delivered"


@pytest.fixture
def smtp(settings, live_server):
    sink = Sink()
    controller = start_smtp_sink(sink)
    settings.BASE_URL = live_server.url
    # No worker runs beside the live server: the link's mail task runs at once, after commit.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield sink
    controller.stop()


def serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{page.url} {v['id']} ({v['impact']}): {v['help']}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def link_in(sink, timeout: float = 10) -> str:
    """The sign-in link from the mail that reached the SMTP server (the agent's reply went
    there too)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for raw in sink.received:
            message = email.message_from_bytes(raw, policy=policy.default)
            body = message.get_body(preferencelist=("plain",)).get_content()
            found = re.search(r"http://\S+/portal/in/[^/\s]+/", body)
            if found:
                return found.group(0)
        time.sleep(0.05)
    raise AssertionError("no sign-in link reached the SMTP server")


def test_a_customer_signs_in_with_the_magic_link_and_sees_the_promise(
    page, live_server, smtp, agent
):
    customer = make_customer(
        "maya@example.com", "Maya Lind", preferred_name="Maya", time_zone="Europe/Stockholm"
    )
    conversation = make_conversation(customer, subject="Refund for order 4411")
    send_reply(
        agent.user,
        conversation,
        "Hi Maya, I'm sorry. I'll send you the refund confirmation by Friday 3pm.",
    )
    promise = Commitment.objects.get()
    due = timezone.localtime(promise.due_at, zoneinfo.ZoneInfo("Europe/Stockholm"))

    page.goto(live_server.url + "/portal/")
    found = serious_violations(page)
    page.get_by_label("Your e-mail address").fill("maya@example.com")
    page.get_by_role("button", name="Send me a link").click()
    status = page.get_by_role("status")
    status.wait_for()
    assert "a link is on its way" in status.inner_text()

    page.goto(link_in(smtp))
    found += serious_violations(page)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Hello Maya").wait_for()
    promises = page.locator("ul.promises").inner_text()
    assert "We promised:" in promises and "refund confirmation by Friday 3pm" in promises
    assert f"due {due:%a} {due.day} {due:%b}, {due:%H:%M}" in promises
    found += serious_violations(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "portal-overview.png"), full_page=True)

    page.get_by_role("link", name="Refund for order 4411").first.click()
    page.get_by_label("Your reply").fill("Thank you, Friday is fine.")
    page.get_by_role("button", name="Send reply").click()
    page.get_by_text("Thank you, Friday is fine.").wait_for()
    found += serious_violations(page)
    page.get_by_role("link", name="Preferences").click()
    found += serious_violations(page)
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Send me a link").wait_for()
    assert found == [], "\n".join(found)


def mail_to(sink, address: str, words: str, timeout: float = 10):
    """The first mail to `address` whose text holds `words`, parsed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for raw in sink.received:
            message = email.message_from_bytes(raw, policy=policy.default)
            body = message.get_body(preferencelist=("plain",)).get_content()
            if address in str(message["To"]) and words in body:
                return message
        time.sleep(0.05)
    raise AssertionError(f"no mail to {address} with {words!r} reached the SMTP server")


def test_a_visitor_writes_in_gets_a_receipt_and_sees_the_promise_in_the_portal(
    page, live_server, smtp, agent
):
    """The whole journey: the web form, the receipt in a real mailbox, the agent's promise, the
    portal through the link that came by mail."""
    from regard.conversations.models import Conversation

    page.goto(live_server.url + "/contact/")
    served = time.monotonic()
    page.get_by_label("Your name (optional)").fill("Maya Lind")
    page.get_by_label("Your e-mail address").fill("maya@example.com")
    page.get_by_label("Your message").fill("My refund for order 4411 has not arrived.")
    time.sleep(max(0.0, 2.2 - (time.monotonic() - served)))  # people take a moment to write
    page.get_by_role("button", name="Send").click()
    page.wait_for_url(re.compile(r"/contact/thanks/"))
    assert "Thank you, Maya." in page.locator("main").inner_text()

    conversation = Conversation.objects.get(channel="web")
    receipt = mail_to(smtp, "maya@example.com", "refund for order 4411")
    assert f"[#{conversation.pk}]" in receipt["Subject"]
    send_reply(
        agent.user,
        conversation,
        "Hi Maya, I'm sorry. I'll send you the refund confirmation by Friday 3pm.",
    )
    due = timezone.localtime(Commitment.objects.get().due_at)

    page.goto(live_server.url + "/portal/")
    page.get_by_label("Your e-mail address").fill("maya@example.com")
    page.get_by_role("button", name="Send me a link").click()
    page.get_by_role("status").wait_for()
    page.goto(link_in(smtp))
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name=re.compile("^Hello Maya")).wait_for()
    promises = page.locator("ul.promises").inner_text()
    assert "refund confirmation by Friday 3pm" in promises
    assert f"due {due:%a} {due.day} {due:%b}, {due:%H:%M}" in promises
