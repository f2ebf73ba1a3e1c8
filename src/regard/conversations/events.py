"""Recording timeline events: every action calls `record_event`, nothing else writes events."""

from __future__ import annotations

from django.utils import timezone

from regard.conversations.models import Event
from regard.conversations.rows import insert_row
from regard.hooks.dispatch import offer_event


def record_event(kind: str, *, actor=None, conversation=None, customer=None, at=None, **data):
    """Write the event, and offer it to the webhooks once the caller's transaction commits."""
    event = Event(
        kind=kind,
        actor=actor if actor is not None and actor.is_authenticated else None,
        conversation=conversation,
        # customer_id, not customer: reading conversation.customer would cost a query per event.
        customer_id=customer.pk
        if customer is not None
        else getattr(conversation, "customer_id", None),
        data=data,
        created_at=at or timezone.now(),
    )
    insert_row(event)  # an inbound mail records two or three: see `rows`
    offer_event(event)
    return event
