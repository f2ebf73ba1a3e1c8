"""The inbox views agents keep open, without filters and in their own order, as prepared queries
(see system/prepared.py): building the rows' SQL (visibility, the view, the joined customer and
assignee, the order) took longer than SQLite takes to walk the index. Anything else (a filter, a
chosen order, a view whose condition reads other tables) goes through `inbox.view_rows`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.utils import timezone

from regard.accounts.permissions import VIEW_ALL_TEAMS, can
from regard.conversations.choices import ACTIVE_STATUSES
from regard.conversations.models import Conversation
from regard.conversations.querysets import team_visible
from regard.customers.models import Customer
from regard.system.prepared import Prepared
from regard.web.inbox import ORDER, PAGE, ROW_FIELDS, Filters, view_condition, view_rows, with_due

# Views whose condition reads only the conversation, the agent and the time.
PREPARED_VIEWS = frozenset({"mine", "team", "unassigned", "waiting", "upset", "snoozed"})
BY_AGENT = frozenset({"mine", "team"})  # the views that read the agent themselves
WAITING, REST, ORDERED = "waiting", "rest", "ordered"
_prepared: dict[tuple[str, bool, str], Prepared] = {}


def inbox_rows(key: str, visible, agent, *, sort: str = "", filters: Filters | None = None):
    """What `view_rows(key, visible, agent, sort=sort, filters=filters)` gives, where `visible`
    is what `conversations_for(agent.user)` gives."""
    if sort or key not in PREPARED_VIEWS or (filters is not None and filters.active):
        return view_rows(key, visible, agent, sort=sort, filters=filters)
    all_teams = can(agent.user, VIEW_ALL_TEAMS)
    values = {"now": timezone.now()}
    if reads_agent(key, all_teams):
        values["agent"] = agent.pk
    if key in ORDER:
        page = _rows(key, all_teams, ORDERED)(**values)
    else:  # customers waiting on us first, longest first; then the latest changed
        page = _rows(key, all_teams, WAITING)(**values)
        if len(page) < PAGE:
            page += _rows(key, all_teams, REST)(**values)[: PAGE - len(page)]
    return with_due([Row.of(values) for values in page])


@dataclass(slots=True)
class RowCustomer:
    pk: int
    display_name: str
    preferred_name: str
    vip: bool
    name = Customer.name  # the same words as on the customer's own page


@dataclass(slots=True)
class RowAgent:
    pk: int
    display_name: str


@dataclass(slots=True)
class Row:
    """What an inbox row shows of a conversation (`ROW_FIELDS`), as plain values: making a
    hundred conversations, customers and agents as model instances cost more than the query."""

    pk: int
    subject: str
    status: str
    channel: str
    waiting_since: datetime | None
    upset: bool
    emotion: str
    customer: RowCustomer
    assignee: RowAgent | None
    next_due: datetime | None = None

    @classmethod
    def of(cls, values: tuple) -> Row:
        pk, subject, status, channel, waiting_since, upset, emotion, *rest = values
        customer_pk, display_name, preferred_name, vip, assignee_pk, assignee_name = rest
        customer = RowCustomer(customer_pk, display_name, preferred_name, vip)
        assignee = RowAgent(assignee_pk, assignee_name) if assignee_pk is not None else None
        return cls(pk, subject, status, channel, waiting_since, upset, emotion, customer, assignee)


def _rows(key: str, all_teams: bool, part: str) -> Prepared:
    prepared = _prepared.get((key, all_teams, part))
    if prepared is None:
        slots = {"now": datetime}
        if reads_agent(key, all_teams):
            slots["agent"] = int
        build = partial(_build, key, all_teams, part)
        prepared = _prepared[key, all_teams, part] = Prepared(build, **slots)
    return prepared


def reads_agent(key: str, all_teams: bool) -> bool:
    """Whether the query names the agent: for their teams' conversations, or for the view."""
    return not all_teams or key in BY_AGENT


def _build(key: str, all_teams: bool, part: str, now: datetime, agent: int | None = None):
    visible = Conversation.objects.all()
    if not all_teams:
        visible = visible.filter(team_visible(agent))
    rows = (
        visible.filter(status__in=ACTIVE_STATUSES)
        .filter(view_condition(key, agent, now))
        .values_list(*ROW_FIELDS)  # in the order Row.of reads them
    )
    if part == WAITING:
        return rows.filter(waiting_since__isnull=False).order_by("waiting_since", "id")[:PAGE]
    if part == REST:
        return rows.filter(waiting_since__isnull=True).order_by("-updated_at", "id")[:PAGE]
    return rows.order_by(*ORDER[key])[:PAGE]
