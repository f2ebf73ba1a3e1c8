"""Events recorded by Regard's actions become webhook deliveries, after their transaction."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from django.db import transaction

from regard.conversations import actions
from regard.conversations.models import Event
from regard.hooks.choices import DeliveryState
from regard.hooks.dispatch import on_event
from regard.hooks.models import Webhook, WebhookDelivery
from tests.factories import make_conversation


@pytest.fixture
def receiver(settings, immediate_tasks, receivers):
    receiver = receivers()
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOWED_HOSTS = [f"127.0.0.1:{receiver.port}"]
    return receiver


def test_a_note_added_by_an_agent_reaches_the_webhook_with_ids_but_not_its_text(
    agent, receiver, django_capture_on_commit_callbacks
):
    webhook = Webhook.objects.create(name="CRM", url=receiver.url, events=["message.noted"])
    conversation = make_conversation(text="My card number is 4111 1111 1111 1111")

    with django_capture_on_commit_callbacks(execute=True):
        actions.add_note(agent.user, conversation, "Customer is upset about the card.")

    event = Event.objects.get(kind="message.noted")
    [request] = receiver.received
    assert json.loads(request.body)["event"] == {
        "id": event.pk,
        "kind": "message.noted",
        "created_at": event.created_at.isoformat(),
        "conversation_id": conversation.pk,
        "customer_id": conversation.customer_id,
        "link": f"/conversations/{conversation.pk}/",
    }
    assert b"upset" not in request.body and b"4111" not in request.body
    delivery = webhook.deliveries.get()
    assert (delivery.kind, delivery.state) == ("message.noted", DeliveryState.DELIVERED)


def test_a_webhook_gets_only_the_kinds_it_asked_for_and_every_kind_when_it_named_none(
    agent, receiver, django_capture_on_commit_callbacks
):
    notes = Webhook.objects.create(name="Notes", url=receiver.url, events=["message.noted"])
    everything = Webhook.objects.create(name="All", url=receiver.url)
    Webhook.objects.create(name="Off", url=receiver.url, active=False)

    with django_capture_on_commit_callbacks(execute=True):
        conversation = make_conversation()

    kinds = set(Event.objects.values_list("kind", flat=True))
    assert "conversation.opened" in kinds
    assert not notes.deliveries.exists()
    assert set(everything.deliveries.values_list("kind", flat=True)) == kinds
    assert WebhookDelivery.objects.count() == len(receiver.received) == Event.objects.count()
    sent = [json.loads(r.body)["event"] for r in receiver.received]
    assert {e["customer_id"] for e in sent} == {conversation.customer_id}
    assert {e["conversation_id"] for e in sent} <= {conversation.pk, None}


def test_an_event_rolled_back_is_never_announced(db, receiver, django_capture_on_commit_callbacks):
    Webhook.objects.create(name="CRM", url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                on_event("conversation.opened", {"id": 1})
                raise RuntimeError("the action failed")
        except RuntimeError:
            pass
    assert callbacks == [] and not WebhookDelivery.objects.exists()


def test_a_webhook_that_cannot_be_queued_does_not_fail_the_action(
    agent, receiver, django_capture_on_commit_callbacks, monkeypatch
):
    Webhook.objects.create(name="CRM", url=receiver.url)
    conversation = make_conversation()

    def broken(*args, **kwargs):
        raise ConnectionError("task queue down")

    monkeypatch.setattr("regard.hooks.tasks.deliver_webhook", SimpleNamespace(enqueue=broken))
    with django_capture_on_commit_callbacks(execute=True):
        note = actions.add_note(agent.user, conversation, "Checked the parcel.")
    assert note.pk and receiver.received == []


def test_without_webhooks_recording_events_asks_the_database_once_in_a_while(db, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from regard.conversations.events import record_event
    from regard.hooks import dispatch

    dispatch.forget_active_webhooks()
    with CaptureQueriesContext(connection) as queries:
        for n in range(5):
            record_event("test.event", n=n)
    asked = [q["sql"] for q in queries if "hooks_webhook" in q["sql"]]
    assert len(asked) == 1 and len(queries) == 6  # five inserts and one look

    # One added elsewhere (another process, no save() here) is seen once the check is due.
    Webhook.objects.bulk_create([Webhook(name="Elsewhere", url="https://example.com/")])
    assert not dispatch.any_active_webhook()
    monkeypatch.setattr(dispatch, "CHECK_EVERY_SECONDS", -1.0)
    assert dispatch.any_active_webhook()
