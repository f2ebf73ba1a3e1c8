"""The widget's JSON API over Django's test client: bad input first, then the happy path."""

from __future__ import annotations

import uuid

import pytest
from django.core import mail, signing

from regard.accounts.choices import Availability
from regard.channels.chat import limits
from regard.channels.chat.identity import sign_identity
from regard.channels.chat.models import ChatSession
from regard.conversations.actions import send_reply
from regard.conversations.choices import Delivery, Direction
from regard.conversations.models import Conversation, Event, Message
from regard.customers.choices import Channel, IdentityKind
from tests.channels.chat.helpers import ORIGIN, call, start
from tests.factories import make_customer


def unique_address() -> str:
    return f"ana-{uuid.uuid4().hex[:12]}@example.com"


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("chat_settings")]


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["messages", "typing", "offline", "transcript"])
def test_every_call_but_start_needs_a_visitor_token(client, name):
    response = call(client, name, {"text": "hi", "typing": True, "email": "a@example.com"})
    assert response.status_code == 401
    assert "token" in response.json()["error"]


def test_a_tampered_or_foreign_token_is_refused(client):
    token = start(client)["token"]
    for bad in [token[:-2] + "xx", signing.dumps({"s": 1, "n": "x"}, salt="other"), "nonsense"]:
        response = call(client, "messages", {"text": "hi"}, token=bad)
        assert response.status_code == 401, bad
    assert not Message.objects.exists()


def test_a_token_whose_session_was_revoked_is_refused(client):
    token = start(client)["token"]
    ChatSession.objects.update(nonce="revoked")
    assert call(client, "messages", {"text": "hi"}, token=token).status_code == 401


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("{not json", 400),
        ("[1, 2]", 400),
        ({"text": 42}, 400),
        ({"text": ""}, 400),
        ({"text": "   "}, 400),
        ({}, 400),
        ({"text": "x" * 5001}, 413),
        ("{" + " " * 70_000 + "}", 413),
    ],
)
def test_wrong_messages_are_refused_with_a_json_error(client, body, status):
    token = start(client)["token"]
    response = call(client, "messages", body, token=token)
    assert response.status_code == status
    assert response.json()["error"]
    assert not Message.objects.exists()


def test_wrong_start_payloads_are_refused(client):
    assert call(client, "start", {"name": ["Ana"]}).status_code == 400
    assert call(client, "start", {"email": "not an address"}).status_code == 400
    assert call(client, "start", {"name": "x" * 201}).status_code == 413
    assert not ChatSession.objects.exists()


def test_typing_must_be_a_boolean_and_after_a_number(client):
    token = start(client)["token"]
    assert call(client, "typing", {"typing": "yes"}, token=token).status_code == 400
    response = call(client, "messages", {"after": "1 OR 1=1"}, token=token, method="get")
    assert response.status_code == 400


def test_wrong_methods_are_refused(client):
    token = start(client)["token"]
    response = call(client, "typing", token=token, method="get")
    assert response.status_code == 405


def test_too_many_messages_are_refused(client, monkeypatch):
    monkeypatch.setattr(limits, "MESSAGES_PER_VISITOR", ("chat-message-test", 2, 60))
    token = start(client)["token"]
    codes = [call(client, "messages", {"text": f"hi {i}"}, token=token).status_code for i in "123"]
    assert codes == [201, 201, 429]
    assert Message.objects.count() == 2


def test_a_tampered_or_expired_identity_makes_an_anonymous_visitor(client):
    real = sign_identity("ana@example.com", "Ana", secret="host-site-secret")
    expired = sign_identity("ana@example.com", "Ana", secret="host-site-secret", ttl=-1)
    forged = sign_identity("ana@example.com", "Ana", secret="guessed")
    for token in [real[:-1] + ("0" if real[-1] != "0" else "1"), expired, forged]:
        data = start(client, identity=token)
        assert (data["identity"], data["known"]) == ("refused", False)
    assert not ChatSession.objects.filter(identity__kind=IdentityKind.EMAIL).exists()


def test_a_signed_identity_that_is_no_address_is_refused(client):
    token = sign_identity("not an address", "Ana", secret="host-site-secret")
    assert start(client, identity=token)["identity"] == "refused"


def test_an_identity_without_a_configured_secret_is_refused(client, settings):
    token = sign_identity("ana@example.com", "Ana", secret="host-site-secret")
    settings.CHAT_IDENTITY_SECRET = ""
    assert start(client, identity=token)["identity"] == "refused"


def test_cors_answers_only_the_embedding_origins(client, settings):
    allowed = call(client, "start", {})
    assert allowed["Access-Control-Allow-Origin"] == ORIGIN
    assert "Access-Control-Allow-Credentials" not in allowed
    other = call(client, "start", {}, Origin="https://evil.example")
    assert "Access-Control-Allow-Origin" not in other
    own = call(client, "start", {}, Origin=settings.BASE_URL)  # Regard's pages, streams elsewhere
    assert own["Access-Control-Allow-Origin"] == settings.BASE_URL


def test_a_preflight_is_answered_for_an_allowed_origin(client):
    response = client.options(
        "/chat/messages",
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"},
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert "Authorization" in response["Access-Control-Allow-Headers"]


def test_any_origin_is_echoed_when_every_site_may_embed(client, settings):
    settings.EMBED_ORIGINS = ["*"]
    response = call(client, "start", {}, Origin="https://anywhere.example")
    assert response["Access-Control-Allow-Origin"] == "https://anywhere.example"


# --- the happy path -----------------------------------------------------------------------------


def test_start_gives_a_token_the_stream_and_whether_someone_is_online(client, agent, team):
    team.receives_new = True
    team.save()
    data = start(client, name="Ana")
    assert data["visitor"] == {"name": "Ana"}
    assert (data["known"], data["identity"], data["online"]) == (False, "none", True)
    assert data["team"] == {"name": "Orders"}
    assert data["stream"] == "http://streams.example/chat/stream"
    assert (data["conversation"], data["messages"]) == (None, [])
    agent.availability = Availability.AWAY
    agent.save()
    assert start(client)["online"] is False


def test_the_first_message_opens_a_chat_conversation_with_the_customer(client):
    data = start(client, name="Ana")
    response = call(
        client, "messages", {"text": "Where is my parcel? It is late."}, token=data["token"]
    )
    assert response.status_code == 201
    message = response.json()
    assert (message["direction"], message["author"]) == ("in", None)
    conversation = Conversation.objects.get()
    assert conversation.channel == Channel.CHAT
    assert conversation.subject == "Where is my parcel? It is late."
    assert conversation.customer.display_name == "Ana"
    assert conversation.customer.identities.get().kind == IdentityKind.CHAT
    assert conversation.waiting_since is not None  # the service clock runs as for e-mail
    assert Event.objects.filter(conversation=conversation, kind="chat.started").exists()
    call(client, "messages", {"text": "Order 1234"}, token=data["token"])
    assert Conversation.objects.count() == 1
    resumed = start(client, token=data["token"])
    assert resumed["conversation"] == conversation.pk
    assert [m["text"] for m in resumed["messages"]] == [
        "Where is my parcel? It is late.",
        "Order 1234",
    ]


def test_a_known_visitor_is_recognised_as_the_customer(client):
    customer = make_customer("ana@example.com", "Ana Diaz")
    token = sign_identity("ANA@example.com", "Ana Diaz", secret="host-site-secret")
    data = start(client, identity=token)
    assert (data["known"], data["identity"]) == (True, "accepted")
    call(client, "messages", {"text": "Hello"}, token=data["token"])
    assert Conversation.objects.get().customer == customer


def test_an_email_given_at_start_finds_the_customer(client):
    customer = make_customer("ana@example.com", "Ana Diaz")
    data = start(client, email="ana@example.com")
    assert data["known"] is False  # not vouched for by the host site
    call(client, "messages", {"text": "Hello"}, token=data["token"])
    assert Conversation.objects.get().customer == customer


def test_an_agent_reply_goes_to_the_stream_not_to_a_mailbox(
    client, agent, monkeypatch, django_capture_on_commit_callbacks
):
    published = []
    monkeypatch.setattr(
        "regard.channels.chat.delivery.publish",
        lambda session_id, event, data, event_id=None: published.append((session_id, event, data)),
    )
    data = start(client, name="Ana", email="ana@example.com")
    call(client, "messages", {"text": "Hello"}, token=data["token"])
    conversation = Conversation.objects.get()
    published.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reply = send_reply(agent.user, conversation, "Hi Ana, it leaves today.")
    reply.refresh_from_db()
    assert reply.delivery == Delivery.SENT
    assert mail.outbox == []
    session_id = ChatSession.objects.get().pk
    events = [(s, e, d["id"], d["author"]) for s, e, d in published]
    # once on commit (fast), once more by the delivery task: the stream drops the repeat
    assert (
        events == [(session_id, "message", reply.pk, {"name": "Dana Reyes", "initials": "DR"})] * 2
    )
    caught_up = call(client, "messages", {"after": "0"}, token=data["token"], method="get")
    assert [m["direction"] for m in caught_up.json()["messages"]] == ["in", "out"]


def test_notes_never_reach_the_visitor(client, agent):
    from regard.conversations.actions import add_note

    data = start(client)
    call(client, "messages", {"text": "Hello"}, token=data["token"])
    add_note(agent.user, Conversation.objects.get(), "Internal: VIP?")
    got = call(client, "messages", {"after": "0"}, token=data["token"], method="get").json()
    assert [m["text"] for m in got["messages"]] == ["Hello"]


def test_offline_becomes_an_email_conversation(client, agent):
    data = start(client, name="Ana")
    body = {"email": "ana@example.com", "name": "Ana", "text": "Call me back please."}
    response = call(client, "offline", body, token=data["token"])
    assert response.status_code == 201
    conversation = Conversation.objects.get(pk=response.json()["conversation"])
    assert conversation.channel == Channel.EMAIL
    message = conversation.messages.get()
    assert (message.sender.kind, message.sender.value) == (IdentityKind.EMAIL, "ana@example.com")
    reply = send_reply(agent.user, conversation, "Hi Ana, calling at 3.")
    from regard.conversations.delivery import deliver

    deliver(Message.objects.get(pk=reply.pk))
    assert mail.outbox[0].to == ["ana@example.com"]


def test_offline_needs_an_address_and_a_message(client):
    token = start(client)["token"]
    assert call(client, "offline", {"text": "hi"}, token=token).status_code == 400
    assert call(client, "offline", {"email": "a@example.com"}, token=token).status_code == 400


def test_the_transcript_is_mailed_with_who_said_what(client, agent):
    address = unique_address()  # the per-address limit lives in Redis across runs
    data = start(client, name="Ana")
    call(client, "messages", {"text": "Where is my parcel?"}, token=data["token"])
    send_reply(agent.user, Conversation.objects.get(), "It leaves today.")
    assert call(client, "transcript", {}, token=data["token"]).status_code == 400  # no address
    response = call(client, "transcript", {"email": address}, token=data["token"])
    assert response.status_code == 202
    assert response.json() == {"sent_to": address}
    sent = mail.outbox[-1]
    assert sent.to == [address]
    assert "Ana, " in sent.body and "Where is my parcel?" in sent.body
    assert "Dana Reyes, " in sent.body and "It leaves today." in sent.body
    assert Event.objects.filter(kind="chat.transcript", data__sent_to=address).exists()


def test_a_known_visitor_gets_the_transcript_without_typing_an_address(client, monkeypatch):
    address = unique_address()
    monkeypatch.setattr(limits, "TRANSCRIPT_PER_VISITOR", ("chat-transcript-test", 1, 3600))
    token = sign_identity(address, "Ana", secret="host-site-secret")
    data = start(client, identity=token)
    response = call(client, "transcript", {}, token=data["token"])
    assert response.json() == {"sent_to": address}
    assert call(client, "transcript", {}, token=data["token"]).status_code == 429
    assert len(mail.outbox) == 1


def test_visitor_typing_shows_in_the_agent_s_conversation_view(client, agent):
    data = start(client, name="Ana")
    call(client, "messages", {"text": "Hello"}, token=data["token"])
    conversation = Conversation.objects.get()
    assert call(client, "typing", {"typing": True}, token=data["token"]).status_code == 204
    client.force_login(agent.user)
    page = client.post(f"/conversations/{conversation.pk}/presence")
    assert "Ana is typing" in page.content.decode()
    call(client, "typing", {"typing": False}, token=data["token"])
    page = client.post(f"/conversations/{conversation.pk}/presence")
    assert "is typing" not in page.content.decode()


def test_the_inbound_message_is_from_the_visitor_identity(client):
    data = start(client, name="Ana")
    call(client, "messages", {"text": "Hello"}, token=data["token"])
    message = Message.objects.get()
    assert message.direction == Direction.INBOUND
    assert message.sender == ChatSession.objects.get().identity


def test_the_agent_sees_the_chat_in_the_workspace_like_any_conversation(client, agent):
    data = start(client, name="Ana")
    call(client, "messages", {"text": "Where is my parcel?"}, token=data["token"])
    conversation = Conversation.objects.get()
    client.force_login(agent.user)
    page = client.get(f"/conversations/{conversation.pk}/").content.decode()
    assert "Where is my parcel?" in page and "Chat" in page
    inbox = client.get("/?view=unassigned&channel=chat").content.decode()
    assert f"#{conversation.pk} · Chat" in inbox


def test_a_chat_after_a_merge_lands_on_the_merged_customer(client, supervisor):
    from regard.customers.actions import merge_customers

    data = start(client, name="Ana")
    anonymous = ChatSession.objects.get().customer
    known = make_customer("ana@example.com", "Ana Diaz")
    merge_customers(supervisor.user, anonymous, known)
    call(client, "messages", {"text": "Hello again"}, token=data["token"])
    assert Conversation.objects.get().customer == known
