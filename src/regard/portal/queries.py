"""What the portal's pages list, always starting from `visible_conversations`."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Value, When

from regard.commitments.choices import State
from regard.commitments.models import Commitment
from regard.conversations.choices import ACTIVE_STATUSES, Direction
from regard.conversations.models import Message
from regard.incidents.choices import DeliveryState
from regard.incidents.models import UpdateDelivery
from regard.portal.access import visible_conversations

RECENT = 20
# Statuses in the customer's words, not the team's.
PLAIN_STATUS = {
    "new": "Received — we will answer soon",
    "open": "We are on it",
    "pending": "Waiting for your answer",
    "on_hold": "We are on it",
    "solved": "Solved",
    "closed": "Closed",
}


def conversations(customer, limit: int = RECENT):
    """Open ones first, then the most recently updated."""
    found = list(
        visible_conversations(customer)
        .annotate(
            active=Case(
                When(status__in=ACTIVE_STATUSES, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("active", "-updated_at", "-id")[:limit]
    )
    for conversation in found:
        conversation.plain_status = plain_status(conversation)
    return found


def plain_status(conversation) -> str:
    return PLAIN_STATUS.get(conversation.status, conversation.get_status_display())


def open_promises(customer):
    return (
        Commitment.objects.filter(
            state=State.OPEN, conversation__in=visible_conversations(customer)
        )
        .select_related("conversation", "agent")
        .order_by("due_at", "id")
    )


def incident_updates(customer, limit: int = RECENT):
    """Incident updates sent to them, newest first (delivered into a conversation they see),
    each once even when colleagues' conversations got it too."""
    rows = (
        UpdateDelivery.objects.filter(
            state=DeliveryState.SENT,
            message__conversation__in=visible_conversations(customer),
        )
        .select_related("update__incident")
        .order_by("-update__created_at", "-id")[: limit * 5]
    )
    seen, found = set(), []
    for row in rows:
        if row.update_id not in seen:
            seen.add(row.update_id)
            found.append(row)
    return found[:limit]


def messages(conversation):
    """What the customer may read: their messages and our replies, never internal notes."""
    return (
        Message.objects.filter(conversation=conversation)
        .exclude(direction=Direction.NOTE)
        .select_related("author__agent", "sender")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )
