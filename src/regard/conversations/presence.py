"""Collision detection: who else has this conversation open or is typing a reply in it."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from regard.conversations.models import Message, Presence

FRESH = timedelta(seconds=30)


def mark_present(agent, conversation, *, typing: bool = False, at=None) -> None:
    at = at or timezone.now()
    Presence.objects.update_or_create(
        agent=agent, conversation=conversation, defaults={"typing": typing, "seen_at": at}
    )
    Presence.objects.filter(seen_at__lt=at - FRESH * 10).delete()  # keep the table tiny


def others_present(agent, conversation, at=None) -> list[Presence]:
    at = at or timezone.now()
    return list(
        Presence.objects.filter(conversation=conversation, seen_at__gte=at - FRESH)
        .exclude(agent=agent)
        .select_related("agent")
        .order_by("-typing", "agent__display_name")
    )


def newer_customer_message(conversation, seen_id: int | None) -> Message | None:
    """The newest customer message after the one the agent had seen when the draft began."""
    if seen_id is None:
        return None
    return conversation.messages.filter(direction="inbound", pk__gt=seen_id).order_by("-pk").first()
