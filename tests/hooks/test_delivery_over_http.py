"""Deliveries over real HTTP to receivers on loopback, let through by the admin's allow-list."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import time

import pytest

from regard.hooks import guard
from regard.hooks.choices import DeliveryState
from regard.hooks.dispatch import queue_deliveries
from regard.hooks.models import Webhook, WebhookDelivery
from regard.system.models import FailedTask

PAYLOAD = {"id": 41, "kind": "conversation.opened", "conversation_id": 7, "customer_id": 3}


@pytest.fixture
def allow(settings, immediate_tasks):
    """Let exactly these host:port pairs through, over plain http (the receivers have no TLS)."""
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOWED_HOSTS = []

    def allow(*receivers):
        settings.WEBHOOK_ALLOWED_HOSTS = [f"{r.host}:{r.port}" for r in receivers]

    return allow


def send_event(url: str) -> WebhookDelivery:
    Webhook.objects.create(name="CRM", url=url)
    assert queue_deliveries("conversation.opened", PAYLOAD) == 1
    return WebhookDelivery.objects.select_related("webhook").get()


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """What a receiver does: recompute the signature and refuse old timestamps."""
    timestamp = headers["X-Regard-Timestamp"]
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    fresh = abs(time.time() - int(timestamp)) < 300
    return fresh and hmac.compare_digest(
        f"sha256={expected.hexdigest()}", headers["X-Regard-Signature"]
    )


def test_a_delivery_arrives_signed_with_the_webhooks_secret(db, allow, receivers):
    receiver = receivers()
    allow(receiver)
    delivery = send_event(receiver.url)

    [request] = receiver.received
    assert verify(delivery.webhook.secret, request.headers, request.body)
    assert not verify("another secret", request.headers, request.body)
    assert json.loads(request.body) == {
        "delivery": delivery.pk,
        "kind": "conversation.opened",
        "event": PAYLOAD,
    }
    assert request.headers["X-Regard-Event"] == "conversation.opened"
    assert request.headers["X-Regard-Delivery"] == str(delivery.pk)
    assert request.headers["Host"] == f"127.0.0.1:{receiver.port}"
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.response_status) == ("delivered", 1, 200)
    assert Webhook.objects.get().last_delivered_at is not None


def test_the_checked_address_is_the_one_connected_to(db, allow, receivers, monkeypatch, settings):
    """DNS rebinding: the name is resolved once, when checked; asking again would give a private
    address, but the connection goes to the checked one and names the host only in Host."""
    receiver = receivers()
    settings.WEBHOOK_ALLOWED_HOSTS = [f"crm.example.com:{receiver.port}"]
    real, asked = socket.getaddrinfo, []

    def rebinding(host, port, *args, **kwargs):
        if host == "crm.example.com":
            asked.append(host)
            address = "127.0.0.1" if len(asked) == 1 else "10.9.9.9"
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(guard.socket, "getaddrinfo", rebinding)
    delivery = send_event(f"http://crm.example.com:{receiver.port}/hook")

    assert asked == ["crm.example.com"]
    assert receiver.received[0].headers["Host"] == f"crm.example.com:{receiver.port}"
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED


@pytest.mark.parametrize(
    ("redirect_to", "reason"),
    [
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://127.0.0.2:{other}/", "127.0.0.2, a loopback address"),
        ("http://localhost:{port}/", "localhost is this machine"),
        ("/../../{other}", None),  # a relative one stays on the allowed receiver: followed
    ],
)
def test_a_redirect_to_a_forbidden_address_is_refused_before_connecting(
    db, allow, receivers, redirect_to, reason
):
    other = receivers("127.0.0.2")
    receiver = receivers(status=302)
    receiver.location = redirect_to.format(other=other.port, port=receiver.port)
    allow(receiver)
    delivery = send_event(receiver.url)

    delivery.refresh_from_db()
    assert other.received == []  # never contacted
    if reason is None:
        assert len(receiver.received) == 4 and delivery.state == DeliveryState.REFUSED
        assert "more than 3 redirects" in delivery.error
        return
    assert len(receiver.received) == 1
    assert delivery.state == DeliveryState.REFUSED and delivery.attempts == 1
    assert reason in delivery.error and "is refused" in delivery.error
    assert Webhook.objects.get().last_error == delivery.error
    assert not FailedTask.objects.exists()  # refused is final: not retried


def test_a_redirect_to_another_allowed_receiver_is_followed_with_the_same_delivery(
    db, allow, receivers
):
    final = receivers("127.0.0.2")
    first = receivers(status=307, location=final.url)
    allow(first, final)
    delivery = send_event(first.url)

    assert len(final.received) == 1
    assert final.received[0].body == first.received[0].body
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED


@pytest.fixture
def queued_tasks(settings):
    """Tasks are queued, not run, so each attempt is run by the test and the retries seen."""
    from django_tasks import default_task_backend

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    return default_task_backend


def run_every_attempt(queued_tasks, delivery_id: int) -> list[dict]:
    """Run the queued delivery and each retry it queues, as a worker would once they are due."""
    from regard.hooks.tasks import deliver_webhook

    retries = []
    while queued_tasks.results:
        queued = queued_tasks.results.pop(0)
        assert queued.args == [delivery_id]
        if queued.kwargs:
            retries.append(queued.kwargs)
        with pytest.raises(Exception, match="answered 500|Connection refused"):
            deliver_webhook.call(*queued.args, **queued.kwargs)
    return retries


def test_a_failing_receiver_is_retried_then_the_delivery_is_kept_as_failed(
    db, allow, receivers, settings, queued_tasks
):
    settings.TASK_ATTEMPTS = 3
    receiver = receivers(status=500)
    allow(receiver)
    delivery = send_event(receiver.url)
    assert receiver.received == []  # queued, not sent yet

    retries = run_every_attempt(queued_tasks, delivery.pk)

    assert retries == [{"_attempt": 2}, {"_attempt": 3}]
    assert len(receiver.received) == 3
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.response_status) == ("failed", 3, 500)
    assert "answered 500" in delivery.error
    assert FailedTask.objects.get().task_path == "regard.hooks.tasks.deliver_webhook"


def test_a_receiver_that_is_down_is_retried(db, allow, settings, queued_tasks):
    settings.TASK_ATTEMPTS = 2
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.WEBHOOK_ALLOWED_HOSTS = [f"127.0.0.1:{port}"]
    delivery = send_event(f"http://127.0.0.1:{port}/hook")

    assert run_every_attempt(queued_tasks, delivery.pk) == [{"_attempt": 2}]
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("failed", 2)
    assert "Connection refused" in delivery.error


@pytest.mark.parametrize("name", ["localhost", socket.gethostname()])
def test_a_name_resolving_to_loopback_is_refused_unless_allow_listed(
    db, allow, receivers, settings, name
):
    if socket.gethostbyname(name) != "127.0.0.1":
        pytest.skip(f"{name} does not resolve to 127.0.0.1 here")
    receiver = receivers()
    allow(receiver)  # 127.0.0.1:<port> is allowed, but not under another name
    delivery = send_event(f"http://{name}:{receiver.port}/hook")
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.REFUSED and receiver.received == []

    settings.WEBHOOK_ALLOWED_HOSTS = [f"{name}:{receiver.port}"]
    WebhookDelivery.objects.all().delete()
    Webhook.objects.all().delete()
    delivery = send_event(f"http://{name}:{receiver.port}/hook")
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED
    assert receiver.received[0].headers["Host"] == f"{name}:{receiver.port}"


def test_a_delivery_whose_webhook_was_deleted_is_left_alone(db):
    from regard.hooks.deliver import deliver

    webhook = Webhook.objects.create(name="Gone", url="https://example.com/hook")
    delivery = WebhookDelivery.objects.create(webhook=webhook, kind="message.noted", payload={})
    webhook.delete()
    assert deliver(delivery.pk) == "gone"
