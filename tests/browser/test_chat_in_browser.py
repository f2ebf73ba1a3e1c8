"""Live chat as people use it: a visitor on a shop's page opens the widget and chats with an agent
(a second browser) in real time; outside text never runs as HTML; the widget passes axe-core."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_accessibility import serious_violations
from tests.browser.test_demo_in_browser import log_in
from tests.channels.servers import free_port, wait_for_port

pytestmark = pytest.mark.e2e

WAIT = 15_000  # ms; the stream polls every 0.5 s on the demo's SQLite


def new_page(browser, **options):
    """A page in a context of its own (its own cookies and storage: another person), keeping
    script errors, console errors and failed responses in `page.problems`."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, **options)
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    page.on(
        "console",
        lambda m: (
            m.type == "error"
            and "/favicon.ico" not in m.location.get("url", "")
            and page.problems.append(f"{m.text} {m.location.get('url', '')}")
        ),
    )
    page.on(
        "response",
        lambda r: r.status >= 400 and "/favicon.ico" not in r.url and page.problems.append(r.url),
    )
    return page


@pytest.fixture
def visitor(browser):
    page = new_page(browser)
    yield page
    page.context.close()


@pytest.fixture
def agent(browser):
    page = new_page(browser)
    yield page
    page.context.close()


def open_widget(page, server):
    page.goto(server["url"] + "/chat/demo/")
    page.get_by_role("button", name="Chat with us").click()
    dialog = page.get_by_role("dialog", name=re.compile("^Chat with"))
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Your message")).to_be_focused(timeout=WAIT)
    return dialog


def say(dialog, text: str) -> None:
    box = dialog.get_by_label("Your message")
    box.fill(text)
    box.press("Enter")
    expect(dialog.get_by_role("log")).to_contain_text(text, timeout=WAIT)
    expect(box).to_have_value("")


def open_chat_from_the_inbox(page, server, subject: str) -> str:
    """Log in as the demo's agent, find the chat in the team's view filtered to the Chat
    channel, open it; return the agent's name as the workspace shows it."""
    log_in(page, server, "agent")
    page.get_by_role("link", name="My team").click()
    page.get_by_label("Channel").select_option(label="Chat")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name=subject).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(subject)
    return page.locator("header .who").first.inner_text().strip()


def test_a_visitor_and_an_agent_chat_in_real_time(visitor, agent, demo_server):
    dialog = open_widget(visitor, demo_server)
    visitor.evaluate("window.stillTheSamePage = true")
    say(dialog, "Hello, my order never arrived")
    ARTIFACTS.mkdir(exist_ok=True)
    visitor.screenshot(path=str(ARTIFACTS / "chat-visitor-asks.png"))

    name = open_chat_from_the_inbox(agent, demo_server, "Hello, my order never arrived")
    timeline = agent.locator("main")
    expect(timeline).to_contain_text("Hello, my order never arrived")

    reply = agent.get_by_label("Reply to")
    reply.press_sequentially("Hello! I am so sorry", delay=30)
    typing = dialog.get_by_text(f"{name} is typing…")
    expect(typing).to_be_visible(timeout=WAIT)
    visitor.screenshot(path=str(ARTIFACTS / "chat-agent-typing.png"))

    answer = "Hello! I am so sorry your order has not arrived. I am checking with the courier now."
    reply.fill(answer)
    agent.get_by_role("button", name="Send reply").click()

    log = dialog.get_by_role("log")
    expect(log).to_contain_text(answer, timeout=WAIT)
    message = log.locator("li.out").last
    expect(message.locator(".who")).to_have_text(name)
    initials = "".join(part[0] for part in name.split()[:2]).upper()
    expect(message.locator(".avatar")).to_have_text(initials)
    expect(typing).to_be_hidden()
    assert visitor.evaluate("window.stillTheSamePage") is True, "the page was reloaded"
    visitor.screenshot(path=str(ARTIFACTS / "chat-agent-answers.png"))
    agent.screenshot(path=str(ARTIFACTS / "chat-agent-view.png"))

    # The visitor types: the agent sees it on the conversation's presence line.
    with visitor.expect_response(re.compile(r"/chat/typing$")):
        dialog.get_by_label("Your message").press_sequentially("Thank you")
    agent.reload()
    expect(agent.locator("#presence")).to_contain_text("is typing…")
    dialog.get_by_label("Your message").press("Enter")
    expect(agent.locator("main")).to_contain_text("Thank you", timeout=WAIT)

    # The visitor asks for the chat by e-mail.
    dialog.get_by_role("button", name="E-mail me this chat").click()
    dialog.get_by_label("Send this chat to").fill("dana.visitor@example.com")
    dialog.get_by_role("button", name="Send it").click()
    expect(
        dialog.get_by_text("We have e-mailed this chat to dana.visitor@example.com.")
    ).to_be_focused()

    # With the panel closed, a new answer shows on the launcher.
    dialog.get_by_label("Your message").press("Escape")
    expect(dialog).to_be_hidden()
    agent.reload()  # the form knows the visitor's latest message: nothing is held back
    agent.get_by_label("Reply to").fill("Your parcel is on its way again.")
    agent.get_by_role("button", name="Send reply").click()
    launcher = visitor.get_by_role("button", name="Chat with us, 1 new message")
    expect(launcher).to_be_visible(timeout=WAIT)

    # A reload continues the same chat (the token is kept in localStorage).
    visitor.reload()
    visitor.get_by_role("button", name=re.compile("^Chat with us")).click()
    dialog = visitor.get_by_role("dialog", name=re.compile("^Chat with"))
    expect(dialog.get_by_role("log")).to_contain_text("Hello, my order never arrived")
    expect(dialog.get_by_role("log")).to_contain_text(answer)
    expect(dialog.get_by_role("log")).to_contain_text("Your parcel is on its way again.")

    dialog.press("Escape")
    expect(dialog).to_be_hidden()
    expect(visitor.get_by_role("button", name=re.compile("^Chat with us"))).to_be_focused()
    assert visitor.problems == [], visitor.problems
    assert agent.problems == [], agent.problems


def test_text_from_outside_is_shown_as_text_never_run(visitor, demo_server):
    dialog = open_widget(visitor, demo_server)
    attack = '<img src=x onerror="window.pwned = 1"><b>bold</b>'
    say(dialog, attack)
    log = dialog.get_by_role("log")
    expect(log.locator("li.in .text").last).to_have_text(attack)
    assert log.locator("img, b").count() == 0
    assert visitor.evaluate("window.pwned") is None
    # Only addresses on Regard itself become links (a survey's ratings); any other stays text.
    own = demo_server["url"] + "/portal/"
    say(dialog, f"see javascript:alert(1) and https://elsewhere.example/x and {own}")
    last = log.locator("li.in .text").last
    assert last.locator("a").count() == 1
    assert last.locator("a").get_attribute("href") == own
    assert visitor.problems == [], visitor.problems


def test_a_visitor_who_gives_their_address_gets_the_transcript_there(visitor, demo_server):
    dialog = open_widget(visitor, demo_server)
    dialog.get_by_label("Your name").fill("Ines Moreau")
    dialog.get_by_label("Your e-mail").fill("not an address")
    dialog.get_by_label("Your message").fill("Can I change my delivery address?")
    dialog.get_by_label("Your message").press("Enter")
    expect(dialog.get_by_role("alert")).to_have_text("That e-mail address does not look right.")
    expect(dialog.get_by_label("Your e-mail")).to_be_focused()

    dialog.get_by_label("Your e-mail").fill("ines.moreau@example.com")
    dialog.get_by_role("button", name="Send", exact=True).click()
    expect(dialog.get_by_role("log")).to_contain_text("Can I change my delivery address?")
    expect(dialog.get_by_label("Your name")).to_have_count(0)  # asked once
    expect(dialog.get_by_role("alert")).to_be_hidden()
    dialog.get_by_role("button", name="E-mail me this chat").click()
    expect(
        dialog.get_by_text("We have e-mailed this chat to ines.moreau@example.com.")
    ).to_be_focused()
    assert visitor.problems == [], visitor.problems


def test_the_widget_is_accessible_and_shielded_from_the_host_page_s_css(browser, demo_server):
    page = new_page(browser, bypass_csp=True)  # only so axe can be added to the page
    try:
        open_widget(page, demo_server)
        page.screenshot(path=str(ARTIFACTS / "chat-widget-open.png"))
        # The shop's CSS sets Georgia on its body; the panel keeps its own font.
        font = page.get_by_role("dialog").evaluate("e => getComputedStyle(e).fontFamily")
        assert "Georgia" not in font
        assert serious_violations(page) == []
    finally:
        page.context.close()


def choose_availability(page, label: str) -> None:
    with page.expect_response(re.compile(r"/service/availability$")):
        page.get_by_label("Your availability").select_option(label=label)


def test_with_nobody_available_the_chat_becomes_an_e_mail(browser, visitor, demo_server):
    """The team that answers new conversations (Orders & Delivery) is all away: the widget offers
    a message answered by e-mail instead of a chat."""
    team = [("admin", "Away"), ("agent", "Away")]  # Maya and Jonas; Tomás is away in the demo
    agents = []
    try:
        for role, label in team:
            page = new_page(browser)
            agents.append(page)
            log_in(page, demo_server, role)
            choose_availability(page, label)
        visitor.goto(demo_server["url"] + "/chat/demo/")
        visitor.get_by_role("button", name="Chat with us").click()
        dialog = visitor.get_by_role("dialog", name=re.compile("^Chat with"))
        expect(dialog.get_by_text("No one is here right now.")).to_be_visible(timeout=WAIT)
        expect(dialog.get_by_label("Your e-mail")).to_be_focused()
        dialog.get_by_label("Your e-mail").fill("late.visitor@example.com")
        dialog.get_by_label("Your message").fill("Do you ship teapots to Norway?")
        dialog.get_by_role("button", name="Send message").click()
        expect(
            dialog.get_by_text("Thank you. We'll answer by e-mail at late.visitor@example.com.")
        ).to_be_visible(timeout=WAIT)
        visitor.screenshot(path=str(ARTIFACTS / "chat-offline.png"))
        assert visitor.problems == [], visitor.problems
    finally:
        for page in agents:  # the demo is shared by the other browser tests: as it was
            choose_availability(page, "Available")
            page.context.close()


def shop_page(regard: str, identity: str = "") -> bytes:
    signed = f' data-identity="{identity}"' if identity else ""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Fjord shop</title>'
        "</head><body><main><h1>Fjord shop</h1><p>Warm socks.</p></main>"
        f'<script src="{regard}/static/chat/widget.js" data-regard="{regard}"{signed} async>'
        "</script></body></html>"
    ).encode()


@contextlib.contextmanager
def serving_shop(pages: dict[str, bytes]):
    """Another site (another origin) whose pages have the one script tag pasted in."""

    class Shop(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the standard library's name
            page = pages.get(self.path)
            self.send_response(200 if page else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page or b"")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Shop)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        # "localhost", not 127.0.0.1: a different host, so a different origin for certain
        yield f"http://localhost:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def test_the_widget_works_on_another_site(visitor, demo_server):
    """Cross-origin, as on a customer's site: CORS on the API and on the stream."""
    with serving_shop({"/": shop_page(demo_server["url"])}) as shop:
        visitor.goto(shop + "/")
        visitor.get_by_role("button", name="Chat with us").click()
        dialog = visitor.get_by_role("dialog", name=re.compile("^Chat with"))
        with visitor.expect_response(re.compile(r"/chat/stream\?")) as stream:
            say(dialog, "Do the socks come in blue?")
        answer = stream.value
        assert answer.status == 200
        assert answer.headers["access-control-allow-origin"] == shop
        assert answer.headers["content-type"].startswith("text/event-stream")
        visitor.reload()
        visitor.get_by_role("button", name="Chat with us").click()
        expect(dialog.get_by_role("log")).to_contain_text("Do the socks come in blue?")
    assert visitor.problems == [], visitor.problems


SECRET = "shared-with-the-shop-0123456789"  # noqa: S105 - a throwaway server's


@pytest.fixture(scope="module")
def signing_server():
    """`regard serve` on an empty SQLite database that knows the shop's identity secret, with
    one available agent (so the chat is online)."""
    folder = Path(tempfile.mkdtemp(prefix="regard-chat-"))
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL"} and not k.startswith("REGARD_")
    }
    env.update(REGARD_DATA_DIR=str(folder / "var"), REGARD_CHAT_IDENTITY_SECRET=SECRET)
    regard = [sys.executable, "-m", "regard.cli"]
    subprocess.run([*regard, "migrate"], env=env, check=True, capture_output=True)  # noqa: S603
    subprocess.run(  # noqa: S603
        [*regard, "createagent", "dana", "--name", "Dana Reyes", "--password", "dana-secret-1"],
        env=env,
        check=True,
        capture_output=True,
    )
    port = free_port()
    with (folder / "serve.log").open("wb") as out:
        process = subprocess.Popen(  # noqa: S603
            [*regard, "serve", "--no-migrate", "--no-worker", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    try:
        wait_for_port(port, timeout=60, process=process)
        wait_for_port(port + 1, timeout=60, process=process)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        shutil.rmtree(folder, ignore_errors=True)


def test_a_signed_in_customer_is_known_and_their_chat_stays_theirs(visitor, signing_server):
    """The shop vouches for its signed-in customer: no name or e-mail asked. When somebody else
    uses the same browser afterwards (signed out), they do not see that customer's chat."""
    from regard.channels.chat.identity import sign_identity

    identity = sign_identity("ana.silva@fjord.example", "Ana Silva", secret=SECRET)
    pages = {"/account": shop_page(signing_server, identity), "/": shop_page(signing_server)}
    with serving_shop(pages) as shop:
        visitor.goto(shop + "/account")
        visitor.get_by_role("button", name="Chat with us").click()
        dialog = visitor.get_by_role("dialog", name=re.compile("^Chat with"))
        expect(dialog.get_by_label("Your message")).to_be_focused(timeout=WAIT)
        expect(dialog.get_by_label("Your name")).to_have_count(0)
        say(dialog, "My invoice shows the wrong address")

        visitor.goto(shop + "/")  # signed out: somebody else at the same computer
        visitor.get_by_role("button", name="Chat with us").click()
        expect(dialog.get_by_label("Your name")).to_be_visible(timeout=WAIT)
        expect(dialog.get_by_role("log")).not_to_contain_text("wrong address")
    assert visitor.problems == [], visitor.problems
