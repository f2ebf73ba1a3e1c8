"""Every URL × every role → allowed or denied, generated from the URL configuration.

A new URL fails `test_every_url_is_classified` until it gets a row in POLICY, so no endpoint
ships without someone deciding who may use it.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from regard.accounts.choices import Role
from regard.channels.email.inbound import accept_email
from regard.commitments.models import Commitment
from regard.conversations import actions
from regard.conversations.models import Attachment, Conversation, Message
from regard.customers.actions import merge_customers
from tests.channels.mail import make_mail
from tests.factories import PASSWORD, make_agent, make_customer, make_team

ROLES = ("anonymous", "agent", "outsider", "light_agent", "supervisor", "admin")
EVERYONE = frozenset(ROLES) - {"anonymous"}
SEE = frozenset({"agent", "light_agent", "supervisor", "admin"})  # may see the Orders team
WRITE = SEE - {"light_agent"}
LEADS = frozenset({"supervisor", "admin"})
PUBLIC = frozenset(ROLES)

# url name -> (method, who is allowed). Everyone else is denied: anonymous visitors are sent to
# log in (or refused), agents get 403, or 404 for what they may not even know exists.
POLICY = {
    "login": ("GET", PUBLIC),
    "api:health": ("GET", PUBLIC),
    "api:openapi-json": ("GET", PUBLIC),
    "api:openapi-view": ("GET", PUBLIC),
    "web:inbox": ("GET", EVERYONE),
    "web:report_promises": ("GET", EVERYONE),
    "web:customers": ("GET", EVERYONE),
    "web:search": ("GET", EVERYONE),
    "web:conversation": ("GET", SEE),
    "web:attachment": ("GET", SEE),
    "web:raw_source": ("GET", SEE),
    "web:coach": ("POST", SEE),
    "web:reply": ("POST", WRITE),
    "web:snooze": ("POST", WRITE),
    "web:keep_promise": ("POST", WRITE),
    "web:customer": ("GET", SEE),
    "web:customer_note": ("POST", SEE),
    "web:customer_edit": ("POST", WRITE),
    "web:customer_compass": ("POST", WRITE),
    "web:customer_moment": ("POST", WRITE),
    "web:customer_identity": ("POST", WRITE),
    "web:customer_merge": ("GET", LEADS),
    "web:customer_unmerge": ("POST", LEADS),
}
NOT_ROUTES = {"api:api-root", "logout"}  # ninja's prefix; logout is tested on its own


def url_names(patterns=None, namespace=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue  # Django's admin checks is_staff itself
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name


def test_every_url_is_classified():
    unknown = sorted(set(url_names()) - set(POLICY) - NOT_ROUTES)
    assert not unknown, f"classify these URLs in POLICY: {unknown}"


@pytest.fixture
def world(db, settings, tmp_path):
    """One Orders conversation with an attachment, a raw source, a promise and a merge."""
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"
    orders = make_team("Orders")
    dana = make_agent("agent", teams=[orders])
    make_agent("outsider", teams=[make_team("Billing")])
    make_agent("light_agent", role=Role.LIGHT_AGENT, teams=[orders])
    make_agent("supervisor", role=Role.SUPERVISOR)
    make_agent("admin", role=Role.ADMIN)
    accept_email(
        make_mail(attachments=[("a.pdf", "application/pdf", b"%PDF")]), process="now", live=False
    )
    conversation = Conversation.objects.get()
    actions.assign_conversation(dana.user, conversation, dana, team=orders)
    actions.send_reply(dana.user, conversation, "I will call you within 2 hours.")
    twin = make_customer("twin@example.com", "Twin")
    merge = merge_customers(dana.user, twin, conversation.customer)
    message = Message.objects.filter(raw__isnull=False).get()
    other = make_customer("other@example.com", "Other")
    actions.open_conversation(dana.user, other, subject="Hi", channel="email", team=orders)
    return {
        "into": other.pk,
        "conversation_id": conversation.pk,
        "customer_id": conversation.customer_id,
        "attachment_id": Attachment.objects.get().pk,
        "message_id": message.pk,
        "commitment_id": Commitment.objects.get().pk,
        "event_id": merge.pk,
    }


def url_for(name: str, world: dict) -> str:
    resolver = get_resolver()
    view, namespace = name.split(":")[-1], name.rsplit(":", 1)[0] if ":" in name else ""
    prefix = resolver.namespace_dict.get(namespace, (None, resolver))[1] if namespace else resolver
    keys = set()
    for possibility in prefix.reverse_dict.getlist(view):
        for _result, params in possibility[0]:
            keys |= set(params)
    return reverse(name, kwargs={key: world[key] for key in keys})


def outcome(response) -> str:
    if response.status_code in (401, 403, 404, 405):
        return "denied"
    if response.status_code == 302 and "/login/" in response.get("Location", ""):
        return "denied"
    if response.status_code in (200, 302, 400):
        return "allowed"  # 400: past the permission check, the (empty) form was refused
    return f"status {response.status_code}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(POLICY))
def test_matrix(client, world, name, role):
    method, allowed = POLICY[name]
    if role != "anonymous":
        assert client.login(username=role, password=PASSWORD)
    url = url_for(name, world)
    if name == "web:customer_merge":
        url += f"?into={world['into']}"
    response = client.get(url) if method == "GET" else client.post(url, {"text": "hello"})
    expected = "allowed" if role in allowed else "denied"
    assert outcome(response) == expected, f"{role} {method} {url}: {response.status_code}"


@pytest.mark.parametrize("role", ROLES)
def test_everyone_may_log_out(client, world, role):
    if role != "anonymous":
        client.login(username=role, password=PASSWORD)
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert "_auth_user_id" not in client.session
