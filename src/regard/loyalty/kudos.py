"""Turning compliments into kudos for the agent they are about: from customer messages (called
by the conversation hooks, so it must stay cheap) and from kind survey comments."""

from __future__ import annotations

from django.utils import timezone

from regard.accounts.models import Agent
from regard.conversations.events import record_event
from regard.conversations.memo import remembered
from regard.insight.kudos import find_compliments, has_praise
from regard.loyalty.choices import LoyaltyEvent
from regard.loyalty.models import Kudos


def _agent_names() -> dict[str, int]:
    return remembered("active_agent_names", _read_agent_names)


def _read_agent_names() -> dict[str, int]:
    return dict(Agent.objects.filter(user__is_active=True).values_list("display_name", "pk"))


def record_kudos(message) -> list[Kudos]:
    """Kudos for each compliment in an inbound message that names or clearly means an agent.

    Costs nothing for most messages: the database is only asked when the text holds praise."""
    text = message.text_new or ""
    if not has_praise(text):
        return []
    conversation = message.conversation
    helper = conversation.assignee.display_name if conversation.assignee_id else None
    agents = _agent_names()
    made = []
    for compliment in find_compliments(text, list(agents), helper=helper):
        if compliment.agent is None:
            continue
        kudos = Kudos.objects.create(
            agent_id=agents.get(compliment.agent, conversation.assignee_id),
            customer_id=conversation.customer_id,
            message=message,
            quote=compliment.quote[:1000],
            created_at=message.created_at or timezone.now(),
        )
        record_event(
            LoyaltyEvent.KUDOS,
            conversation=conversation,
            at=kudos.created_at,
            agent=compliment.agent,
            quote=kudos.quote[:300],
            summary=f"for {compliment.agent}: “{kudos.quote[:300]}”",
        )
        made.append(kudos)
    return made


def kudos_from_comment(answer, now) -> list[Kudos]:
    """A kind survey comment is kudos for the agent who helped (or the one it names)."""
    survey = answer.survey
    if not has_praise(answer.comment):
        return []
    agents = _agent_names()
    helper = survey.agent.display_name if survey.agent else None
    made = []
    for compliment in find_compliments(answer.comment, list(agents), helper=helper):
        agent_id = agents.get(compliment.agent) if compliment.agent else survey.agent_id
        if agent_id is None:
            continue
        made.append(
            Kudos.objects.create(
                agent_id=agent_id,
                customer_id=survey.customer_id,
                survey=survey,
                quote=compliment.quote[:1000],
                created_at=now,
            )
        )
    return made
