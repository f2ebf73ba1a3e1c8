"""Collision detection: who else has this conversation open or is typing a reply in it."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from regard.conversations.models import Message, Presence
from regard.system.prepared import Prepared

FRESH = timedelta(seconds=30)
# A view or heartbeat within this of the last one, saying the same, writes nothing: every write
# waits for SQLite's one write lock, and agents open conversations far more often than they
# change what they are doing in them.
REFRESH = timedelta(seconds=10)


def visit(agent, conversation, *, typing: bool = False, at=None) -> list[Presence]:
    """Say we are here (when it is news), and return who else is: one query, usually no write."""
    at = at or timezone.now()
    here = list(_fresh(conversation, at))
    mine = next((p for p in here if p.agent_id == agent.pk), None)
    if mine is None or mine.typing != typing or mine.seen_at < at - REFRESH:
        mark_present(agent, conversation, typing=typing, at=at)
    return [p for p in here if p.agent_id != agent.pk]


def mark_present(agent, conversation, *, typing: bool = False, at=None) -> None:
    at = at or timezone.now()
    mine = Presence.objects.filter(agent=agent, conversation=conversation)
    # One UPDATE when the row is there (most visits): update_or_create would read it first.
    if mine.update(typing=typing, seen_at=at):
        return
    try:
        with transaction.atomic():
            Presence.objects.create(
                agent=agent, conversation=conversation, typing=typing, seen_at=at
            )
    except IntegrityError:  # another request of the same agent made it just now
        mine.update(typing=typing, seen_at=at)
        return
    Presence.objects.filter(seen_at__lt=at - FRESH * 10).delete()  # keep the table tiny


def others_present(agent, conversation, at=None) -> list[Presence]:
    return [p for p in _fresh(conversation, at or timezone.now()) if p.agent_id != agent.pk]


FRESH_PRESENCE = Prepared(
    lambda conversation, since: (
        Presence.objects.filter(conversation_id=conversation, seen_at__gte=since)
        .select_related("agent")
        .order_by("-typing", "agent__display_name")
    ),
    conversation=int,
    since=datetime,
)


def _fresh(conversation, at) -> list[Presence]:
    return FRESH_PRESENCE(conversation=conversation.pk, since=at - FRESH)


def newer_customer_message(conversation, seen_id: int | None) -> Message | None:
    """The newest customer message after the one the agent had seen when the draft began."""
    if seen_id is None:
        return None
    return conversation.messages.filter(direction="inbound", pk__gt=seen_id).order_by("-pk").first()
