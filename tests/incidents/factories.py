"""Builders for incident tests: data goes through the actions, as in production."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from regard.incidents import actions


def declare(agent, **fields):
    fields.setdefault("title", "Card payments failing at checkout")
    fields.setdefault(
        "public_text",
        "Card payments fail at checkout with a declined message. We are fixing it now.",
    )
    fields.setdefault("next_update_due_at", timezone.now() + timedelta(hours=1))
    return actions.declare_incident(agent.user, **fields)
