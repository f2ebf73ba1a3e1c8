"""What a signed-in customer sees and does: promises with due dates in their time zone, incident
updates, replies (also to a closed conversation), preferences."""

from __future__ import annotations

import zoneinfo
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from regard.commitments.models import Commitment
from regard.conversations.actions import change_status, send_reply
from regard.conversations.models import Event, Message
from regard.customers.models import Customer
from regard.incidents import actions as incident_actions
from regard.incidents import broadcast
from regard.incidents.tasks import deliver_update_batch
from tests.factories import make_conversation, make_customer
from tests.incidents.factories import declare
from tests.portal.conftest import sign_in

pytestmark = pytest.mark.django_db
HOME = "/portal/"
PROMISE = "I'll send you the refund confirmation by Friday 3pm."


def shown(moment, zone: str) -> str:
    local = timezone.localtime(moment, zoneinfo.ZoneInfo(zone))
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M}"


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "x" * 20_001])
def test_an_empty_or_oversized_reply_is_refused(alice_client, alice_conversation, text):
    url = reverse("portal:conversation", args=[alice_conversation.pk])
    response = alice_client.post(url, {"text": text})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert alice_conversation.messages.count() == 1


@pytest.mark.parametrize(
    "changes",
    [{"preferred_channel": "pigeon"}, {"language": "klingon"}, {"preferred_name": "x" * 121}],
)
def test_bad_preferences_are_refused_and_nothing_changes(alice_client, alice, changes):
    response = alice_client.post(reverse("portal:preferences"), changes)
    assert response.status_code == 400
    alice.refresh_from_db()
    assert alice.preferred_name == "Ali" and alice.preferred_channel == "" and alice.language == ""


def test_a_reply_is_escaped_not_rendered(alice_client, alice_conversation):
    url = reverse("portal:conversation", args=[alice_conversation.pk])
    alice_client.post(url, {"text": "<script>alert(1)</script><b>bold</b>"})
    page = alice_client.get(url).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- happy paths -----------------------------------------------------------------------------


def test_the_overview_shows_the_agents_promise_with_its_due_date_in_their_time_zone(
    client, agent, alice, alice_conversation
):
    alice.time_zone = "America/New_York"
    alice.save()
    send_reply(agent.user, alice_conversation, f"Hi Ali, sorry about that. {PROMISE}")
    promise = Commitment.objects.get()
    sign_in(client, alice)
    page = client.get(HOME).content.decode()
    assert "We promised:" in page and "refund confirmation" in page
    assert "due <time datetime=" in page
    assert shown(promise.due_at, "America/New_York") in page
    assert shown(promise.due_at, "UTC") not in page


def test_a_kept_promise_is_no_longer_listed(client, agent, alice, alice_conversation):
    from regard.commitments.actions import keep_commitment

    send_reply(agent.user, alice_conversation, PROMISE)
    keep_commitment(agent.user, Commitment.objects.get(), "sent it")
    sign_in(client, alice)
    page = client.get(HOME).content.decode()
    assert "refund confirmation" not in page and "No open promises" in page


def test_open_conversations_come_before_closed_ones(client, agent, alice):
    old = make_conversation(alice, subject="Old matter")
    make_conversation(alice, subject="Current matter")
    later = make_conversation(alice, subject="Solved matter")
    change_status(agent.user, later, "solved")
    sign_in(client, alice)
    page = client.get(HOME).content.decode()
    assert page.index("Current matter") < page.index("Old matter") < page.index("Solved matter")
    assert "Received — we will answer soon" in page and ">Solved matter</a>" in page
    assert old.pk


def test_a_reply_joins_the_conversation_as_their_message_on_the_web(
    alice_client, alice, alice_conversation
):
    url = reverse("portal:conversation", args=[alice_conversation.pk])
    response = alice_client.post(url, {"text": "Any news on the kettle?"})
    assert response.status_code == 302 and response["Location"] == url
    message = alice_conversation.messages.order_by("id").last()
    assert message.text_full == "Any news on the kettle?"
    assert message.direction == "inbound" and message.channel == "web"
    assert message.sender.customer_id == alice.pk
    assert "Any news on the kettle?" in alice_client.get(url).content.decode()


def test_a_reply_to_a_closed_conversation_goes_to_its_follow_up(
    alice_client, agent, alice_conversation
):
    change_status(agent.user, alice_conversation, "solved")
    change_status(agent.user, alice_conversation, "closed")
    url = reverse("portal:conversation", args=[alice_conversation.pk])
    assert "your reply starts a new one" in alice_client.get(url).content.decode()
    response = alice_client.post(url, {"text": "It leaks again."})
    follow_up = Message.objects.get(text_full="It leaks again.").conversation
    assert follow_up.linked_from_id == alice_conversation.pk
    assert response["Location"] == reverse("portal:conversation", args=[follow_up.pk])
    assert alice_client.get(response["Location"]).status_code == 200


def test_preferences_are_saved_with_an_event_on_their_timeline(alice_client, alice):
    response = alice_client.post(
        reverse("portal:preferences"),
        {
            "preferred_name": "Alice",
            "language": "fr",
            "preferred_channel": "chat",
            "no_surveys": "on",
            "no_marketing": "on",
        },
    )
    assert response.status_code == 200 and "Saved" in response.content.decode()
    alice = Customer.objects.get(pk=alice.pk)
    assert (alice.preferred_name, alice.language, alice.preferred_channel) == (
        "Alice",
        "fr",
        "chat",
    )
    assert alice.no_surveys and alice.no_marketing
    changes = {}
    for event in Event.objects.filter(kind="customer.updated", customer=alice):
        changes.update(event.data["changes"])
        assert event.actor is None
    assert set(changes) == {
        "preferred_name",
        "language",
        "preferred_channel",
        "no_surveys",
        "no_marketing",
    }
    alice_client.post(reverse("portal:preferences"), {"preferred_name": "Alice", "language": "fr"})
    alice.refresh_from_db()
    assert not alice.no_surveys and not alice.no_marketing and alice.preferred_channel == ""


def test_preferences_keep_a_language_the_list_does_not_offer(alice_client, alice):
    alice.language = "en-x-pirate"
    alice.save()
    page = alice_client.get(reverse("portal:preferences")).content.decode()
    assert 'value="en-x-pirate" selected' in page


def test_incident_updates_sent_to_them_are_listed_and_others_are_not(
    settings, client, supervisor, alice, bob
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    incident = declare(supervisor, title="Card payments failing")
    incident_actions.link_customer(supervisor.user, incident, customer=alice)
    update = broadcast.queue_update(
        supervisor.user,
        incident,
        "We found the cause and are rolling out the fix.",
        next_update_due_at=timezone.now() + timedelta(hours=2),
    )
    ids = list(update.deliveries.values_list("pk", flat=True))
    deliver_update_batch.call(update.pk, min(ids), max(ids))
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]
    sign_in(client, alice)
    page = client.get(HOME).content.decode()
    assert "Card payments failing" in page and "rolling out the fix" in page
    assert "Next update by" in page
    sign_in(client, bob)
    assert "Card payments failing" not in client.get(HOME).content.decode()


def test_the_overview_has_a_stable_number_of_queries(
    client, agent, alice, django_assert_max_num_queries
):
    for i in range(5):
        conversation = make_conversation(alice, subject=f"Matter {i}")
        send_reply(agent.user, conversation, PROMISE)
    make_customer("someone@example.com")
    sign_in(client, alice)
    with django_assert_max_num_queries(12):
        assert client.get(HOME).status_code == 200
