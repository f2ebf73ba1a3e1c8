"""Every URL × every role → allowed or denied, generated from the URL configuration.

A new URL fails `test_every_url_is_classified` until it gets a row in POLICY, so no endpoint
ships without someone deciding who may use it.
"""

from __future__ import annotations

import json

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from regard.accounts.choices import Role
from regard.accounts.models import Agent
from regard.api.tokens import issue_token
from regard.channels.email.inbound import accept_email
from regard.commitments.models import Commitment
from regard.conversations import actions
from regard.conversations.models import Attachment, Conversation, Message, SavedReply
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
    "service:policies": ("GET", EVERYONE),
    "service:attainment": ("GET", EVERYONE),
    "service:policy_new": ("GET", frozenset({"admin"})),
    "service:policy_edit": ("GET", frozenset({"admin"})),
    "service:calendar_new": ("GET", frozenset({"admin"})),
    "service:calendar_edit": ("GET", frozenset({"admin"})),
    "service:availability": ("POST", EVERYONE),  # their own availability
    "service:routing": ("GET", LEADS),
    "service:routing_team": ("POST", LEADS),
    "service:routing_agent": ("POST", LEADS),
    "web:saved_reply_insert": ("POST", SEE),
    "web:assign": ("POST", WRITE),
    "web:presence": ("POST", SEE),
    "web:bulk": ("POST", frozenset({"agent", "outsider", "supervisor", "admin"})),
    "web:stream": ("GET", EVERYONE),
    "web:customers_csv": ("GET", frozenset({"admin"})),
    "web:saved_replies": ("GET", EVERYONE),
    "web:saved_reply_delete": ("POST", frozenset({"agent", "supervisor", "admin"})),
    "incidents:list": ("GET", EVERYONE),
    "incidents:declare": ("GET", EVERYONE - {"light_agent"}),
    "incidents:detail": ("GET", EVERYONE),
    "incidents:report": ("GET", EVERYONE),
    "incidents:edit": ("GET", LEADS),  # and the incident's owner
    "incidents:status": ("POST", LEADS),
    "incidents:compose": ("GET", LEADS),
    "incidents:coach": ("POST", LEADS),
    "incidents:group_concierge": ("POST", LEADS),
    "incidents:link": ("POST", EVERYONE - {"light_agent"}),
    "incidents:link_organization": ("POST", EVERYONE - {"light_agent"}),
    "incidents:link_search": ("POST", EVERYONE - {"light_agent"}),
    "incidents:affected": ("POST", EVERYONE - {"light_agent"}),
    "incidents:suggestion": ("POST", WRITE),  # must also see the suggested conversation
    "loyalty:radar": ("GET", EVERYONE),  # each sees the customers they may see
    "loyalty:reach_out": ("POST", WRITE),
    "loyalty:gratitude": ("GET", EVERYONE),
    "loyalty:open_draft": ("POST", WRITE),
    "loyalty:dismiss_draft": ("POST", WRITE),
    "loyalty:advocates": ("GET", EVERYONE),
    "loyalty:kudos": ("GET", EVERYONE),
    "loyalty:rate": ("GET", PUBLIC),  # signed, expiring, single-use survey links
    "loyalty:comment": ("GET", PUBLIC),
    "loyalty:unsubscribe": ("GET", PUBLIC),
    "loyalty:referral": ("GET", PUBLIC),
    # Customer portal: customers' pages, not agents'. No agent role grants anything there (an
    # agent is sent to the portal's own sign-in, which the matrix counts as allowed), so they are
    # PUBLIC here; tests/portal checks the real rule: each customer sees only their own records.
    "portal:home": ("GET", PUBLIC),
    "portal:landing": ("GET", PUBLIC),  # signed, expiring, single-use sign-in links
    "portal:sign_out": ("POST", PUBLIC),
    "portal:conversation": ("GET", PUBLIC),
    "portal:attachment": ("GET", PUBLIC),
    "portal:preferences": ("GET", PUBLIC),
    # Web form: anyone may write to us; the confirmation shows only what its signed token names.
    "contact:form": ("GET", PUBLIC),
    "contact:thanks": ("GET", PUBLIC),
    "contact:embed": ("GET", PUBLIC),
    "contact:embed_thanks": ("GET", PUBLIC),
    # Live chat API: public (any site in REGARD_EMBED_ORIGINS), but every call except /start needs
    # the visitor's signed bearer token: no login grants it, so without the token all are refused.
    "chat:start": ("POST", PUBLIC),
    "chat:messages": ("POST", frozenset()),
    "chat:typing": ("POST", frozenset()),
    "chat:offline": ("POST", frozenset()),
    "chat:transcript": ("POST", frozenset()),
    "chat:stream": ("GET", frozenset()),
    "chat:host_demo": ("GET", PUBLIC),  # helper D's pretend shop page with the widget
    "web:api_tokens": ("GET", EVERYONE),  # each their own
    "web:notifications": ("GET", EVERYONE),  # each their own
    "web:notifications_read": ("POST", EVERYONE),
    "web:api_token_revoke": ("POST", frozenset({"agent"})),  # the token's owner only
}
# The REST API, called with each role's own bearer token (anonymous: none), a JSON body each.
API_POLICY = {
    "api:me": ("GET", None, EVERYONE),
    "api:list_conversations": ("GET", None, EVERYONE),  # each sees the conversations they may
    "api:list_customers": ("GET", None, EVERYONE),
    "api:get_conversation": ("GET", None, SEE),
    "api:get_customer": ("GET", None, SEE),
    "api:create_conversation": (
        "POST",
        {"email": "new@example.com", "text": "Hello"},
        EVERYONE - {"light_agent"},
    ),
    "api:reply": ("POST", {"text": "On it."}, WRITE),
    "api:note": ("POST", {"text": "Checked."}, SEE),
    "api:update_conversation": ("PATCH", {"tags": ["late"]}, WRITE),
    "api:assign": ("POST", {"assignee_id": None}, WRITE),
    "api:update_customer": ("PATCH", {"preferred_name": "May"}, WRITE),
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
    unknown = sorted(set(url_names()) - set(POLICY) - set(API_POLICY) - NOT_ROUTES)
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
    saved = SavedReply.objects.create(title="Hello", text="Hi {name},", team=orders)
    incident = incident_world(conversation)
    loyalty = loyalty_world(conversation, dana)
    return {
        **incident,
        **loyalty,
        **service_world(orders),
        "saved_id": saved.pk,
        "into": other.pk,
        "team_id": orders.pk,
        "agent_id": dana.pk,
        "conversation_id": conversation.pk,
        "customer_id": conversation.customer_id,
        "attachment_id": Attachment.objects.get().pk,
        "message_id": message.pk,
        "commitment_id": Commitment.objects.get().pk,
        "event_id": merge.pk,
        "link_token": "not-a-portal-link",  # refused with 400 whoever asks
        "token_id": issue_token(None, dana, "shop").token.pk,
    }


def incident_world(conversation) -> dict:
    """An incident owned by someone outside the six roles, one link and one suggestion."""
    from regard.incidents.actions import declare_incident, link_customer
    from regard.incidents.models import LinkSuggestion

    owner = make_agent("incident_owner", role=Role.SUPERVISOR)
    incident = declare_incident(owner.user, title="Checkout down", public_text="We are on it.")
    link = link_customer(owner.user, incident, customer=make_customer("hit@example.com"))
    suggestion = LinkSuggestion.objects.create(
        incident=incident, conversation=conversation, score=0.5, created_at=incident.created_at
    )
    return {"incident_id": incident.pk, "affected_id": link.pk, "suggestion_id": suggestion.pk}


def service_world(team) -> dict:
    from regard.service.models import BusinessCalendar, Policy

    calendar = BusinessCalendar.objects.create(name="Orders hours", team=team)
    policy = Policy.objects.create(name="Standard", first_reply_minutes=240, calendar=calendar)
    return {"policy_id": policy.pk, "calendar_id": calendar.pk}


def loyalty_world(conversation, owner) -> dict:
    """A survey on the Orders conversation, a thank-you draft for its customer's person."""
    from django.utils import timezone

    from regard.loyalty.mail import REFERRAL_SALT, UNSUBSCRIBE_SALT, customer_token
    from regard.loyalty.models import GratitudeDraft, Survey
    from regard.loyalty.tokens import survey_token

    customer, now = conversation.customer, timezone.now()
    survey = Survey.objects.create(
        kind="csat", customer=customer, conversation=conversation, created_at=now
    )
    draft = GratitudeDraft.objects.create(
        customer=customer,
        occasion="first_conversation",
        occasion_key="first_conversation",
        owner=owner,
        text="Hi, thank you.",
        created_at=now,
    )
    return {
        "draft_id": draft.pk,
        "survey_token": survey_token(survey),
        "score": 4,
        "unsubscribe_token": customer_token(customer.pk, UNSUBSCRIBE_SALT),
        "referral_token": customer_token(customer.pk, REFERRAL_SALT),
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
    if response.status_code in (200, 201, 302, 400):
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
    data = {"text": "hello", "saved": world["saved_id"], "action": "assign", "ids": "1"}
    response = client.get(url) if method == "GET" else client.post(url, data)
    expected = "allowed" if role in allowed else "denied"
    assert outcome(response) == expected, f"{role} {method} {url}: {response.status_code}"


@pytest.mark.parametrize("role", ROLES)
def test_everyone_may_log_out(client, world, role):
    if role != "anonymous":
        client.login(username=role, password=PASSWORD)
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(API_POLICY))
def test_api_matrix(client, world, name, role):
    method, body, allowed = API_POLICY[name]
    headers = {}
    if role != "anonymous":
        agent = Agent.objects.get(user__username=role)
        headers["Authorization"] = f"Bearer {issue_token(None, agent, 'matrix').secret}"
    url = url_for(name, world)
    data = json.dumps(body) if body is not None else None
    call = getattr(client, method.lower())
    response = call(url, data=data, content_type="application/json", headers=headers)
    expected = "allowed" if role in allowed else "denied"
    assert outcome(response) == expected, f"{role} {method} {url}: {response.status_code}"
