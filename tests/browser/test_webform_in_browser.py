"""A visitor writes to the company through the web form in a real browser, hosted and embedded
in another page; the pages pass axe-core."""

from __future__ import annotations

import re
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread

import pytest

from tests.browser.test_accessibility import serious_violations
from tests.channels.servers import free_port

pytestmark = pytest.mark.e2e
# The form refuses posts made within two seconds of serving it (robots); a person takes longer.
MIN_FILL_SECONDS = 2.2


def problems_kept(context):
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    page.on(
        "response",
        lambda r: r.status >= 400 and "/favicon.ico" not in r.url and page.problems.append(r.url),
    )
    return page


@pytest.fixture
def page(browser):
    # bypass_csp only lets the accessibility check inject axe; the pages load no other script.
    context = browser.new_context(viewport={"width": 1024, "height": 900}, bypass_csp=True)
    yield problems_kept(context)
    context.close()


@pytest.fixture
def strict_page(browser):
    """A page that obeys every Content-Security-Policy, frame-ancestors included."""
    context = browser.new_context(viewport={"width": 1024, "height": 900})
    yield problems_kept(context)
    context.close()


def fill_like_a_person(target, served_at: float, address: str, message: str) -> None:
    target.get_by_label("Your name (optional)").fill("Zoë Ångström")
    target.get_by_label("Your e-mail address").fill(address)
    target.get_by_label("Your message").fill(message)
    time.sleep(max(0.0, MIN_FILL_SECONDS - (time.monotonic() - served_at)))
    target.get_by_role("button", name="Send").click()


def test_a_visitor_writes_in_and_sees_a_clear_confirmation(page, demo_server):
    address = f"visitor-{uuid.uuid4().hex[:8]}@example.com"
    page.goto(demo_server["url"] + "/contact/")
    served = time.monotonic()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Write to")
    assert serious_violations(page) == []

    page.get_by_role("button", name="Send").click()  # nothing filled in
    assert "Please give your e-mail address" in page.locator("main").inner_text()
    assert serious_violations(page) == []

    served = time.monotonic()
    fill_like_a_person(page, served, address, "My grinder arrived broken.\nCan you help?")
    page.wait_for_url(re.compile(r"/contact/thanks/\?t="))
    text = page.locator("main").inner_text()
    assert "Thank you, Zoë." in text
    assert re.search(r"conversation #\d+", text) and address in text
    assert serious_violations(page) == []
    page.reload()
    assert "Thank you, Zoë." in page.locator("main").inner_text()
    page.goto(demo_server["url"] + "/contact/embed/")
    assert serious_violations(page) == []
    assert page.problems == []


@pytest.fixture
def shop_site(demo_server):
    """Another site on this machine (`localhost`, not Regard's `127.0.0.1`) that embeds the form."""
    html = (
        '<!doctype html><html lang="en"><head><title>Shop</title></head><body><main>'
        '<h1>Shop</h1><iframe title="Contact us" width="600" height="800" '
        f'src="{demo_server["url"]}/contact/embed/"></iframe></main></body></html>'
    ).encode()

    class Shop(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Shop)
    Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://localhost:{server.server_port}/"
    server.shutdown()
    server.server_close()


def test_the_form_works_inside_an_iframe_on_another_site(strict_page, shop_site):
    page = strict_page
    page.goto(shop_site)
    frame = page.frame_locator("iframe")
    frame.get_by_label("Your e-mail address").wait_for()
    served = time.monotonic()
    address = f"framed-{uuid.uuid4().hex[:8]}@example.com"
    fill_like_a_person(frame, served, address, "Writing from your shop page.")
    frame.get_by_text("Thank you, Zoë.").wait_for()
    assert address in frame.locator("main").inner_text()
    assert page.problems == []
