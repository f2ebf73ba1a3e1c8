"""`{% visitor_typing convo %}`: "Ana is typing…" while a chat visitor types (workspace view)."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.utils import timezone

from regard.channels.chat.models import ChatSession
from regard.customers.choices import Channel

register = template.Library()
FRESH_SECONDS = 12  # the presence line refreshes every 10 s


@register.simple_tag
def visitor_typing(conversation) -> str:
    if getattr(conversation, "channel", None) != Channel.CHAT:
        return ""
    since = timezone.now() - timedelta(seconds=FRESH_SECONDS)
    session = (
        ChatSession.objects.filter(conversation=conversation, typing_at__gte=since)
        .only("name")
        .first()
    )
    if session is None:
        return ""
    return f"{session.name or 'The customer'} is typing…"
