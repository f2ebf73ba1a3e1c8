"""Routing: who answers a conversation, and why.

Continuity first: the customer's concierge (pinned while set), else their person, else the agent
who last helped them, else the team's mode. Every decision is recorded on the timeline in words.

Race-free with several workers: the conversation row is locked, and each candidate agent is
locked (one at a time, in a savepoint, so a full agent's lock is released at once) and their open
conversations recounted under the lock before anything is assigned. SQLite serialises writers.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from regard.accounts.choices import Availability, Role, RoutingMode
from regard.accounts.models import Agent, Team
from regard.conversations.choices import ACTIVE_STATUSES, Direction, EventKind
from regard.conversations.events import record_event
from regard.conversations.memo import remembered
from regard.conversations.models import Conversation, Event, Message
from regard.customers.models import Customer, Organization

log = logging.getLogger("regard.routing")

# The order a team's queue is worked in: upset customers and VIPs jump it, then priority, then
# whoever has waited longest.
QUEUE_ORDER = (
    F("upset").desc(),
    F("customer__vip").desc(),
    F("priority").desc(),
    F("waiting_since").asc(nulls_last=True),
    "id",
)
QUEUED = "queue"
_ACTIVE = ", ".join(["%s"] * len(ACTIVE_STATUSES))
_CONVERSATION = Conversation._meta.db_table
_AGENT = Agent._meta.db_table
_USER = Agent._meta.get_field("user").related_model._meta.db_table
# The hot path of a decision is hand-written SQL: building these queries through the ORM cost
# several times what the database spent answering them. Only table names (from the models) are
# formatted in; every value is a bound parameter.
# What a decision reads of the conversation and its customer, organization and team.
LOCK_SQL = (
    "SELECT c.id, c.customer_id, c.team_id, cu.display_name, cu.preferred_name, "  # noqa: S608
    "cu.language, cu.owner_id, cu.concierge_id, cu.organization_id, o.name, o.concierge_id, "
    f"t.name, t.routing_mode FROM {_CONVERSATION} c "
    f"JOIN {Customer._meta.db_table} cu ON cu.id = c.customer_id "
    f"LEFT JOIN {Organization._meta.db_table} o ON o.id = cu.organization_id "
    f"LEFT JOIN {Team._meta.db_table} t ON t.id = c.team_id "
    f"WHERE c.id = %s AND c.assignee_id IS NULL AND c.status IN ({_ACTIVE})"
)
LAST_HELPER_SQL = (
    f"SELECT a.id, m.created_at FROM {Message._meta.db_table} m "  # noqa: S608
    f"JOIN {_CONVERSATION} c ON c.id = m.conversation_id "
    f"JOIN {_AGENT} a ON a.user_id = m.author_id "
    "WHERE c.customer_id = %s AND c.id <> %s AND m.direction = %s "
    "ORDER BY m.created_at DESC, m.id DESC LIMIT 1"
)
CLAIM_SQL = (
    "SELECT a.display_name, a.availability, a.capacity, a.role, u.is_active "  # noqa: S608
    f"FROM {_AGENT} a JOIN {_USER} u ON u.id = a.user_id WHERE a.id = %s"
)
ROUTED_BEFORE_SQL = (
    f"SELECT 1 FROM {Event._meta.db_table} WHERE conversation_id = %s AND kind = %s LIMIT 1"  # noqa: S608
)
OPEN_SQL = f"SELECT COUNT(*) FROM {_CONVERSATION} WHERE assignee_id = %s AND status IN ({_ACTIVE})"  # noqa: S608
_MINE = f"FROM {_CONVERSATION} c WHERE c.assignee_id = a.id AND c.status IN ({_ACTIVE})"
MEMBERS_SQL = (
    "SELECT a.id, a.display_name, a.availability, a.capacity, a.skills, a.languages, "  # noqa: S608
    f"a.last_routed_at, (SELECT COUNT(*) {_MINE}), (SELECT COALESCE(SUM(c.priority), 0) {_MINE}) "
    f"FROM {_AGENT} a JOIN {Agent.teams.through._meta.db_table} t ON t.agent_id = a.id "
    f"JOIN {_USER} u ON u.id = a.user_id WHERE t.team_id = %s AND u.is_active AND a.role <> %s"
)


@dataclass(frozen=True)
class Decision:
    """What routing did with one conversation: `assignee` None means it stays in the queue."""

    assignee: Agent | None
    team: Team | None
    rule: str
    reason: str

    @property
    def text(self) -> str:
        return describe(
            {
                "assignee": self.assignee.display_name if self.assignee else None,
                "team": self.team.name if self.team else None,
                "reason": self.reason,
            }
        )


def describe(data: dict) -> str:
    """A routing event's data in words: "assigned to Dana: their person, available, 3 open"."""
    reason = data.get("reason") or "no reason recorded"
    if data.get("assignee"):
        return f"assigned to {data['assignee']}: {reason}"
    if data.get("team"):
        return f"left in the {data['team']} queue: {reason}"
    return f"left unassigned: {reason}"


@dataclass
class _Candidate:
    """A team member as ranking sees them: one row, no model instance (200 of them per call)."""

    pk: int
    name: str
    availability: str
    capacity: int
    skills: str
    languages: str
    last_routed_at: datetime | None
    open: int
    load: int
    matched: list[str] = field(default_factory=list)

    def as_agent(self) -> Agent:
        """The agent with the fields routing read; any other field loads on first use."""
        return _instance(
            Agent,
            id=self.pk,
            display_name=self.name,
            availability=self.availability,
            capacity=self.capacity,
        )


def route_arrival(
    conversation: Conversation, at=None, *, opened: bool = False, new_customer: bool = False
) -> Decision | None:
    """Route a conversation a customer's message just arrived in, unless it is assigned already
    or was routed before (a queued conversation waits for `route_waiting`, not for every reply).

    `opened`: the conversation was created in this transaction, so nobody can have routed it.
    `new_customer`: so was its customer (loaded in `conversation`), so nobody can have helped
    them before and nothing the decision reads needs reading again.
    """
    if conversation.assignee_id is not None:
        return None
    # Called inside the arrival's own transaction: a failure rolls back the caller's savepoint,
    # so a savepoint of its own would only cost two statements per new conversation.
    with transaction.atomic(savepoint=False):
        return _route(conversation, at=at, once=not opened, fresh=opened and new_customer)


def route(conversation: Conversation, at=None, *, once: bool = False, quiet: bool = False):
    """Decide and apply an assignee for an unassigned conversation, and record why.

    `once`: do nothing if the conversation was routed before. `quiet`: record nothing when it
    stays in the queue (the queue sweep retries every minute). Returns the Decision, or None when
    nothing was decided (assigned already, closed, or routed before with `once`).
    """
    with transaction.atomic():
        return _route(conversation, at=at, once=once, quiet=quiet)


def _route(conversation, at=None, *, once=False, quiet=False, fresh=False) -> Decision | None:
    at = at or timezone.now()
    # Nobody else sees a conversation created in this transaction: it needs no lock.
    locked = conversation if fresh else _lock(conversation.pk)
    if locked is None:
        return None
    # A statement of its own, after the lock: one started before it would miss a routing event
    # committed by the worker that held the lock.
    if once and _one(ROUTED_BEFORE_SQL, [locked.pk, EventKind.ROUTED]):
        return None
    decision = decide(locked, first_contact=fresh)
    if decision.assignee is None and quiet:
        return decision
    _apply(locked, decision, at)
    conversation.assignee, conversation.team = decision.assignee, decision.team
    return decision


def _lock(pk: int) -> Conversation | None:
    """The conversation, locked, with what a decision reads of its customer, organization and
    team; None when it is assigned already or no longer active."""
    lock = " FOR UPDATE OF c" if connection.features.has_select_for_update_of else ""
    row = _one(LOCK_SQL + lock, [pk, *ACTIVE_STATUSES])
    if row is None:
        return None
    conversation = _instance(Conversation, id=row[0], customer_id=row[1], team_id=row[2])
    customer = _instance(
        Customer,
        id=row[1],
        display_name=row[3],
        preferred_name=row[4],
        language=row[5],
        owner_id=row[6],
        concierge_id=row[7],
        organization_id=row[8],
    )
    if row[8]:
        customer.organization = _instance(
            Organization, id=row[8], name=row[9], concierge_id=row[10]
        )
    conversation.customer = customer
    if row[2]:
        conversation.team = _instance(Team, id=row[2], name=row[11], routing_mode=row[12])
    return conversation


def _instance(model, **values):
    """A model instance with only these fields loaded (by attname), as a query would give it."""
    fields = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(model.objects.db, fields, [values[name] for name in fields])


def _one(sql: str, params: list):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def decide(conversation: Conversation, *, first_contact: bool = False) -> Decision:
    """Who should take it: the steps in order, each explained; claims the agent it names.

    `first_contact`: the customer is new, so nobody has helped them yet."""
    team = conversation.team or remembered("team_receiving_new", _team_receiving_new)
    pinned = _concierge(conversation, team)
    if pinned is not None:
        return pinned
    notes, tried = [], set()
    for rule, agent_id, why in _people_they_know(conversation, first_contact):
        if agent_id in tried:
            continue
        tried.add(agent_id)
        agent, opened, state = _claim(agent_id, skip_locked=False)
        if state == OK:
            reason = f"{why}, available, {opened} open"
            return Decision(agent, team, rule, _with_notes(reason, notes))
        if agent is not None:
            who = "their person" if rule == "owner" else "who last helped them"
            notes.append(f"{agent.display_name}, {who}, {state}")
    if team is None:
        reason = _with_notes("no team receives new conversations", notes)
        return Decision(None, None, QUEUED, reason)
    return _by_mode(conversation, team, tried, notes)


def _team_receiving_new() -> Team | None:
    return Team.objects.filter(receives_new=True).first()


def _concierge(conversation: Conversation, team: Team | None) -> Decision | None:
    """Pinned to the concierge even when they are away or full: that is what a concierge is."""
    customer = conversation.customer
    organization = customer.organization
    if customer.concierge_id:
        agent_id, why = customer.concierge_id, "their concierge, pinned"
    elif organization is not None and organization.concierge_id:
        agent_id, why = organization.concierge_id, f"concierge for {organization.name}, pinned"
    else:
        return None
    agent = Agent.objects.only("display_name", "availability").get(pk=agent_id)
    state = "" if agent.availability == Availability.AVAILABLE else f", {agent.availability}"
    reason = f"{why}{state}, {_open_count(agent.pk)} open"
    return Decision(agent, team, "concierge", reason)


def _people_they_know(conversation: Conversation, first_contact: bool):
    """(rule, agent id, why) for their person, then the agent who last replied to them."""
    customer = conversation.customer
    if customer.owner_id:
        yield "owner", customer.owner_id, "their person"
    if first_contact:
        return
    last = _one(LAST_HELPER_SQL, [customer.pk, conversation.pk, Direction.OUTBOUND])
    if last is not None:
        yield "last_helper", last[0], f"last helped them on {_when(last[1]):%-d %b %Y}"


def _by_mode(conversation: Conversation, team: Team, tried: set, notes: list) -> Decision:
    mode = team.routing_mode
    if mode == RoutingMode.MANUAL:
        return Decision(None, team, QUEUED, _with_notes(f"{team.name} assigns by hand", notes))
    if mode not in RoutingMode.values:
        log.warning("team %s has an unknown routing mode %r", team.name, mode)
        reason = f"unknown routing mode {mode!r}; {team.name} assigns by hand until it is fixed"
        return Decision(None, team, QUEUED, _with_notes(reason, notes))
    ranked, unavailable = _ranked(conversation, team, mode, tried)
    if ranked and not connection.features.has_select_for_update:
        # SQLite: this transaction began IMMEDIATE and holds the write lock, so the counts just
        # read are current and nobody can change them before we commit.
        best = ranked[0]
        reason = _why(mode, team, best, best.open)
        return Decision(best.as_agent(), team, mode, _with_notes(reason, notes))
    skipped = []
    for candidate in ranked:
        agent, opened, state = _claim(candidate.pk, skip_locked=True)
        if state == LOCKED:
            skipped.append(candidate)
        elif state == OK:
            reason = _why(mode, team, candidate, opened)
            return Decision(agent, team, mode, _with_notes(reason, notes))
    # Everyone left was being given a conversation by another worker: wait for them, one by one.
    for candidate in skipped:
        agent, opened, state = _claim(candidate.pk, skip_locked=False)
        if state == OK:
            reason = _why(mode, team, candidate, opened)
            return Decision(agent, team, mode, _with_notes(reason, notes))
    reason = f"nobody available in {team.name}" + (f" ({unavailable})" if unavailable else "")
    return Decision(None, team, QUEUED, _with_notes(reason, notes))


def _ranked(conversation: Conversation, team: Team, mode: str, tried: set):
    """Available team members under capacity, best first, and a summary of who was not."""
    candidates, away, full = [], 0, 0
    for candidate in _members(team):
        if candidate.availability != Availability.AVAILABLE:
            away += 1
        elif candidate.open >= candidate.capacity:
            full += 1
        elif candidate.pk not in tried:
            candidates.append(candidate)
    if mode == RoutingMode.ROUND_ROBIN:
        candidates.sort(key=lambda c: (_last_routed(c), c.pk))
    elif mode == RoutingMode.SKILLS:
        _match(conversation, candidates)
        candidates.sort(key=lambda c: (-len(c.matched), c.load, c.open, c.pk))
    else:
        candidates.sort(key=lambda c: (c.load, c.open, _last_routed(c), c.pk))
    parts = [f"{away} away or offline" if away else "", f"{full} at capacity" if full else ""]
    return candidates, ", ".join(p for p in parts if p)


def _members(team: Team) -> list[_Candidate]:
    """The team's agents who answer customers, with their open conversations and load (the sum
    of priorities: urgent 4 … low 1).

    Hand-written SQL, because this runs on every decision over every member (200 and more) and
    the ORM spent twice the database's time building the query and converting rows. The counts
    are correlated subqueries over the index conv_assignee_load (accounts migration 0004), so an
    agent's closed history is never read and no GROUP BY sorts the rows.
    """
    params = [*ACTIVE_STATUSES, *ACTIVE_STATUSES, team.pk, Role.LIGHT_AGENT]
    with connection.cursor() as cursor:
        cursor.execute(MEMBERS_SQL, params)
        rows = cursor.fetchall()
    return [_Candidate(*row[:6], _when(row[6]), *row[7:]) for row in rows]


def _when(value) -> datetime | None:
    """SQLite hands a raw cursor its date-times as text, in UTC without an offset."""
    if isinstance(value, str):
        return parse_datetime(value).replace(tzinfo=UTC)
    return value


def _last_routed(candidate: _Candidate) -> float:
    """Never routed to sorts first; then whoever waited longest since their last one."""
    when = candidate.last_routed_at
    return when.timestamp() if when else 0.0


def _match(conversation: Conversation, candidates: list[_Candidate]) -> None:
    """What each candidate knows of this conversation: its tags and the customer's language."""
    tags = {name.lower() for name in conversation.tags.values_list("name", flat=True)}
    language = (conversation.customer.language or "").strip().lower()
    for candidate in candidates:
        knows = sorted(tags & _tags(candidate.skills))
        candidate.matched = [f"knows {t}" for t in knows]
        if language and _speaks(_tags(candidate.languages), language):
            candidate.matched.append(f"speaks {language}")


def _tags(text: str) -> frozenset[str]:
    return frozenset(part.strip().lower() for part in (text or "").split(",") if part.strip())


def _speaks(languages: frozenset[str], language: str) -> bool:
    """ "de" matches "de-AT" both ways: a regional variant is still the language."""
    base = language.split("-")[0]
    return any(code == language or code.split("-")[0] == base for code in languages)


def _why(mode: str, team: Team, candidate: _Candidate, opened: int) -> str:
    if mode == RoutingMode.ROUND_ROBIN:
        return f"next in turn in {team.name}, {opened} open"
    if mode == RoutingMode.SKILLS and candidate.matched:
        return f"{', '.join(candidate.matched)}, {opened} open"
    if mode == RoutingMode.SKILLS:
        return f"nobody matches better; least loaded in {team.name}, {opened} open"
    return f"least loaded in {team.name}, {opened} open (load {candidate.load})"


def _with_notes(reason: str, notes: list[str]) -> str:
    return reason if not notes else f"{reason} ({'; '.join(notes)})"


def _open_count(agent_id: int) -> int:
    return _one(OPEN_SQL, [agent_id, *ACTIVE_STATUSES])[0]


OK, LOCKED = "ok", "locked"


class _Taken(Exception):
    """The agent cannot take it; rolling back the savepoint releases their row lock."""


def _claim(agent_id: int, *, skip_locked: bool) -> tuple[Agent | None, int, str]:
    """Lock the agent and recount their open conversations under the lock.

    Returns (agent, open, OK) when they may take one more; else why not: LOCKED (another worker
    holds them; only with `skip_locked`), "is away", "is offline" or "is at capacity (…)".
    """
    savepoint = transaction.atomic() if connection.features.has_select_for_update else None
    agent, opened = None, 0
    try:
        with savepoint or contextlib.nullcontext():
            lock = ""
            if connection.features.has_select_for_update_of:
                lock = " FOR UPDATE OF a SKIP LOCKED" if skip_locked else " FOR UPDATE OF a"
            row = _one(CLAIM_SQL + lock, [agent_id])
            if row is None:
                return None, 0, LOCKED
            agent = _instance(
                Agent,
                id=agent_id,
                display_name=row[0],
                availability=row[1],
                capacity=row[2],
                role=row[3],
            )
            active = row[4]
            if agent.role == Role.LIGHT_AGENT or not active:
                raise _Taken("only adds notes" if active else "is deactivated")
            if agent.availability != Availability.AVAILABLE:
                raise _Taken(f"is {agent.availability}")
            opened = _open_count(agent_id)
            if opened >= agent.capacity:
                raise _Taken(f"is at capacity ({opened} of {agent.capacity} open)")
    except _Taken as taken:
        return agent, opened, str(taken)
    return agent, opened, OK


def _apply(conversation: Conversation, decision: Decision, at) -> None:
    when = connection.ops.adapt_datetimefield_value(at)
    assignee = decision.assignee.pk if decision.assignee else None
    team = decision.team.pk if decision.team else None
    with connection.cursor() as cursor:
        # `conversation` comes from `_lock`, unassigned: staying in its team's queue changes
        # nothing to write (most new mail, when nobody is free to take it).
        if assignee is not None or team != conversation.team_id:
            cursor.execute(
                f"UPDATE {_CONVERSATION} SET assignee_id = %s, team_id = %s, "  # noqa: S608
                "updated_at = %s WHERE id = %s",
                [assignee, team, when, conversation.pk],
            )
        if assignee is not None:
            cursor.execute(
                f"UPDATE {_AGENT} SET last_routed_at = %s WHERE id = %s",  # noqa: S608
                [when, assignee],
            )
    record_event(
        EventKind.ROUTED,
        conversation=conversation,
        at=at,
        assignee=decision.assignee.display_name if decision.assignee else None,
        team=decision.team.name if decision.team else None,
        rule=decision.rule,
        reason=decision.reason,
        summary=decision.text,
    )
