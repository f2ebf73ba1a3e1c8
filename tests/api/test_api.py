"""The REST API: tokens, the same permission checks as the pages, strict input, rate limits."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from regard.accounts.choices import Role
from regard.api.models import ApiToken
from regard.api.tokens import check_token, issue_token, revoke_token
from regard.conversations.choices import Direction
from regard.conversations.models import Conversation, Event, Message
from regard.customers.models import Customer, Organization
from tests.factories import make_agent, make_conversation, make_customer, make_team

pytestmark = pytest.mark.django_db


def bearer(agent, **kwargs) -> dict:
    return {"Authorization": f"Bearer {issue_token(None, agent, 'tests', **kwargs).secret}"}


def call(method: str, path: str, headers: dict, body=None, client=None):
    client = client or Client()
    data = json.dumps(body) if body is not None and not isinstance(body, str) else body
    return getattr(client, method)(
        f"/api/v1{path}", data=data, content_type="application/json", headers=headers
    )


@pytest.fixture
def orders(agent, team):
    conversation = make_conversation(make_customer("maya@example.com", "Maya Lin"), team=team)
    return conversation


# --- who may call -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "",
        "Bearer",
        "Bearer rgd_",
        "Bearer rgd_abc_def",
        "Bearer not-a-token",
        "Basic dXNlcjpwYXNz",
        "Bearer rgd_" + "a" * 5000,
    ],
)
def test_no_or_malformed_token_is_401(header):
    response = call("get", "/me", {"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


def test_a_wrong_secret_with_a_real_key_id_is_refused(agent):
    issued = issue_token(None, agent, "shop")
    forged = issued.secret[:-4] + ("AAAA" if not issued.secret.endswith("AAAA") else "BBBB")
    assert call("get", "/me", {"Authorization": f"Bearer {forged}"}).status_code == 401
    assert call("get", "/me", {"Authorization": f"Bearer {issued.secret}"}).status_code == 200


def test_revoked_expired_and_deactivated_tokens_stop_at_once(agent):
    headers = bearer(agent)
    assert call("get", "/me", headers).json()["name"] == agent.display_name
    revoke_token(None, ApiToken.objects.get())
    assert call("get", "/me", headers).status_code == 401

    expired = bearer(agent, days=1)
    ApiToken.objects.filter(revoked_at__isnull=True).update(expires_at=timezone.now())
    assert call("get", "/me", expired).status_code == 401

    live = bearer(agent)
    agent.user.is_active = False
    agent.user.save()
    assert call("get", "/me", live).status_code == 401


def test_tokens_are_random_and_only_their_digest_is_stored(agent):
    secrets = {issue_token(None, agent, f"t{n}").secret for n in range(20)}
    assert len(secrets) == 20
    for secret in secrets:
        key_id, part = secret.split("_", 2)[1:]
        assert len(part) >= 43  # 32 random bytes, base64: 256 bits
        row = ApiToken.objects.get(key_id=key_id)
        assert part not in row.digest and len(row.digest) == 64
    issued = Event.objects.filter(kind="api_token.issued")
    assert issued.count() == 20 and all(secret not in str(e.data) for e in issued)


def test_check_token_records_use_at_most_once_a_minute(agent):
    issued = issue_token(None, agent, "shop")
    now = timezone.now()
    check_token(issued.secret, at=now)
    check_token(issued.secret, at=now + timedelta(seconds=30))
    assert ApiToken.objects.get().last_used_at == now
    check_token(issued.secret, at=now + timedelta(minutes=2))
    assert ApiToken.objects.get().last_used_at == now + timedelta(minutes=2)


def test_a_session_may_call_but_writes_need_the_csrf_token(agent, orders):
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent.user)
    assert call("get", "/me", {}, client=client).status_code == 200
    refused = call("post", f"/conversations/{orders.pk}/notes", {}, {"text": "hi"}, client=client)
    assert refused.status_code == 403
    assert not Message.objects.filter(direction=Direction.NOTE).exists()


def test_a_customer_or_anonymous_session_is_not_an_agent(db):
    from django.contrib.auth.models import User

    client = Client()
    client.force_login(User.objects.create_user("someone", password="x" * 12))
    assert call("get", "/me", {}, client=client).status_code == 401
    assert call("get", "/conversations", {}).status_code == 401


# --- what they may see and do ----------------------------------------------------------------


def test_another_teams_conversation_and_customer_are_404(orders):
    outsider = make_agent("outsider", teams=[make_team("Billing")])
    headers = bearer(outsider)
    assert call("get", f"/conversations/{orders.pk}", headers).status_code == 404
    assert call("get", f"/customers/{orders.customer_id}", headers).status_code == 404
    for path, body in [
        (f"/conversations/{orders.pk}/replies", {"text": "hi"}),
        (f"/conversations/{orders.pk}/notes", {"text": "hi"}),
        (f"/conversations/{orders.pk}/assign", {"assignee_id": None}),
    ]:
        assert call("post", path, headers, body).status_code == 404
    assert call("patch", f"/conversations/{orders.pk}", headers, {"tags": ["x"]}).status_code == 404
    assert call("get", "/conversations", headers).json() == []
    assert call("get", "/customers", headers).json() == []


def test_a_light_agent_reads_and_notes_but_does_not_reply(team, orders):
    light = make_agent("light", role=Role.LIGHT_AGENT, teams=[team])
    headers = bearer(light)
    assert call("get", f"/conversations/{orders.pk}", headers).status_code == 200
    assert (
        call("post", f"/conversations/{orders.pk}/notes", headers, {"text": "fyi"}).status_code
        == 201
    )
    refused = call("post", f"/conversations/{orders.pk}/replies", headers, {"text": "hi"})
    assert refused.status_code == 403 and "reply" in refused.json()["detail"]
    assert (
        call("patch", f"/conversations/{orders.pk}", headers, {"status": "solved"}).status_code
        == 403
    )
    assert (
        call("post", "/conversations", headers, {"email": "a@example.com", "text": "x"}).status_code
        == 403
    )
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()


# --- strict input: privileged fields are refused by name -------------------------------------

PRIVILEGED = {
    "author": 1,
    "author_id": 1,
    "team": 1,
    "team_id": 1,
    "assignee": 1,
    "organization": 1,
    "organization_id": 1,
    "owner": 1,
    "role": "admin",
    "is_staff": True,
    "customer_id": 1,
    "direction": "inbound",
    "delivery": "sent",
}


@pytest.mark.parametrize("field", sorted(PRIVILEGED))
def test_privileged_fields_are_refused_on_every_writable_endpoint(field, agent, orders):
    stranger = make_agent("stranger", teams=[make_team("Elsewhere")])
    organization = Organization.objects.create(name="Other Co")
    value = {"team": stranger.pk, "owner": stranger.pk}.get(field, PRIVILEGED[field])
    headers = bearer(agent)
    writes = [
        ("post", "/conversations", {"email": "new@example.com", "text": "Hello"}),
        ("post", f"/conversations/{orders.pk}/replies", {"text": "We are on it."}),
        ("post", f"/conversations/{orders.pk}/notes", {"text": "Checked."}),
        ("patch", f"/conversations/{orders.pk}", {"tags": ["vip"]}),
        ("post", f"/conversations/{orders.pk}/assign", {"assignee_id": agent.pk}),
        ("patch", f"/customers/{orders.customer_id}", {"preferred_name": "May"}),
    ]
    before = (Message.objects.count(), Event.objects.count(), Conversation.objects.count())
    for method, path, body in writes:
        response = call(method, path, headers, {**body, field: value})
        assert response.status_code == 422, (path, response.content)
        assert field in json.dumps(response.json())
    assert (Message.objects.count(), Event.objects.count(), Conversation.objects.count()) == before
    orders.refresh_from_db()
    customer = Customer.objects.get(pk=orders.customer_id)
    assert customer.organization_id != organization.pk and customer.owner_id is None
    assert customer.preferred_name == ""


@pytest.mark.parametrize(
    "body, status",
    [
        ("not json", 400),
        ("[]", 422),
        ({"text": ""}, 422),
        ({"text": "x" * 100_001}, 422),
        ({"text": 7}, 422),
        ({"text": "ok", "status": "deleted"}, 422),
    ],
)
def test_bad_reply_payloads_get_clear_errors(body, status, agent, orders):
    response = call("post", f"/conversations/{orders.pk}/replies", bearer(agent), body)
    assert response.status_code == status
    assert "detail" in response.json()
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()


@pytest.mark.parametrize(
    "body, expected",
    [
        ({"email": "not an address", "text": "Hi"}, "valid email"),
        ({"email": "a@example.com\r\nBcc: x@example.com", "text": "Hi"}, "valid email"),
        ({"email": "a@example.com", "name": "Eve\r\nBcc: x@example.com", "text": "Hi"}, "line"),
    ],
)
def test_a_new_conversation_refuses_header_tricks(body, expected, agent):
    response = call("post", "/conversations", bearer(agent), body)
    assert response.status_code == 400 and expected in response.json()["detail"]
    assert not Conversation.objects.exists()


def test_impossible_status_changes_are_400_and_nothing_changes(agent, orders):
    headers = bearer(agent)
    path = f"/conversations/{orders.pk}"
    refused = call("patch", path, headers, {"status": "closed"})  # new → closed: not allowed
    assert refused.status_code == 400 and "cannot go from new to closed" in refused.json()["detail"]
    assert call("patch", path, headers, {"status": "solved"}).json()["status"] == "solved"
    assert call("patch", path, headers, {"status": "closed"}).json()["status"] == "closed"
    late = call("post", f"{path}/replies", headers, {"text": "hi"})
    assert late.status_code == 400 and "closed" in late.json()["detail"]
    naive = call("patch", path, headers, {"snoozed_until": "2030-01-01T09:00"})
    assert naive.status_code == 400 and "time zone" in naive.json()["detail"]
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()


def test_assigning_outside_the_team_is_refused(agent, orders):
    stranger = make_agent("stranger", teams=[make_team("Elsewhere")])
    response = call(
        "post", f"/conversations/{orders.pk}/assign", bearer(agent), {"assignee_id": stranger.pk}
    )
    assert response.status_code == 403
    orders.refresh_from_db()
    assert orders.assignee_id is None


def test_history_cannot_be_edited_or_deleted_through_the_api(agent, orders):
    headers = bearer(agent)
    message = orders.messages.get()
    for method in ("put", "patch", "delete"):
        response = call(
            method, f"/conversations/{orders.pk}/messages/{message.pk}", headers, {"text": "x"}
        )
        assert response.status_code in (404, 405)
        assert (
            call(method, f"/conversations/{orders.pk}/replies", headers, {"text": "x"}).status_code
            == 405
        )
    assert call("delete", f"/conversations/{orders.pk}", headers).status_code == 405
    message.refresh_from_db()
    assert message.text_full == "Hello, my order has not arrived."


# --- the happy path ---------------------------------------------------------------------------


def test_an_integration_files_a_message_replies_and_tidies_up(settings, agent, team):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    headers = bearer(agent)
    created = call(
        "post",
        "/conversations",
        headers,
        {"email": "Sam@Example.com", "name": "Sam Okafor", "text": "My parcel is lost.\nOrder 12."},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["subject"] == "My parcel is lost." and body["channel"] == "web"
    assert body["messages"][0]["text"].startswith("My parcel is lost.")
    conversation = Conversation.objects.get(pk=body["id"])
    conversation.team = team
    conversation.save()

    reply = call(
        "post",
        f"/conversations/{conversation.pk}/replies",
        headers,
        {
            "text": "Hi Sam, I will call the courier and write back by 3 pm today.",
            "status": "pending",
        },
    )
    assert reply.status_code == 201, reply.content
    assert reply.json()["direction"] == "outbound" and reply.json()["author"] == agent.display_name
    patched = call(
        "patch",
        f"/conversations/{conversation.pk}",
        headers,
        {"tags": ["Courier", "lost-parcel"], "snoozed_until": "2030-01-01T09:00:00+00:00"},
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["tags"] == ["courier", "lost-parcel"]
    assert patched.json()["status"] == "pending"
    mine = call(
        "post", f"/conversations/{conversation.pk}/assign", headers, {"assignee_id": agent.pk}
    )
    assert mine.json()["assignee"] == agent.display_name

    listed = call("get", "/conversations?mine=true&status=pending", headers).json()
    assert [c["id"] for c in listed] == [conversation.pk]
    by_agent = Event.objects.filter(conversation=conversation, actor=agent.user)
    assert set(by_agent.values_list("kind", flat=True)) >= {
        "message.replied",
        "conversation.tagged",
        "conversation.snoozed",
        "conversation.assigned",
    }


def test_customers_are_found_read_and_updated_with_events(agent, orders):
    headers = bearer(agent)
    found = call("get", "/customers?q=maya@exa", headers).json()
    assert [c["id"] for c in found] == [orders.customer_id]
    assert found[0]["identities"] == ["email:maya@example.com"]
    assert call("get", "/customers?q=nobody", headers).json() == []
    patched = call(
        "patch",
        f"/customers/{orders.customer_id}",
        headers,
        {"preferred_name": "  May  ", "needs": "A call, not e-mail", "vip": True},
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["preferred_name"] == "May" and patched.json()["vip"] is True
    event = Event.objects.get(kind="customer.updated")
    assert event.actor == agent.user and set(event.data["changes"]) == {
        "preferred_name",
        "needs",
        "vip",
    }


def test_lists_page_by_id_and_cap_their_size(agent, team):
    customer = make_customer("many@example.com")
    ids = [make_conversation(customer, team=team).pk for _ in range(5)]
    headers = bearer(agent)
    first = call("get", "/conversations?limit=2", headers).json()
    assert [c["id"] for c in first] == ids[::-1][:2]
    second = call("get", f"/conversations?limit=2&before={first[-1]['id']}", headers).json()
    assert [c["id"] for c in second] == ids[::-1][2:4]
    assert len(call("get", "/conversations?limit=100000", headers).json()) == 5


def test_query_count_does_not_grow_with_the_page(agent, team):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    customer = make_customer("many@example.com")
    headers = bearer(agent)
    counts = []
    # One clock for the whole test: a new minute would start a new rate-limit count (and touch
    # the token's last use) in one of the two requests only.
    with time_machine.travel(timezone.now().replace(second=5), tick=False):
        call("get", "/me", headers)  # the token's first use of this minute starts its count
        for size in (2, 30):
            while Conversation.objects.count() < size:
                make_conversation(customer, team=team)
            with CaptureQueriesContext(connection) as queries:
                assert len(call("get", f"/conversations?limit={size}", headers).json()) == size
            counts.append(len(queries))
    assert counts[0] == counts[1] <= 14, counts


# --- rate limits --------------------------------------------------------------------------------


def test_a_token_over_its_limit_gets_429_with_retry_after(settings, agent):
    settings.API_REQUESTS_PER_MINUTE = 3
    headers = bearer(agent)
    other = bearer(agent)
    codes = [call("get", "/me", headers).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = call("get", "/me", headers)
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "too many requests" in refused.json()["detail"]
    assert call("get", "/me", other).status_code == 200  # each token has its own count


def test_the_token_page_shows_a_token_once_and_revokes_it(agent):
    client = Client()
    client.force_login(agent.user)
    page = client.post("/api-tokens/", {"name": "Shop integration"})
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    secret = page.context["issued"].secret
    assert secret in page.content.decode()
    assert secret not in client.get("/api-tokens/").content.decode()
    assert call("get", "/me", {"Authorization": f"Bearer {secret}"}).status_code == 200
    token = ApiToken.objects.get()
    assert client.post(f"/api-tokens/{token.pk}/revoke").status_code == 302
    assert call("get", "/me", {"Authorization": f"Bearer {secret}"}).status_code == 401
    assert client.post("/api-tokens/", {"name": "   "}).status_code == 302
    assert ApiToken.objects.count() == 1


def test_an_agent_cannot_revoke_someone_elses_token(agent):
    other = make_agent("other")
    issue_token(None, other, "theirs")
    client = Client()
    client.force_login(agent.user)
    assert client.post(f"/api-tokens/{ApiToken.objects.get().pk}/revoke").status_code == 404
    assert ApiToken.objects.get().revoked_at is None


def test_the_command_makes_and_revokes_tokens(agent, capsys):
    from django.core.management import CommandError, call_command

    call_command("apitoken", agent.user.username, "Nightly sync", "--days", "7")
    secret = capsys.readouterr().out.strip()
    token = check_token(secret)
    assert token.name == "Nightly sync" and (token.expires_at - token.created_at).days == 7
    call_command("apitoken", "--revoke", token.key_id)
    assert check_token(secret) is None
    with pytest.raises(CommandError, match="no active agent"):
        call_command("apitoken", "nobody", "x")
    with pytest.raises(CommandError, match="at least one day"):
        call_command("apitoken", agent.user.username, "x", "--days", "0")
