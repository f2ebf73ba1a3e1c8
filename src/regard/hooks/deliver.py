"""Sending one webhook delivery: a signed JSON POST, and its outcome kept on the delivery.

The signature is HMAC-SHA256, keyed with the webhook's secret, of "<timestamp>.<body>": a
receiver recomputes it, compares in constant time, and refuses timestamps older than a few
minutes, so a captured delivery cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from django.utils import timezone

from regard.hooks.choices import DeliveryState
from regard.hooks.fetch import FetchFailed, post
from regard.hooks.guard import Refused
from regard.hooks.models import Webhook, WebhookDelivery


class DeliveryFailed(Exception):
    """The receiver answered, but not with success; the task tries again."""


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def request_body(delivery: WebhookDelivery) -> bytes:
    document = {"delivery": delivery.pk, "kind": delivery.kind, "event": delivery.payload}
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


def request_headers(delivery: WebhookDelivery, body: bytes, timestamp: int) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": "Regard-Webhooks/1",
        "X-Regard-Event": delivery.kind,
        "X-Regard-Delivery": str(delivery.pk),
        "X-Regard-Timestamp": str(timestamp),
        "X-Regard-Signature": sign(delivery.webhook.secret, timestamp, body),
    }


def deliver(delivery_id: int) -> str:
    """Send the delivery unless it is settled; raises (to be retried) when the receiver failed.

    A refused address is settled at once: asking again would be refused again.
    """
    delivery = WebhookDelivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None:  # its webhook was deleted meanwhile, and the deliveries with it
        return "gone"
    if delivery.state in (DeliveryState.DELIVERED, DeliveryState.REFUSED, DeliveryState.FAILED):
        return f"already {delivery.state}"
    webhook = delivery.webhook
    if not webhook.active:
        settle(delivery, DeliveryState.FAILED, error="the webhook was turned off")
        return "webhook turned off"
    delivery.attempts += 1
    body = request_body(delivery)
    timestamp = int(time.time())
    try:
        response = post(webhook.url, body, request_headers(delivery, body, timestamp))
    except Refused as exc:
        settle(delivery, DeliveryState.REFUSED, error=str(exc))
        return "refused"
    except FetchFailed as exc:
        settle(delivery, DeliveryState.RETRYING, error=str(exc))
        raise
    delivery.response_status = response.status
    if 200 <= response.status < 300:
        settle(delivery, DeliveryState.DELIVERED)
        return "delivered"
    answer = response.body[:500].decode("utf-8", "replace")
    error = f"{response.url} answered {response.status}: {answer}".strip()
    settle(delivery, DeliveryState.RETRYING, error=error)
    raise DeliveryFailed(error)


def settle(delivery: WebhookDelivery, state: str, *, error: str = "") -> None:
    """Keep the outcome on the delivery and its webhook's last error or success."""
    now = timezone.now()
    delivery.state = state
    delivery.error = error[:2000]
    if state == DeliveryState.DELIVERED:
        delivery.delivered_at = now
        Webhook.objects.filter(pk=delivery.webhook_id).update(last_delivered_at=now, last_error="")
    else:
        Webhook.objects.filter(pk=delivery.webhook_id).update(last_error=delivery.error)
    delivery.save(update_fields=["state", "error", "attempts", "response_status", "delivered_at"])


def give_up(delivery_id: int) -> None:
    """After the last attempt: the delivery is kept as failed, with its last error."""
    unsettled = [DeliveryState.QUEUED, DeliveryState.RETRYING]
    WebhookDelivery.objects.filter(pk=delivery_id, state__in=unsettled).update(
        state=DeliveryState.FAILED
    )
