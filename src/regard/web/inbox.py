"""The inbox's saved views: each a named query over the conversations an agent may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from regard.commitments.models import Commitment
from regard.conversations.choices import ACTIVE_STATUSES
from regard.service.querysets import breaching_soon, next_due
from regard.service.routing import QUEUE_ORDER


@dataclass(frozen=True)
class View:
    key: str
    label: str


VIEWS = (
    View("mine", "Mine"),
    View("team", "My team"),
    View("unassigned", "Unassigned"),
    View("waiting", "Waiting longest"),
    View("breaching", "Breaching soon"),
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
    if key == "breaching":
        return Q(Exists(breaching_soon(now)))
    raise ValueError(f"unknown view {key!r}")


ORDER = {
    "waiting": ("waiting_since", "id"),
    "snoozed": ("snoozed_until", "id"),
    "breaching": (F("next_due").asc(nulls_last=True), "id"),
    "unassigned": QUEUE_ORDER,  # the queue as routing works it: upset customers and VIPs first
}
SORTS = {"due": (F("next_due").asc(nulls_last=True), "id")}
WAITING_FIRST = (F("waiting_since").asc(nulls_last=True), "-updated_at")


def view_queryset(key: str, visible, agent, sort: str = ""):
    """The conversations of one view, in the order the view promises (or `sort` asks)."""
    condition = view_condition(key, agent, timezone.now())
    active = visible.filter(status__in=ACTIVE_STATUSES).annotate(next_due=next_due())
    order = SORTS.get(sort) or ORDER.get(key, WAITING_FIRST)
    return active.filter(condition).order_by(*order)


def view_counts(visible, agent) -> dict[str, int]:
    """Every view's count in one query."""
    now = timezone.now()
    active = visible.filter(status__in=ACTIVE_STATUSES)
    return active.aggregate(
        **{view.key: Count("id", filter=view_condition(view.key, agent, now)) for view in VIEWS}
    )


ATTENTION_KINDS = (
    "promise.reminder",
    "promise.broken",
    "message.failed",
    "service.warning",
    "service.breached",
)


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


@dataclass(frozen=True)
class Filters:
    """Narrowing a view by channel, tag, priority and organization (from the query string)."""

    channel: str = ""
    tag: str = ""
    priority: str = ""
    organization: str = ""

    @classmethod
    def from_query(cls, query) -> Filters:
        from regard.conversations.choices import Priority
        from regard.customers.choices import Channel

        channel = query.get("channel", "")
        priority = query.get("priority", "")
        organization = query.get("organization", "")
        return cls(
            channel=channel if channel in Channel.values else "",
            tag=" ".join(query.get("tag", "").split()).lower()[:64],
            priority=priority if priority.isdigit() and int(priority) in Priority.values else "",
            organization=organization if organization.isdigit() else "",
        )

    def apply(self, conversations):
        if self.channel:
            conversations = conversations.filter(channel=self.channel)
        if self.tag:
            conversations = conversations.filter(tags__name=self.tag)
        if self.priority:
            conversations = conversations.filter(priority=int(self.priority))
        if self.organization:
            conversations = conversations.filter(customer__organization_id=int(self.organization))
        return conversations

    @property
    def active(self) -> bool:
        return any((self.channel, self.tag, self.priority, self.organization))

    def query(self) -> str:
        from urllib.parse import urlencode

        pairs = {k: v for k, v in self.__dict__.items() if v}
        return urlencode(pairs)
