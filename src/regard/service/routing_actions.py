"""Routing's state changes: availability, team and agent settings, offering an away agent's
conversations back to the team, and working the queue when someone is free."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from regard.accounts.choices import Availability, RoutingMode
from regard.accounts.models import Agent, Team
from regard.conversations.choices import ACTIVE_STATUSES, EventKind
from regard.conversations.models import Conversation, Event
from regard.service.routing import QUEUE_ORDER, route

AWAY = (Availability.AWAY, Availability.OFFLINE)
# The most conversations one sweep routes from one team's queue; the next sweep does the rest.
QUEUE_BATCH = 200


@transaction.atomic
def set_availability(agent: Agent, availability: str, at=None) -> Agent:
    """The agent says whether they can take conversations; when they come back, the queues of
    their teams are worked at once (up to their free capacity)."""
    if availability not in Availability.values:
        choices = ", ".join(Availability.values)
        raise ValueError(f"unknown availability {availability!r}: choose one of {choices}")
    at = at or timezone.now()
    if agent.availability == availability:
        return agent
    agent.availability, agent.availability_changed_at = availability, at
    agent.save(update_fields=["availability", "availability_changed_at"])
    if availability == Availability.AVAILABLE:
        route_waiting(at, teams=agent.teams.all(), limit=agent.capacity)
    return agent


@transaction.atomic
def update_team_routing(
    team: Team, *, routing_mode: str, offer_back_after: int | None, receives_new: bool
) -> Team:
    if routing_mode not in RoutingMode.values:
        choices = ", ".join(RoutingMode.values)
        raise ValueError(f"unknown routing mode {routing_mode!r}: choose one of {choices}")
    if offer_back_after is not None and offer_back_after < 1:
        raise ValueError("offer back after at least 1 minute, or leave it empty for never")
    if receives_new:
        Team.objects.filter(receives_new=True).exclude(pk=team.pk).update(receives_new=False)
    team.routing_mode, team.offer_back_after = routing_mode, offer_back_after
    team.receives_new = receives_new
    team.save(update_fields=["routing_mode", "offer_back_after", "receives_new"])
    return team


@transaction.atomic
def update_agent_routing(agent: Agent, *, capacity: int, skills: str, languages: str) -> Agent:
    if capacity < 0:
        raise ValueError("capacity is a number of conversations: 0 or more")
    agent.capacity = capacity
    agent.skills = ", ".join(sorted(_tags(skills)))[:500]
    agent.languages = ", ".join(sorted(_tags(languages)))[:120]
    agent.save(update_fields=["capacity", "skills", "languages"])
    return agent


def _tags(text: str) -> set[str]:
    return {part.strip().lower() for part in text.split(",") if part.strip()}


def offer_back(now) -> int:
    """Unassign the open conversations of agents away or offline longer than their team allows,
    back to the team's queue (with an Event each), then route that queue again. Conversations
    pinned to the agent as concierge stay. Idempotent: offered-back conversations have no
    assignee. Returns how many were offered back."""
    offered = 0
    for team in Team.objects.filter(offer_back_after__isnull=False):
        with transaction.atomic():
            count = _offer_back_team(team, now)
        if count and team.routing_mode != RoutingMode.MANUAL:
            route_waiting(now, teams=[team])
        offered += count
    return offered


def _offer_back_team(team: Team, now) -> int:
    since = now - timedelta(minutes=team.offer_back_after)
    gone = Agent.objects.filter(availability__in=AWAY).filter(
        Q(availability_changed_at__lte=since) | Q(availability_changed_at__isnull=True)
    )
    rows = list(
        Conversation.objects.select_for_update(of=("self",))
        .filter(team=team, assignee__in=gone, status__in=ACTIVE_STATUSES)
        .exclude(customer__concierge_id=F("assignee_id"))
        .exclude(customer__organization__concierge_id=F("assignee_id"))
        .values_list(
            "pk",
            "customer_id",
            "assignee__display_name",
            "assignee__availability",
            "assignee__availability_changed_at",
        )
    )
    if not rows:
        return 0
    Conversation.objects.filter(pk__in=[row[0] for row in rows]).update(
        assignee=None, updated_at=now
    )
    Event.objects.bulk_create(_offered_back_event(row, team, now) for row in rows)
    return len(rows)


def _offered_back_event(row: tuple, team: Team, now) -> Event:
    pk, customer_id, name, availability, since = row
    gone_for = f" for {int((now - since).total_seconds() // 60)} min" if since else ""
    reason = f"{name} is {availability}{gone_for}; {team.name} offers back after "
    reason += f"{team.offer_back_after} min"
    return Event(
        kind=EventKind.OFFERED_BACK,
        conversation_id=pk,
        customer_id=customer_id,
        created_at=now,
        data={
            "from": name,
            "team": team.name,
            "reason": reason,
            "summary": f"offered back to {team.name}: {reason}",
        },
    )


def route_waiting(now, *, teams=None, limit: int = QUEUE_BATCH) -> int:
    """Route unassigned conversations from the queues of `teams` (all automatic teams when
    None), upset customers and VIPs first; stops at a team once nobody there is free."""
    teams = Team.objects.exclude(routing_mode=RoutingMode.MANUAL) if teams is None else teams
    routed = 0
    for team in teams:
        if team.routing_mode == RoutingMode.MANUAL:
            continue
        waiting = (
            Conversation.objects.filter(team=team, assignee__isnull=True)
            .filter(status__in=ACTIVE_STATUSES)
            .filter(Q(snoozed_until__isnull=True) | Q(snoozed_until__lte=now))
            .order_by(*QUEUE_ORDER)
            .only("pk")[:limit]
        )
        for conversation in waiting:
            decision = route(conversation, at=now, quiet=True)
            if decision is not None and decision.assignee is None:
                break
            routed += decision is not None
    return routed
