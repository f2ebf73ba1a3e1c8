"""The inbox's saved views: each a named query over the conversations an agent may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from regard.commitments.models import Commitment
from regard.conversations.choices import ACTIVE_STATUSES


@dataclass(frozen=True)
class View:
    key: str
    label: str


VIEWS = (
    View("mine", "Mine"),
    View("team", "My team"),
    View("unassigned", "Unassigned"),
    View("waiting", "Waiting longest"),
    View("upset", "Upset"),
    View("promises", "Promises due"),
    View("snoozed", "Snoozed"),
)
VIEW_KEYS = {view.key for view in VIEWS}


def view_condition(key: str, agent, now) -> Q:
    """Which active conversations belong to a view."""
    awake = Q(snoozed_until__isnull=True) | Q(snoozed_until__lte=now)
    if key == "mine":
        return awake & Q(assignee=agent)
    if key == "team":
        return awake & Q(team__in=agent.teams.all())
    if key == "unassigned":
        return awake & Q(assignee__isnull=True)
    if key == "waiting":
        return awake & Q(waiting_since__isnull=False)
    if key == "upset":
        return awake & Q(upset=True)
    if key == "promises":
        due = Commitment.objects.filter(
            conversation=OuterRef("pk"),
            state__in=["open", "broken"],
            due_at__lt=now + timedelta(hours=24),
        )
        return Q(Exists(due))
    if key == "snoozed":
        return Q(snoozed_until__gt=now)
    raise ValueError(f"unknown view {key!r}")


ORDER = {
    "waiting": ("waiting_since", "id"),
    "snoozed": ("snoozed_until", "id"),
}
WAITING_FIRST = (F("waiting_since").asc(nulls_last=True), "-updated_at")


def view_queryset(key: str, visible, agent):
    """The conversations of one view, in the order the view promises."""
    condition = view_condition(key, agent, timezone.now())
    active = visible.filter(status__in=ACTIVE_STATUSES)
    return active.filter(condition).order_by(*ORDER.get(key, WAITING_FIRST))


def view_counts(visible, agent) -> dict[str, int]:
    """Every view's count in one query."""
    now = timezone.now()
    active = visible.filter(status__in=ACTIVE_STATUSES)
    return active.aggregate(
        **{view.key: Count("id", filter=view_condition(view.key, agent, now)) for view in VIEWS}
    )


ATTENTION_KINDS = ("promise.reminder", "promise.broken", "message.failed")


def needs_attention(agent, now, limit: int = 8):
    """Recent reminders, broken promises and failed replies on this agent's conversations."""
    from regard.conversations.models import Event

    return (
        Event.objects.filter(
            kind__in=ATTENTION_KINDS,
            conversation__assignee=agent,
            created_at__gte=now - timedelta(days=2),
        )
        .select_related("conversation")
        .order_by("-created_at")[:limit]
    )
