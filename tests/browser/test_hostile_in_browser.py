"""Hostile content through every way in (e-mail, web form, chat), rendered where people read it
(the agent's inbox and conversations, the customer directory and the customer portal) in a real
browser: no script runs, no dialog opens, nothing is fetched from anywhere but Regard."""

from __future__ import annotations

import json
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.test import Client

from regard.channels.email.inbound import accept_email
from regard.channels.web.actions import Submission, receive_web_form
from regard.conversations.models import Conversation
from regard.portal.actions import request_link
from regard.portal.tokens import link_token
from tests.conversations.test_sanitize import HOSTILE
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
# Every payload that could run calls this; the page defines nothing by that name, so a run shows
# up as a dialog (alert) or a page error.
EXTRA = [
    '"><svg/onload=alert(1)>',
    "javascript:alert(1)",
    "<img src=https://evil.example/pixel.gif>",
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    "{{ 7*7 }} {% debug %} ${alert(1)}",
    "<body onload=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<audio src=x onerror=alert(1)>",
    "<marquee onstart=alert(1)>x</marquee>",
    "<object data=javascript:alert(1)>",
    "<embed src=javascript:alert(1)>",
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105'
    '&#0000112&#0000116&#0000058alert(1)">x</a>',
    "<svg><a xlink:href=javascript:alert(1)><text y=20>x</text></a></svg>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<math><maction actiontype=statusline xlink:href=javascript:alert(1)>x</maction></math>",
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    "<style>*{background:url('https://evil.example/bg.png')}</style>",
    '<div style="background-image:url(https://evil.example/bg.png)">x</div>',
    "<table background=https://evil.example/t.png><tr><td>x</td></tr></table>",
    '<a href="https://evil.example" ping="https://evil.example/ping">x</a>',
    "<form><button formaction=javascript:alert(1)>x</button></form>",
    "<isindex type=image src=1 onerror=alert(1)>",
    "<template><script>alert(1)</script></template>",
    "<select><noembed></select><script>alert(1)</script>",
    "<textarea></textarea><script>alert(1)</script>",
    "<title></title><script>alert(1)</script>",
    "\u003cscript\u003ealert(1)\u003c/script\u003e",
]
PAYLOADS = HOSTILE + EXTRA
ORIGIN = "https://shop.example"
URL_ATTRIBUTES = ["href", "src", "action", "formaction"]


def _mail(payload: str, n: int) -> bytes:
    mail = EmailMessage()
    mail["From"] = f"Hostile {n} <hostile{n}@example.com>"
    mail["To"] = "support@localhost"
    mail["Subject"] = " ".join(payload.split())[:200]
    mail["Message-ID"] = make_msgid(domain="example.com")
    mail.set_content(f"Plain part {n}: {payload}")
    mail.add_alternative(f"<html><body><p>HTML part {n}</p>{payload}</body></html>", "html")
    return bytes(mail)


@pytest.fixture
def hostile_desk(settings, agent):
    """The payloads as e-mail (subject, HTML and text), as web-form name and message from one
    customer, and as chat name and message; an agent's reply quotes one."""
    settings.EMBED_ORIGINS = [ORIGIN]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    chat = Client()
    for n, payload in enumerate(PAYLOADS):
        accept_email(_mail(payload, n), source="test", process="now")
        receive_web_form(
            Submission(email="maya@example.com", name=payload[:100], text=f"Form {n}: {payload}")
        )
        started = chat.post(
            "/chat/start",
            json.dumps({"name": payload[:100]}),
            content_type="application/json",
            headers={"Origin": ORIGIN},
        ).json()
        chat.post(
            "/chat/messages",
            json.dumps({"text": f"Chat {n}: {payload}"}),
            content_type="application/json",
            headers={
                "Origin": "https://shop.example",
                "Authorization": f"Bearer {started['token']}",
            },
        )
    from regard.conversations.actions import send_reply

    web = Conversation.objects.filter(channel="web").first()
    send_reply(agent.user, web, f"You wrote: {PAYLOADS[1]}")
    return Conversation.objects.order_by("pk")


@pytest.fixture
def watched(chromium, live_server):
    """A page that records dialogs, script errors and any request that leaves Regard."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.route("**/stream*", lambda route: route.abort())  # live updates are not on trial
    page = context.new_page()
    page.trouble = []
    page.on("dialog", lambda d: (page.trouble.append(f"dialog: {d.message}"), d.dismiss()))
    page.on("pageerror", lambda e: page.trouble.append(f"error: {e}"))
    page.on(
        "request",
        lambda r: (
            r.url.startswith(live_server.url)
            or r.url.startswith("data:")
            or page.trouble.append(f"request: {r.url}")
        ),
    )
    yield page
    context.close()


def inert(page) -> list[str]:
    """Scripts and event handlers in the page that Regard did not write."""
    return page.evaluate(
        """(urlAttributes) => {
        const found = [];
        for (const el of document.querySelectorAll('main *')) {
          if (el.tagName === 'SCRIPT') found.push('script in main');
          for (const a of el.attributes) {
            if (a.name.startsWith('on')) found.push(el.tagName + ' ' + a.name);
            const risky = /^\\s*(javascript|vbscript|data):/i.test(a.value);
            if (risky && urlAttributes.includes(a.name))
              found.push(el.tagName + ' ' + a.name + '=' + a.value.slice(0, 30));
          }
        }
        return found;
      }""",
        URL_ATTRIBUTES,
    )


def test_hostile_content_stays_inert_for_agents(watched, live_server, hostile_desk, agent):
    page = watched
    page.goto(live_server.url + "/login/")
    page.get_by_label("Login").fill(agent.user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/")
    found = []
    for path in ("/?view=team", "/?view=unassigned", "/customers/", "/search?q=alert"):
        page.goto(live_server.url + path)
        found += inert(page)
    for conversation in hostile_desk:
        page.goto(f"{live_server.url}/conversations/{conversation.pk}/")
        found += inert(page)
    page.goto(f"{live_server.url}/customers/{hostile_desk.last().customer_id}/")
    found += inert(page)
    assert hostile_desk.count() >= 3 * len(PAYLOADS)
    assert "alert(1)" in page.locator("main").inner_text()  # shown, as text
    assert found == [] and page.trouble == [], found + page.trouble
    # The checks themselves can see what they look for.
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML("
        "'beforeend', '<a href=\"javascript:void(0)\" onclick=\"x\">x</a>')"
    )
    page.evaluate("alert('planted')")
    assert len(inert(page)) == 2 and page.trouble == ["dialog: planted"]


def test_hostile_content_stays_inert_in_the_portal(watched, live_server, hostile_desk):
    page = watched
    link = request_link("maya@example.com")
    page.goto(f"{live_server.url}/portal/in/{link_token(link)}/")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Hello").first.wait_for()
    found = inert(page)
    for conversation in hostile_desk.filter(channel="web"):
        page.goto(f"{live_server.url}/portal/conversations/{conversation.pk}/")
        found += inert(page)
    assert found == [] and page.trouble == [], found + page.trouble
