"""The inbox's saved views: each a named query over the conversations an agent may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, Q
from django.utils import timezone

from regard.commitments.models import Commitment
from regard.conversations.choices import ACTIVE_STATUSES
from regard.conversations.querysets import teams_of
from regard.service.querysets import SOON, first_due, next_due, running_clocks
from regard.service.routing import QUEUE_ORDER
from regard.system.prepared import Prepared
from regard.web.live import latest_id


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
PAGE = 100


def view_condition(key: str, agent: int, now) -> Q:
    """Which active conversations belong to a view."""
    awake = Q(snoozed_until__isnull=True) | Q(snoozed_until__lte=now)
    if key == "mine":
        return awake & Q(assignee_id=agent)
    if key == "team":
        return awake & Q(team__in=teams_of(agent))
    if key == "unassigned":
        return awake & Q(assignee__isnull=True)
    if key == "waiting":
        return awake & Q(waiting_since__isnull=False)
    if key == "upset":
        return awake & Q(upset=True)
    # The two below read another table: one uncorrelated subquery, evaluated once, rather than
    # one lookup per conversation.
    if key == "promises":
        due = Commitment.objects.filter(
            state__in=["open", "broken"], due_at__lt=now + timedelta(hours=24)
        )
        return Q(pk__in=due.values("conversation_id"))
    if key == "snoozed":
        return Q(snoozed_until__gt=now)
    if key == "breaching":
        soon = running_clocks().filter(due_at__lte=now + SOON)
        return Q(pk__in=soon.values("conversation_id"))
    raise ValueError(f"unknown view {key!r}")


# Ordering by due time needs every row's next_due; the other orders read it for the page only.
BY_DUE = (F("next_due").asc(nulls_last=True), "id")
ORDER = {
    "waiting": ("waiting_since", "id"),
    "snoozed": ("snoozed_until", "id"),
    "breaching": BY_DUE,
    "unassigned": QUEUE_ORDER,  # the queue as routing works it: upset customers and VIPs first
}
SORTS = {"due": BY_DUE}
# What a row shows (web/templatetags/inbox_rows.py), and nothing else: reading whole
# conversations and customers costs the page more than its queries do.
ROW_FIELDS = (
    *("id", "subject", "status", "channel", "waiting_since", "upset", "emotion"),
    *("customer__id", "customer__display_name", "customer__preferred_name", "customer__vip"),
    *("assignee__id", "assignee__display_name"),
)


def view_rows(key: str, visible, agent, *, sort: str = "", filters=None, limit: int = PAGE):
    """One page of a view, in the order it promises (or `sort` asks), each with `next_due`.

    Views without an order of their own show customers waiting for us first, longest first,
    then the others, latest change first: two queries that each walk an index in order and stop
    at a page, instead of sorting every active conversation.
    """
    rows = visible.filter(status__in=ACTIVE_STATUSES).filter(
        view_condition(key, agent.pk, timezone.now())
    )
    if filters is not None:
        rows = filters.apply(rows)
    rows = rows.select_related("customer", "assignee").only(*ROW_FIELDS)
    order = SORTS.get(sort) or ORDER.get(key)
    if order is None:
        waiting = rows.filter(waiting_since__isnull=False).order_by("waiting_since", "id")
        page = list(waiting[:limit])
        if len(page) < limit:
            rest = rows.filter(waiting_since__isnull=True).order_by("-updated_at", "id")
            page += list(rest[: limit - len(page)])
    elif order is BY_DUE:
        return list(rows.annotate(next_due=next_due()).order_by(*BY_DUE)[:limit])
    else:
        page = list(rows.order_by(*order)[:limit])
    return with_due(page)


def with_due(page: list) -> list:
    """Each row with `next_due`: the earliest due time of its running clocks, or None."""
    due = dict(page_due([row.pk for row in page]))
    for row in page:
        row.next_due = due.get(row.pk)
    return page


# The page's next due times: one query of PAGE slots, the page's ids padded with its first one
# (the answer is read for the page's rows only, so the padding changes nothing).
PAGE_DUE = Prepared(
    lambda **ids: first_due([ids[f"c{n}"] for n in range(PAGE)]),
    **{f"c{n}": int for n in range(PAGE)},
)


def page_due(ids: list[int]) -> list[tuple[int, object]]:
    """(conversation id, earliest due time of its running clocks) for those that have one."""
    if not ids:
        return []
    if len(ids) > PAGE:
        return list(first_due(ids))
    padded = ids + [ids[0]] * (PAGE - len(ids))
    return PAGE_DUE(**{f"c{n}": pk for n, pk in enumerate(padded)})


def view_counts(visible, agent) -> dict[str, int]:
    """Every view's count, in one query; the same answer again until something changes.

    Counting scans all the active conversations an agent may see, so an agent's counts are kept
    until the timeline moves on (every change records an event) or, as snoozes wake and clocks
    near their due time without any event, for settings.INBOX_COUNTS_SECONDS.
    """
    seconds = settings.INBOX_COUNTS_SECONDS
    key = f"regard:inbox-counts:{agent.pk}:{latest_id()}" if seconds else ""
    counts = cache.get(key) if key else None
    if counts is None:
        now = timezone.now()
        active = visible.filter(status__in=ACTIVE_STATUSES)
        conditions = {view.key: view_condition(view.key, agent.pk, now) for view in VIEWS}
        counts = active.aggregate(
            **{name: Count("id", filter=condition) for name, condition in conditions.items()}
        )
        if key:
            cache.set(key, counts, seconds)
    return counts


ATTENTION_KINDS = (
    "promise.reminder",
    "promise.broken",
    "message.failed",
    "service.warning",
    "service.breached",
)


ATTENTION_SHOWN = 8


def attention_events(agent: int, since, limit: int):
    from regard.conversations.models import Event

    return (
        Event.objects.filter(
            kind__in=ATTENTION_KINDS, conversation__assignee_id=agent, created_at__gte=since
        )
        .select_related("conversation")
        .order_by("-created_at")[:limit]
    )


# On every inbox page: built once, then run with the agent and the time.
ATTENTION = Prepared(
    lambda agent, since: attention_events(agent, since, ATTENTION_SHOWN), agent=int, since=datetime
)


def needs_attention(agent, now, limit: int = ATTENTION_SHOWN) -> list:
    """Recent reminders, broken promises and failed replies on this agent's conversations."""
    since = now - timedelta(days=2)
    if limit == ATTENTION_SHOWN:
        return ATTENTION(agent=agent.pk, since=since)
    return list(attention_events(agent.pk, since, limit))


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
