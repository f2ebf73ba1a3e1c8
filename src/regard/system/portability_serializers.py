"""How each kind of record is read from the database and written as one JSON object: the public
format described in docs/export.md."""

from __future__ import annotations

import base64
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import User
from django.db.models import F, QuerySet

from regard.accounts.models import Agent, Notification, Team
from regard.channels.models import Mailbox, RawMessage, ThreadReference
from regard.channels.web.portability import kinds as webform_kinds
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
from regard.incidents.portability import kinds as incident_kinds
from regard.loyalty.portability import kinds as loyalty_kinds
from regard.service.models import BusinessCalendar, Holiday, Policy, ServiceClock
from regard.system.models import FailedTask
from regard.system.portability import CHUNK, FILES, iso

# Children of a chunk of rows, fetched in one query per kind: {"tags": {conversation_id: [...]}}.
Related = dict[str, dict[int, list]]


@dataclass(frozen=True)
class Names:
    """Logins, agents and teams are referred to by their unique names, loaded once."""

    users: dict[int, str]
    agents: dict[int, str]
    teams: dict[int, str]
    tags: dict[int, str]

    @classmethod
    def load(cls) -> Names:
        users = dict(User.objects.values_list("pk", "username"))
        agents = {pk: users[user_id] for pk, user_id in Agent.objects.values_list("pk", "user_id")}
        teams = dict(Team.objects.values_list("pk", "name"))
        return cls(users, agents, teams, dict(Tag.objects.values_list("pk", "name")))


@dataclass(frozen=True)
class Kind:
    rows: QuerySet
    serialize: Callable[[dict, Names, Related], dict]
    related: Callable[[list[int]], Related] | None = None
    chunk: int = CHUNK


def kinds() -> dict[str, Kind]:
    """Every file of an export, in FILES order: rows as dicts, and how each becomes a record."""
    login = {f: F(f"user__{f}") for f in USER_FIELDS[1:]}
    kinds = {
        "organizations.jsonl": Kind(Organization.objects.values(), _organization),
        "teams.jsonl": Kind(Team.objects.values(), _team),
        "users.jsonl": Kind(User.objects.filter(agent__isnull=True).values(), _user),
        "agents.jsonl": Kind(Agent.objects.values(*AGENT_FIELDS, **login), _agent, _agent_teams),
        "mailboxes.jsonl": Kind(Mailbox.objects.values(), _mailbox),
        "customers.jsonl": Kind(Customer.objects.values(), _customer, _customer_identities),
        "identities.jsonl": Kind(Identity.objects.values(), _identity),
        "customer_notes.jsonl": Kind(CustomerNote.objects.values(), _customer_note),
        "moments.jsonl": Kind(Moment.objects.values(), _moment),
        "tags.jsonl": Kind(Tag.objects.values(), _tag),
        "conversations.jsonl": Kind(
            Conversation.objects.values(), _conversation, _conversation_links
        ),
        # Raw messages can be megabytes each: a few at a time keeps memory flat.
        "raw_messages.jsonl": Kind(RawMessage.objects.values(), _raw_message, chunk=50),
        "messages.jsonl": Kind(Message.objects.values(), _message, _message_parts),
        "commitments.jsonl": Kind(Commitment.objects.values(), _commitment),
        "events.jsonl": Kind(Event.objects.values(), _event),
        "failed_tasks.jsonl": Kind(FailedTask.objects.values(), _failed_task),
        "notifications.jsonl": Kind(Notification.objects.values(), _notification),
        "business_calendars.jsonl": Kind(
            BusinessCalendar.objects.values(), _business_calendar, _calendar_holidays
        ),
        "service_policies.jsonl": Kind(Policy.objects.values(), _service_policy),
        "service_clocks.jsonl": Kind(ServiceClock.objects.values(), _service_clock),
        "saved_replies.jsonl": Kind(SavedReply.objects.values(), _saved_reply),
    }
    kinds |= incident_kinds(Kind, _canonical)
    kinds |= loyalty_kinds(Kind)
    kinds |= webform_kinds(Kind)
    return {name: kinds[name] for name in FILES}


def _copy(row: dict, *fields: str) -> dict:
    """The fields as they are, dates and times written in ISO 8601."""
    return {f: iso(row[f]) if isinstance(row[f], date) else row[f] for f in fields}


def _canonical(value):
    """JSON with sorted keys: PostgreSQL's jsonb reorders keys, and exports should not differ."""
    if isinstance(value, dict):
        return {key: _canonical(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_canonical(item) for item in value]
    return value


def _grouped(pairs: Iterable[tuple[int, object]]) -> dict[int, list]:
    groups = defaultdict(list)
    for key, value in pairs:
        groups[key].append(value)
    return groups


USER_FIELDS = (
    "id",
    "username",
    "email",
    "is_active",
    "is_staff",
    "is_superuser",
    "date_joined",
    "last_login",
)
AGENT_FIELDS = (
    "id",
    "user_id",
    "display_name",
    "role",
    "time_zone",
    "languages",
    "capacity",
    "availability",
    "availability_changed_at",
    "skills",
    "last_routed_at",
    "created_at",
)


def _organization(row: dict, names: Names, related: Related) -> dict:
    return {
        **_copy(row, "id", "name", "domain", "notes"),
        "concierge": names.agents.get(row["concierge_id"]),
        **_copy(row, "portal_shared", "created_at"),
    }


def _team(row: dict, names: Names, related: Related) -> dict:
    return {
        **_copy(row, "id", "name"),
        "lead": names.agents.get(row["lead_id"]),
        **_copy(row, "routing_mode", "offer_back_after", "receives_new", "created_at"),
    }


def _user(row: dict, names: Names, related: Related) -> dict:
    return _copy(row, *USER_FIELDS)


def _agent(row: dict, names: Names, related: Related) -> dict:
    teams = related["teams"].get(row["id"], [])
    return {
        **_copy(row, "id", "user_id", "username", "display_name", "email", "role"),
        "teams": sorted(names.teams[team_id] for team_id in teams),
        **_copy(row, "time_zone", "languages", "capacity", "availability", *USER_FIELDS[3:]),
        **_copy(row, "availability_changed_at", "skills", "last_routed_at", "created_at"),
    }


def _agent_teams(ids: list[int]) -> Related:
    links = Agent.teams.through.objects.filter(agent_id__in=ids)
    return {"teams": _grouped(links.values_list("agent_id", "team_id"))}


MAILBOX_FIELDS = ("id", "name", "address", "host", "port", "use_ssl", "username", "folder")


def _mailbox(row: dict, names: Names, related: Related) -> dict:
    """Without its password: an export is a file that travels, a mail password must not."""
    fields = ("done_folder", "auto_acknowledge", "active", "last_checked_at", "last_error")
    return _copy(row, *MAILBOX_FIELDS, *fields)


def _customer(row: dict, names: Names, related: Related) -> dict:
    return {
        "id": row["id"],
        "name": row["display_name"],
        **_copy(row, "preferred_name", "pronunciation"),
        "identities": related["identities"].get(row["id"], []),
        **_copy(row, "organization_id"),
        "owner": names.agents.get(row["owner_id"]),
        "concierge": names.agents.get(row["concierge_id"]),
        **_copy(row, "vip", "language", "time_zone", "preferred_channel"),
        **_copy(row, "no_surveys", "no_marketing", "referred_by_id"),
        **_copy(row, "needs", "wants", "emotions", "stereotypes_to_avoid"),
        **_copy(row, "merged_into_id", "created_at", "updated_at"),
    }


def _customer_identities(ids: list[int]) -> Related:
    identities = Identity.objects.filter(customer_id__in=ids).order_by("pk")
    pairs = identities.values_list("customer_id", "kind", "value")
    return {"identities": _grouped((c, {"kind": k, "value": v}) for c, k, v in pairs)}


def _identity(row: dict, names: Names, related: Related) -> dict:
    fields = ("id", "customer_id", "kind", "value", "display_value", "verified", "bouncing")
    return _copy(row, *fields, "created_at")


def _customer_note(row: dict, names: Names, related: Related) -> dict:
    return {
        **_copy(row, "id", "customer_id"),
        "author": names.users.get(row["author_id"]),
        **_copy(row, "text", "pinned", "created_at"),
    }


def _moment(row: dict, names: Names, related: Related) -> dict:
    return _copy(row, "id", "customer_id", "kind", "label", "date", "recurring", "created_at")


def _tag(row: dict, names: Names, related: Related) -> dict:
    return _copy(row, "id", "name")


def _conversation(row: dict, names: Names, related: Related) -> dict:
    pk = row["id"]
    return {
        **_copy(row, "id", "customer_id", "subject", "status"),
        "assignee": names.agents.get(row["assignee_id"]),
        "team": names.teams.get(row["team_id"]),
        "tags": sorted(names.tags[tag_id] for tag_id in related["tags"].get(pk, [])),
        "participants": sorted(related["participants"].get(pk, [])),
        **_copy(row, "priority", "channel", "reply_token", "linked_from_id"),
        **_copy(row, "emotion", "emotion_intensity", "upset"),
        **_copy(row, "waiting_since", "snoozed_until", "created_at", "updated_at"),
        **_copy(row, "first_reply_at", "solved_at", "closed_at"),
    }


def _conversation_links(ids: list[int]) -> Related:
    tags = Conversation.tags.through.objects.filter(conversation_id__in=ids)
    participants = Conversation.participants.through.objects.filter(conversation_id__in=ids)
    return {
        "tags": _grouped(tags.values_list("conversation_id", "tag_id")),
        "participants": _grouped(participants.values_list("conversation_id", "identity_id")),
    }


def _raw_message(row: dict, names: Names, related: Related) -> dict:
    fields = ("id", "channel", "source", "external_id", "sha256", "size", "state", "kind")
    return {
        **_copy(row, *fields, "conversation_id", "error", "received_at", "processed_at"),
        "data": base64.b64encode(bytes(row["data"])).decode("ascii"),
    }


def _message(row: dict, names: Names, related: Related) -> dict:
    author = names.users.get(row["author_id"])
    return {
        **_copy(row, "id", "conversation_id", "direction", "channel"),
        "sender": row["sender_address"] or author or "",
        "author": author,
        "sender_identity_id": row["sender_id"],
        **_copy(row, "sender_address", "subject", "text_new", "text_full", "html", "raw_id"),
        **_copy(row, "emotion", "emotion_intensity", "complaint"),
        "signals": _canonical(row["signals"]),
        "evidence": _canonical(row["evidence"]),
        **_copy(row, "external_id", "delivery", "delivery_error", "created_at", "sent_at"),
        "attachments": related["attachments"].get(row["id"], []),
        "thread_references": related["references"].get(row["id"], []),
    }


ATTACHMENT_FIELDS = ("id", "filename", "size", "sha256", "content_type", "inline")


def _message_parts(ids: list[int]) -> Related:
    attachments = Attachment.objects.filter(message_id__in=ids).order_by("pk").values()
    references = ThreadReference.objects.filter(message_id__in=ids).order_by("pk")
    return {
        "attachments": _grouped(
            (a["message_id"], _copy(a, *ATTACHMENT_FIELDS, "content_id", "blocked"))
            for a in attachments
        ),
        "references": _grouped(references.values_list("message_id", "ref")),
    }


def _commitment(row: dict, names: Names, related: Related) -> dict:
    return {
        **_copy(row, "id", "conversation_id", "message_id"),
        "agent": names.agents.get(row["agent_id"]),
        **_copy(row, "text", "start", "end", "due_at", "has_timeline", "state", "kept_how"),
        **_copy(row, "maybe_kept_by_id", "reminded_at", "closed_at", "created_at"),
    }


def _event(row: dict, names: Names, related: Related) -> dict:
    return {
        **_copy(row, "id", "kind"),
        "actor": names.users.get(row["actor_id"]),
        **_copy(row, "conversation_id", "customer_id"),
        "data": _canonical(row["data"]),
        **_copy(row, "created_at"),
    }


def _failed_task(row: dict, names: Names, related: Related) -> dict:
    return {
        **_copy(row, "id", "task_path"),
        "args": _canonical(row["args"]),
        "kwargs": _canonical(row["kwargs"]),
        **_copy(row, "attempts", "error", "failed_at", "retried_at"),
    }


def _notification(row: dict, names: Names, related: Related) -> dict:
    return {
        **_copy(row, "id"),
        "recipient": names.agents[row["recipient_id"]],
        **_copy(row, "kind", "text", "url", "key", "created_at", "read_at", "emailed_at"),
    }


def _saved_reply(row: dict, names: Names, related: Related) -> dict:
    return {
        **_copy(row, "id", "title", "text"),
        "team": names.teams.get(row["team_id"]),
        "created_by": names.agents.get(row["created_by_id"]),
        **_copy(row, "created_at", "updated_at"),
    }


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _business_calendar(row: dict, names: Names, related: Related) -> dict:
    return {
        **_copy(row, "id", "name"),
        "team": names.teams.get(row["team_id"]),
        **_copy(row, "time_zone", *WEEKDAYS),
        "holidays": related["holidays"].get(row["id"], []),
        **_copy(row, "created_at"),
    }


def _calendar_holidays(ids: list[int]) -> Related:
    holidays = Holiday.objects.filter(calendar_id__in=ids).order_by("date", "pk").values()
    return {
        "holidays": _grouped((h["calendar_id"], _copy(h, "id", "date", "name")) for h in holidays)
    }


def _service_policy(row: dict, names: Names, related: Related) -> dict:
    return {
        **_copy(row, "id", "name", "position", "active", "min_priority", "channel"),
        "team": names.teams.get(row["team_id"]),
        **_copy(row, "organization_id", "vip_only", "upset_only"),
        "tag": names.tags.get(row["tag_id"]),
        **_copy(row, "first_reply_minutes", "next_reply_minutes", "resolution_minutes"),
        **_copy(row, "calendar_id", "warn_fraction", "supervisor_after_minutes"),
        "supervisor": names.agents.get(row["supervisor_id"]),
        **_copy(row, "created_at"),
    }


CLOCK_TIMES = ("due_at", "warn_at", "next_step_at", "paused_since", "met_at", "stopped_at")


def _service_clock(row: dict, names: Names, related: Related) -> dict:
    return {
        **_copy(row, "id", "conversation_id", "metric", "policy_id", "calendar_id"),
        **_copy(row, "target_minutes", "warn_fraction", "started_at", *CLOCK_TIMES),
        "pauses": row["pauses"],
        **_copy(row, "breached_at", "step"),
    }
