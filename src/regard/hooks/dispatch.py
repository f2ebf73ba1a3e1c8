"""Offering events to webhooks: each event becomes one delivery per webhook that wants it.

The payload is deliberately thin (kind, ids, time and a link path): a receiver that needs more
asks the API with its own token, so a webhook never carries text its receiver may not see.
"""

from __future__ import annotations

import logging
import time

from django.db import transaction
from django.urls import NoReverseMatch, reverse

log = logging.getLogger("regard.hooks")
# Whether any webhook is active is read at most this often a process: most installs have none,
# and every action records events. A webhook added in another process is in use within this
# time; one added in this process (its save) at once.
CHECK_EVERY_SECONDS = 10.0
_active = {"checked": float("-inf"), "any": False}


def any_active_webhook() -> bool:
    from regard.hooks.models import Webhook

    now = time.monotonic()
    if now - _active["checked"] > CHECK_EVERY_SECONDS:
        _active.update(checked=now, any=Webhook.objects.filter(active=True).exists())
    return _active["any"]


def forget_active_webhooks() -> None:
    _active["checked"] = float("-inf")


def event_payload(event) -> dict:
    """What a webhook learns of an event: never its data, which may quote customers' words."""
    return {
        "id": event.pk,
        "kind": event.kind,
        "created_at": event.created_at.isoformat(),
        "conversation_id": event.conversation_id,
        "customer_id": event.customer_id,
        "link": link_path(event),
    }


def link_path(event) -> str:
    try:
        if event.conversation_id:
            return reverse("web:conversation", args=[event.conversation_id])
        if event.customer_id:
            return reverse("web:customer", args=[event.customer_id])
    except NoReverseMatch:
        pass
    return ""


def offer_event(event) -> None:
    """Called by `record_event` as an event is written, inside its transaction."""
    if any_active_webhook():
        on_event(event.kind, event_payload(event))


def on_event(kind: str, payload: dict) -> None:
    """Queue a delivery to every active webhook that wants `kind`, once the caller's transaction
    commits: an event rolled back is never announced. Failing here never fails the action."""
    transaction.on_commit(lambda: queue_deliveries(kind, payload), robust=True)


def queue_deliveries(kind: str, payload: dict) -> int:
    from regard.hooks.models import Webhook, WebhookDelivery
    from regard.hooks.tasks import deliver_webhook

    queued = 0
    for webhook in Webhook.objects.filter(active=True):
        if not webhook.wants(kind):
            continue
        delivery = WebhookDelivery.objects.create(webhook=webhook, kind=kind, payload=payload)
        deliver_webhook.enqueue(delivery.pk)
        queued += 1
    return queued
