"""Fetch-and-check: the only way views and API handlers load a conversation or a customer."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from regard.accounts.permissions import VIEW_ALL_TEAMS, can, role_of
from regard.conversations.models import Conversation
from regard.conversations.querysets import team_visible
from regard.customers.models import Customer
from regard.system.prepared import Prepared


def agent_of(user):
    if role_of(user) is None:
        raise PermissionDenied("agents only")
    return user.agent


def conversations_for(user):
    """The conversations this user may see (raises for non-agents)."""
    return Conversation.objects.visible_to(agent_of(user))


def _with_people(conversations):
    return conversations.select_related(
        "customer__organization", "customer__owner", "assignee", "team"
    )


# The page agents open most: its query built once (see system/prepared.py).
ANY_CONVERSATION = Prepared(lambda pk: _with_people(Conversation.objects.filter(pk=pk)), pk=int)
TEAM_CONVERSATION = Prepared(
    lambda pk, agent: _with_people(Conversation.objects.filter(team_visible(agent), pk=pk)),
    pk=int,
    agent=int,
)


def conversation_for(user, conversation_id) -> Conversation:
    """Load a conversation the user may see, or 404 (not 403, so ids cannot be probed)."""
    return _visible_one(user, conversation_id, ANY_CONVERSATION, TEAM_CONVERSATION, "conversation")


def _visible_one(user, value, every: Prepared, teams: Prepared, what: str):
    """The row with id `value`, by `every` for leads and by `teams` (the agent's) for the rest."""
    agent = agent_of(user)
    try:
        pk = int(value)
        found = every(pk=pk) if can(user, VIEW_ALL_TEAMS) else teams(pk=pk, agent=agent.pk)
    except (ValueError, TypeError):  # not a number, or out of range
        raise Http404(f"No such {what}") from None
    if not found:
        raise Http404(f"No such {what}")
    return found[0]


def customers_for(user):
    """The customers this user may see: all for leads, else those with a visible conversation
    or whose person they are (raises for non-agents)."""
    agent = agent_of(user)
    if can(user, VIEW_ALL_TEAMS):
        return Customer.objects.all()
    return _team_customers(agent.pk)


def _team_customers(agent_id: int):
    # EXISTS per customer walks the (customer, created_at) index; IN would list every
    # visible conversation's customer first.
    visible = Conversation.objects.filter(team_visible(agent_id), customer_id=OuterRef("pk"))
    return Customer.objects.filter(Q(Exists(visible)) | Q(owner_id=agent_id))


ANY_CUSTOMER = Prepared(
    lambda pk: Customer.objects.select_related("organization", "owner").filter(pk=pk), pk=int
)
TEAM_CUSTOMER = Prepared(
    lambda pk, agent: _team_customers(agent).select_related("organization", "owner").filter(pk=pk),
    pk=int,
    agent=int,
)


def customer_for(user, customer_id) -> Customer:
    """Load a customer the user may see, or 404 (not 403, so ids cannot be probed)."""
    return _visible_one(user, customer_id, ANY_CUSTOMER, TEAM_CUSTOMER, "customer")
