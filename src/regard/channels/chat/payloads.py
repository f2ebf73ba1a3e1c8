"""Messages as the widget sees them: the contract's `<message>` (no notes, no internals)."""

from __future__ import annotations

from regard.conversations.choices import Direction
from regard.conversations.models import Message

VISIBLE = (Direction.INBOUND, Direction.OUTBOUND)
BATCH = 200


def initials(name: str) -> str:
    """ "Dana Reyes" -> "DR"."""
    return "".join(part[0] for part in name.split()[:2]).upper()


def author(agent) -> dict | None:
    if agent is None:
        return None
    return {"name": agent.display_name, "initials": initials(agent.display_name)}


def message_payload(message: Message, agent=None) -> dict:
    inbound = message.direction == Direction.INBOUND
    if not inbound and agent is None and message.author_id is not None:
        agent = getattr(message.author, "agent", None)
    return {
        "id": message.pk,
        "direction": "in" if inbound else "out",
        "text": message.text_full,
        "author": None if inbound else author(agent),
        "at": message.created_at.isoformat(),
    }


def messages_after(session_id: int, after: int = 0, limit: int = BATCH) -> list[dict]:
    """The session's conversation's messages after id `after`, oldest first; one query."""
    rows = (
        Message.objects.filter(
            conversation__chat_sessions=session_id, direction__in=VISIBLE, pk__gt=after
        )
        .select_related("author__agent")
        .order_by("pk")[:limit]
    )
    return [message_payload(row) for row in rows]
