"""How each line of an export becomes rows again: typed reading of a record's fields, the
unique names records refer to, and one loader per file."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import models

from regard.accounts.choices import RoutingMode
from regard.accounts.models import Agent, Notification, Team
from regard.channels.models import Mailbox, RawMessage, ThreadReference
from regard.channels.web.portability import LOADERS as WEBFORM_LOADERS
from regard.commitments.models import Commitment
from regard.conversations.models import (
    Attachment,
    Conversation,
    Event,
    Message,
    SavedReply,
    Tag,
)
from regard.customers.models import Customer, CustomerNote, Identity, Moment, Organization
from regard.incidents.portability import LOADERS as INCIDENT_LOADERS
from regard.loyalty.portability import LOADERS as LOYALTY_LOADERS
from regard.service.models import BusinessCalendar, Holiday, Policy, ServiceClock
from regard.system.models import FailedTask
from regard.system.portability import parse_date, parse_datetime

Rows = Iterator[models.Model]


@dataclass
class Refs:
    """Unique names met so far, for the records that refer to logins, agents, teams and tags."""

    users: dict[str, int] = field(default_factory=dict)
    agents: dict[str, int] = field(default_factory=dict)
    teams: dict[str, int] = field(default_factory=dict)
    tags: dict[str, int] = field(default_factory=dict)
    leads: list[tuple[int, str]] = field(default_factory=list)
    mailboxes: list[str] = field(default_factory=list)

    def user(self, username: str | None) -> int | None:
        return _lookup(self.users, username, "login", "users.jsonl or agents.jsonl")

    def agent(self, username: str | None) -> int | None:
        return _lookup(self.agents, username, "agent", "agents.jsonl")

    def team(self, name: str) -> int:
        return _lookup(self.teams, name, "team", "teams.jsonl")

    def tag(self, name: str) -> int:
        return _lookup(self.tags, name, "tag", "tags.jsonl")


def _lookup(known: dict[str, int], name: str | None, what: str, where: str) -> int | None:
    if name is None:
        return None
    if name not in known:
        raise ValueError(f"no {what} named {name!r} in {where}")
    return known[name]


REQUIRED = object()


class Record:
    """One line of a file, read field by field; a wrong field is named in the error."""

    def __init__(self, data: dict):
        self.data = data

    def get(self, key: str):
        if key not in self.data:
            raise ValueError(f"missing field {key!r}")
        return self.data[key]

    def _typed(self, key: str, types, what: str, optional: bool = False, absent=REQUIRED):
        if absent is not REQUIRED and key not in self.data:
            return absent  # a field added after the first format: older exports lack it
        value = self.get(key)
        if value is None and optional:
            return None
        if not isinstance(value, types) or (types is int and isinstance(value, bool)):
            raise ValueError(f"field {key!r} must be {what}, not {value!r}"[:300])
        return value

    def int(self, key: str, absent=REQUIRED) -> int:
        return self._typed(key, int, "an integer", absent=absent)

    def ref(self, key: str, absent=REQUIRED) -> int | None:
        return self._typed(key, int, "an id or null", optional=True, absent=absent)

    def number(self, key: str) -> float | None:
        value = self._typed(key, (int, float), "a number or null", optional=True)
        if isinstance(value, bool):
            raise ValueError(f"field {key!r} must be a number or null, not {value!r}")
        return value

    def text(self, key: str, absent=REQUIRED) -> str:
        return self._typed(key, str, "a string", absent=absent)

    def name(self, key: str, absent=REQUIRED) -> str | None:
        return self._typed(key, str, "a name or null", optional=True, absent=absent)

    def flag(self, key: str, optional: bool = False, absent=REQUIRED) -> bool | None:
        return self._typed(key, bool, "true or false", optional, absent)

    def names(self, key: str) -> list:
        return self._typed(key, list, "a list")

    def json(self, key: str, types=(dict, list)):
        return self._typed(key, types, "a JSON object or list")

    def when(self, key: str, optional: bool = False, absent=REQUIRED):
        value = self._typed(key, str, "an ISO 8601 date-time", optional, absent)
        try:
            return parse_datetime(value)
        except ValueError as exc:
            raise ValueError(f"field {key!r}: {exc}") from None

    def day(self, key: str):
        try:
            return parse_date(self.text(key))
        except ValueError as exc:
            raise ValueError(f"field {key!r}: {exc}") from None

    def base64(self, key: str) -> bytes:
        try:
            return base64.b64decode(self.text(key), validate=True)
        except binascii.Error as exc:
            raise ValueError(f"field {key!r} is not base64: {exc}") from None


def _organization(r: Record, refs: Refs) -> Rows:
    yield Organization(
        id=r.int("id"),
        name=r.text("name"),
        domain=r.text("domain"),
        notes=r.text("notes"),
        concierge_id=refs.agent(r.name("concierge", absent=None)),
        portal_shared=r.flag("portal_shared", absent=False),
        created_at=r.when("created_at"),
    )


def _team(r: Record, refs: Refs) -> Rows:
    team = Team(
        id=r.int("id"),
        name=r.text("name"),
        routing_mode=r.text("routing_mode", absent=RoutingMode.MANUAL),
        offer_back_after=r.ref("offer_back_after", absent=None),
        receives_new=r.flag("receives_new", absent=False),
        created_at=r.when("created_at"),
    )
    if team.routing_mode not in RoutingMode.values:
        raise ValueError(f"field 'routing_mode' must be one of {', '.join(RoutingMode.values)}")
    refs.teams[team.name] = team.pk
    # Leads are agents, restored after teams: they are set once agents.jsonl is in.
    if (lead := r.name("lead")) is not None:
        refs.leads.append((team.pk, lead))
    yield team


def _login(r: Record, refs: Refs, id_key: str) -> User:
    user = User(
        id=r.int(id_key),
        username=r.text("username"),
        email=r.text("email"),
        is_active=r.flag("is_active"),
        is_staff=r.flag("is_staff"),
        is_superuser=r.flag("is_superuser"),
        date_joined=r.when("date_joined"),
        last_login=r.when("last_login", optional=True),
        password=make_password(None),
    )
    refs.users[user.username] = user.pk
    return user


def _user(r: Record, refs: Refs) -> Rows:
    yield _login(r, refs, "id")


def _agent(r: Record, refs: Refs) -> Rows:
    user = _login(r, refs, "user_id")
    yield user
    agent = Agent(
        id=r.int("id"),
        user_id=user.pk,
        display_name=r.text("display_name"),
        role=r.text("role"),
        time_zone=r.text("time_zone"),
        languages=r.text("languages"),
        capacity=r.int("capacity"),
        availability=r.text("availability"),
        availability_changed_at=r.when("availability_changed_at", True, absent=None),
        skills=r.text("skills", absent=""),
        last_routed_at=r.when("last_routed_at", True, absent=None),
        created_at=r.when("created_at"),
    )
    refs.agents[user.username] = agent.pk
    yield agent
    for name in r.names("teams"):
        yield Agent.teams.through(agent_id=agent.pk, team_id=refs.team(name))


def _mailbox(r: Record, refs: Refs) -> Rows:
    mailbox = Mailbox(
        id=r.int("id"),
        name=r.text("name"),
        address=r.text("address"),
        host=r.text("host"),
        port=r.int("port"),
        use_ssl=r.flag("use_ssl"),
        username=r.text("username"),
        folder=r.text("folder"),
        done_folder=r.text("done_folder"),
        auto_acknowledge=r.flag("auto_acknowledge", optional=True),
        active=r.flag("active"),
        last_checked_at=r.when("last_checked_at", optional=True),
        last_error=r.text("last_error"),
    )
    refs.mailboxes.append(mailbox.name)
    yield mailbox


def _customer(r: Record, refs: Refs) -> Rows:
    yield Customer(
        id=r.int("id"),
        display_name=r.text("name"),
        preferred_name=r.text("preferred_name"),
        pronunciation=r.text("pronunciation"),
        organization_id=r.ref("organization_id"),
        owner_id=refs.agent(r.name("owner")),
        concierge_id=refs.agent(r.name("concierge", absent=None)),
        vip=r.flag("vip"),
        no_surveys=r.flag("no_surveys", absent=False),
        no_marketing=r.flag("no_marketing", absent=False),
        referred_by_id=r.ref("referred_by_id", absent=None),
        language=r.text("language"),
        time_zone=r.text("time_zone"),
        preferred_channel=r.text("preferred_channel"),
        needs=r.text("needs"),
        wants=r.text("wants"),
        emotions=r.text("emotions"),
        stereotypes_to_avoid=r.text("stereotypes_to_avoid"),
        merged_into_id=r.ref("merged_into_id"),
        created_at=r.when("created_at"),
        updated_at=r.when("updated_at"),
    )


def _identity(r: Record, refs: Refs) -> Rows:
    yield Identity(
        id=r.int("id"),
        customer_id=r.int("customer_id"),
        kind=r.text("kind"),
        value=r.text("value"),
        display_value=r.text("display_value"),
        verified=r.flag("verified"),
        bouncing=r.flag("bouncing"),
        created_at=r.when("created_at"),
    )


def _customer_note(r: Record, refs: Refs) -> Rows:
    yield CustomerNote(
        id=r.int("id"),
        customer_id=r.int("customer_id"),
        author_id=refs.user(r.name("author")),
        text=r.text("text"),
        pinned=r.flag("pinned"),
        created_at=r.when("created_at"),
    )


def _moment(r: Record, refs: Refs) -> Rows:
    yield Moment(
        id=r.int("id"),
        customer_id=r.int("customer_id"),
        kind=r.text("kind"),
        label=r.text("label"),
        date=r.day("date"),
        recurring=r.flag("recurring"),
        created_at=r.when("created_at"),
    )


def _tag(r: Record, refs: Refs) -> Rows:
    tag = Tag(id=r.int("id"), name=r.text("name"))
    refs.tags[tag.name] = tag.pk
    yield tag


def _raw_message(r: Record, refs: Refs) -> Rows:
    yield RawMessage(
        id=r.int("id"),
        channel=r.text("channel"),
        source=r.text("source"),
        external_id=r.text("external_id"),
        sha256=r.text("sha256"),
        size=r.int("size"),
        state=r.text("state"),
        kind=r.text("kind"),
        conversation_id=r.ref("conversation_id"),
        error=r.text("error"),
        received_at=r.when("received_at"),
        processed_at=r.when("processed_at", optional=True),
        data=r.base64("data"),
    )


def _conversation(r: Record, refs: Refs) -> Rows:
    conversation = Conversation(
        id=r.int("id"),
        customer_id=r.int("customer_id"),
        subject=r.text("subject"),
        status=r.text("status"),
        priority=r.int("priority"),
        channel=r.text("channel"),
        assignee_id=refs.agent(r.name("assignee")),
        team_id=None if (team := r.name("team")) is None else refs.team(team),
        reply_token=r.text("reply_token"),
        linked_from_id=r.ref("linked_from_id"),
        emotion=r.text("emotion"),
        emotion_intensity=r.number("emotion_intensity"),
        upset=r.flag("upset"),
        waiting_since=r.when("waiting_since", optional=True),
        snoozed_until=r.when("snoozed_until", optional=True),
        created_at=r.when("created_at"),
        updated_at=r.when("updated_at"),
        first_reply_at=r.when("first_reply_at", optional=True),
        solved_at=r.when("solved_at", optional=True),
        closed_at=r.when("closed_at", optional=True),
    )
    yield conversation
    for name in r.names("tags"):
        yield Conversation.tags.through(conversation_id=conversation.pk, tag_id=refs.tag(name))
    for identity_id in r.names("participants"):
        yield Conversation.participants.through(
            conversation_id=conversation.pk, identity_id=identity_id
        )


def _message(r: Record, refs: Refs) -> Rows:
    message = Message(
        id=r.int("id"),
        conversation_id=r.int("conversation_id"),
        direction=r.text("direction"),
        channel=r.text("channel"),
        author_id=refs.user(r.name("author")),
        sender_id=r.ref("sender_identity_id"),
        sender_address=r.text("sender_address"),
        subject=r.text("subject"),
        text_new=r.text("text_new"),
        text_full=r.text("text_full"),
        html=r.text("html"),
        raw_id=r.ref("raw_id"),
        emotion=r.text("emotion"),
        emotion_intensity=r.number("emotion_intensity"),
        complaint=r.flag("complaint"),
        signals=r.json("signals"),
        evidence=r.json("evidence"),
        external_id=r.text("external_id"),
        delivery=r.text("delivery"),
        delivery_error=r.text("delivery_error"),
        created_at=r.when("created_at"),
        sent_at=r.when("sent_at", optional=True),
    )
    yield message
    for data in r.names("attachments"):
        if not isinstance(data, dict):
            raise ValueError(f"an attachment must be a JSON object, not {data!r}"[:300])
        yield _attachment(Record(data), message.pk)
    for ref in r.names("thread_references"):
        yield ThreadReference(message_id=message.pk, ref=ref)


def _attachment(r: Record, message_id: int) -> Attachment:
    return Attachment(
        id=r.int("id"),
        message_id=message_id,
        filename=r.text("filename"),
        content_type=r.text("content_type"),
        size=r.int("size"),
        sha256=r.text("sha256"),
        inline=r.flag("inline"),
        content_id=r.text("content_id"),
        blocked=r.flag("blocked"),
    )


def _commitment(r: Record, refs: Refs) -> Rows:
    yield Commitment(
        id=r.int("id"),
        conversation_id=r.int("conversation_id"),
        message_id=r.ref("message_id"),
        agent_id=refs.agent(r.name("agent")),
        text=r.text("text"),
        start=r.int("start"),
        end=r.int("end"),
        due_at=r.when("due_at"),
        has_timeline=r.flag("has_timeline"),
        state=r.text("state"),
        kept_how=r.text("kept_how"),
        maybe_kept_by_id=r.ref("maybe_kept_by_id"),
        reminded_at=r.when("reminded_at", optional=True),
        closed_at=r.when("closed_at", optional=True),
        created_at=r.when("created_at"),
    )


def _event(r: Record, refs: Refs) -> Rows:
    yield Event(
        id=r.int("id"),
        kind=r.text("kind"),
        actor_id=refs.user(r.name("actor")),
        conversation_id=r.ref("conversation_id"),
        customer_id=r.ref("customer_id"),
        data=r.json("data"),
        created_at=r.when("created_at"),
    )


def _failed_task(r: Record, refs: Refs) -> Rows:
    yield FailedTask(
        id=r.int("id"),
        task_path=r.text("task_path"),
        args=r.json("args"),
        kwargs=r.json("kwargs"),
        attempts=r.int("attempts"),
        error=r.text("error"),
        failed_at=r.when("failed_at"),
        retried_at=r.when("retried_at", optional=True),
    )


def _notification(r: Record, refs: Refs) -> Rows:
    recipient = refs.agent(r.text("recipient"))
    if recipient is None:
        raise ValueError("field 'recipient' must name an agent")
    yield Notification(
        id=r.int("id"),
        recipient_id=recipient,
        kind=r.text("kind"),
        text=r.text("text"),
        url=r.text("url"),
        key=r.text("key"),
        created_at=r.when("created_at"),
        read_at=r.when("read_at", optional=True),
        emailed_at=r.when("emailed_at", optional=True),
    )


def _saved_reply(r: Record, refs: Refs) -> Rows:
    team = r.name("team")
    yield SavedReply(
        id=r.int("id"),
        title=r.text("title"),
        text=r.text("text"),
        team_id=refs.team(team) if team is not None else None,
        created_by_id=refs.agent(r.name("created_by")),
        created_at=r.when("created_at"),
        updated_at=r.when("updated_at"),
    )


CLOCK_TIMES = ("due_at", "warn_at", "next_step_at", "paused_since", "met_at", "stopped_at")
SERVICE_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _business_calendar(r: Record, refs: Refs) -> Rows:
    calendar = BusinessCalendar(
        id=r.int("id"),
        name=r.text("name"),
        team_id=refs.team(r.name("team")),
        time_zone=r.text("time_zone"),
        created_at=r.when("created_at"),
        **{day: r.text(day) for day in SERVICE_WEEKDAYS},
    )
    yield calendar
    for number, data in enumerate(r.names("holidays")):
        if not isinstance(data, dict):
            raise ValueError(f"holidays[{number}] must be an object")
        holiday = Record(data)
        yield Holiday(
            id=holiday.int("id"),
            calendar_id=calendar.pk,
            date=holiday.day("date"),
            name=holiday.text("name"),
        )


def _service_policy(r: Record, refs: Refs) -> Rows:
    tag = r.name("tag")
    yield Policy(
        id=r.int("id"),
        name=r.text("name"),
        position=r.int("position"),
        active=r.flag("active"),
        min_priority=r.ref("min_priority"),
        channel=r.text("channel"),
        team_id=refs.team(r.name("team")),
        organization_id=r.ref("organization_id"),
        vip_only=r.flag("vip_only"),
        upset_only=r.flag("upset_only"),
        tag_id=refs.tag(tag) if tag is not None else None,
        first_reply_minutes=r.ref("first_reply_minutes"),
        next_reply_minutes=r.ref("next_reply_minutes"),
        resolution_minutes=r.ref("resolution_minutes"),
        calendar_id=r.ref("calendar_id"),
        warn_fraction=r.number("warn_fraction"),
        supervisor_after_minutes=r.int("supervisor_after_minutes"),
        supervisor_id=refs.agent(r.name("supervisor")),
        created_at=r.when("created_at"),
    )


def _service_clock(r: Record, refs: Refs) -> Rows:
    yield ServiceClock(
        id=r.int("id"),
        conversation_id=r.int("conversation_id"),
        metric=r.text("metric"),
        policy_id=r.ref("policy_id"),
        calendar_id=r.ref("calendar_id"),
        target_minutes=r.int("target_minutes"),
        warn_fraction=r.number("warn_fraction"),
        started_at=r.when("started_at"),
        **{name: r.when(name, optional=True) for name in CLOCK_TIMES},
        pauses=r.json("pauses", list),
        breached_at=r.when("breached_at", optional=True),
        step=r.int("step"),
    )


LOADERS = {
    "organizations.jsonl": _organization,
    "teams.jsonl": _team,
    "users.jsonl": _user,
    "agents.jsonl": _agent,
    "mailboxes.jsonl": _mailbox,
    "customers.jsonl": _customer,
    "identities.jsonl": _identity,
    "customer_notes.jsonl": _customer_note,
    "moments.jsonl": _moment,
    "tags.jsonl": _tag,
    "conversations.jsonl": _conversation,
    "raw_messages.jsonl": _raw_message,
    "messages.jsonl": _message,
    "commitments.jsonl": _commitment,
    "events.jsonl": _event,
    "failed_tasks.jsonl": _failed_task,
    "notifications.jsonl": _notification,
    "business_calendars.jsonl": _business_calendar,
    "service_policies.jsonl": _service_policy,
    "service_clocks.jsonl": _service_clock,
    "saved_replies.jsonl": _saved_reply,
}
LOADERS |= INCIDENT_LOADERS
LOADERS |= LOYALTY_LOADERS
LOADERS |= WEBFORM_LOADERS
