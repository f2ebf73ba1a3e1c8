"""Saved replies (macros): reusable text with placeholders filled for one conversation.

Placeholders are plain `{name}` words replaced from a fixed table, never `str.format`, so a
saved reply cannot reach into objects (`{0.__class__}` stays as typed).
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from regard.accounts.access import require
from regard.accounts.permissions import REPLY, VIEW_ALL_TEAMS, can
from regard.conversations.events import record_event
from regard.conversations.models import SavedReply
from regard.conversations.querysets import teams_of

PLACEHOLDER = re.compile(r"\{(\w+)\}")
PLACEHOLDERS = ("name", "full_name", "agent", "company", "ticket", "organization", "subject")
MAX_TEXT = 20_000


def values_for(conversation, agent) -> dict[str, str]:
    customer = conversation.customer
    return {
        "name": customer.address_name or customer.name,
        "full_name": customer.display_name or customer.name,
        "agent": agent.display_name.split()[0] if agent and agent.display_name else "",
        "company": settings.COMPANY_NAME,
        "ticket": f"#{conversation.pk}",
        "organization": customer.organization.name if customer.organization_id else "",
        "subject": conversation.subject,
    }


def fill(text: str, values: dict[str, str]) -> str:
    """`text` with each known placeholder replaced; unknown ones are left as typed."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def unknown_placeholders(text: str) -> list[str]:
    return sorted({m for m in PLACEHOLDER.findall(text) if m not in PLACEHOLDERS})


def saved_replies_for(agent, conversation=None):
    """Replies for every team, the agent's own teams and the conversation's team."""
    if agent is None:
        return SavedReply.objects.none()
    team = conversation.team_id if conversation is not None else None
    return SavedReply.objects.filter(replies_of(agent.pk, team))


def replies_of(agent_id: int, team_id: int | None = None) -> Q:
    """Replies for every team, the agent's teams and, when given, one more team."""
    mine = Q(team__isnull=True) | Q(team__in=teams_of(agent_id))
    if team_id:
        mine |= Q(team_id=team_id)
    return mine


def manages_all(user) -> bool:
    """Supervisors and admins keep the saved replies of every team."""
    return can(user, VIEW_ALL_TEAMS) and can(user, REPLY)


def may_manage(user, saved: SavedReply | None = None) -> bool:
    """Supervisors and admins manage every saved reply; agents their own teams' ones."""
    if manages_all(user):
        return True
    if not can(user, REPLY):
        return False
    if saved is None:
        return True
    agent = user.agent
    return saved.team_id is not None and agent.teams.filter(pk=saved.team_id).exists()


@transaction.atomic
def save_saved_reply(user, *, title: str, text: str, team=None, saved=None) -> SavedReply:
    require(user, REPLY)
    title, text = " ".join((title or "").split())[:120], (text or "").strip()
    if not title or not text:
        raise ValueError("a saved reply needs a title and some text")
    if len(text) > MAX_TEXT:
        raise ValueError(f"a saved reply is at most {MAX_TEXT:,} characters")
    unknown = unknown_placeholders(text)
    if unknown:
        known = ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)
        raise ValueError(f"unknown placeholder {{{unknown[0]}}}: use one of {known}")
    if team is None and not manages_all(user):
        raise ValueError("only supervisors keep saved replies for every team; choose a team")
    own = team is None or manages_all(user) or user.agent.teams.filter(pk=team.pk).exists()
    if not own:
        raise ValueError("you can keep saved replies only for your own teams")
    if saved is not None and not may_manage(user, saved):
        raise ValueError("you may not change this saved reply")
    saved = saved or SavedReply(created_by=user.agent)
    saved.title, saved.text, saved.team = title, text, team
    saved.save()
    record_event("saved_reply.saved", actor=user, saved_reply_id=saved.pk, title=title)
    return saved


@transaction.atomic
def delete_saved_reply(user, saved: SavedReply) -> None:
    if not may_manage(user, saved):
        raise ValueError("you may not delete this saved reply")
    record_event("saved_reply.deleted", actor=user, saved_reply_id=saved.pk, title=saved.title)
    saved.delete()
