"""Incidents in `regard export` / `regard import`: how each record is written and read back
(the shared modules in `regard.system` list these beside every other kind)."""

from __future__ import annotations

from regard.incidents.models import (
    AffectedCustomer,
    GroupConcierge,
    Incident,
    IncidentUpdate,
    LinkSuggestion,
    UpdateDelivery,
)

FILES = (
    "incidents.jsonl",
    "incident_affected.jsonl",
    "incident_group_concierges.jsonl",
    "incident_suggestions.jsonl",
    "incident_updates.jsonl",
    "incident_deliveries.jsonl",
)
MODELS = (
    Incident,
    AffectedCustomer,
    GroupConcierge,
    LinkSuggestion,
    IncidentUpdate,
    UpdateDelivery,
)


def _copy(row, *fields):
    from regard.system.portability_serializers import _copy as copy

    return copy(row, *fields)


def kinds(Kind, canonical) -> dict:  # noqa: N803 - the shared Kind class is passed in
    def incident(row, names, related):
        return {
            **_copy(row, "id", "title", "public_text", "internal_notes", "status", "severity"),
            "owner": names.agents[row["owner_id"]],
            **_copy(row, "started_at", "ended_at", "next_update_due_at"),
            "profile": canonical(row["profile"]),
            **_copy(row, "created_at", "updated_at"),
        }

    def affected(row, names, related):
        return {
            **_copy(row, "id", "incident_id", "customer_id", "conversation_id", "linked_by"),
            **_copy(row, "source", "note"),
            "concierge": names.agents.get(row["concierge_id"]),
            **_copy(row, "muted", "thank_you_draft", "linked_at"),
        }

    def group(row, names, related):
        return {
            **_copy(row, "id", "incident_id", "organization_id"),
            "agent": names.agents[row["agent_id"]],
        }

    def suggestion(row, names, related):
        return {
            **_copy(row, "id", "incident_id", "conversation_id", "message_id", "score"),
            "words": row["words"],
            **_copy(row, "state", "created_at", "decided_at"),
            "decided_by": names.users.get(row["decided_by_id"]),
        }

    def update(row, names, related):
        return {
            **_copy(row, "id", "incident_id", "text", "status", "next_update_due_at"),
            **_copy(row, "closing", "recipients"),
            "sent_by": names.users.get(row["sent_by_id"]),
            **_copy(row, "created_at"),
        }

    def delivery(row, names, related):
        fields = ("id", "update_id", "customer_id", "affected_id", "message_id", "mail_id")
        return _copy(row, *fields, "state", "error", "attempts", "claimed_at", "sent_at")

    serializers = (incident, affected, group, suggestion, update, delivery)
    return {
        name: Kind(model.objects.values(), serialize)
        for name, model, serialize in zip(FILES, MODELS, serializers, strict=True)
    }


def _incident(r, refs):
    yield Incident(
        id=r.int("id"),
        title=r.text("title"),
        public_text=r.text("public_text"),
        internal_notes=r.text("internal_notes"),
        status=r.text("status"),
        severity=r.int("severity"),
        owner_id=refs.agent(r.text("owner")),
        started_at=r.when("started_at"),
        ended_at=r.when("ended_at", optional=True),
        next_update_due_at=r.when("next_update_due_at", optional=True),
        profile=r.json("profile"),
        created_at=r.when("created_at"),
        updated_at=r.when("updated_at"),
    )


def _affected(r, refs):
    yield AffectedCustomer(
        id=r.int("id"),
        incident_id=r.int("incident_id"),
        customer_id=r.int("customer_id"),
        conversation_id=r.ref("conversation_id"),
        linked_by=r.text("linked_by"),
        source=r.text("source"),
        note=r.text("note"),
        concierge_id=refs.agent(r.name("concierge")),
        muted=r.flag("muted"),
        thank_you_draft=r.text("thank_you_draft"),
        linked_at=r.when("linked_at"),
    )


def _group(r, refs):
    yield GroupConcierge(
        id=r.int("id"),
        incident_id=r.int("incident_id"),
        organization_id=r.int("organization_id"),
        agent_id=refs.agent(r.text("agent")),
    )


def _suggestion(r, refs):
    yield LinkSuggestion(
        id=r.int("id"),
        incident_id=r.int("incident_id"),
        conversation_id=r.int("conversation_id"),
        message_id=r.ref("message_id"),
        score=r.number("score"),
        words=r.json("words", list),
        state=r.text("state"),
        created_at=r.when("created_at"),
        decided_at=r.when("decided_at", optional=True),
        decided_by_id=refs.user(r.name("decided_by")),
    )


def _update(r, refs):
    yield IncidentUpdate(
        id=r.int("id"),
        incident_id=r.int("incident_id"),
        text=r.text("text"),
        status=r.text("status"),
        next_update_due_at=r.when("next_update_due_at", optional=True),
        closing=r.flag("closing"),
        recipients=r.int("recipients"),
        sent_by_id=refs.user(r.name("sent_by")),
        created_at=r.when("created_at"),
    )


def _delivery(r, refs):
    yield UpdateDelivery(
        id=r.int("id"),
        update_id=r.int("update_id"),
        customer_id=r.int("customer_id"),
        affected_id=r.ref("affected_id"),
        message_id=r.ref("message_id"),
        mail_id=r.text("mail_id"),
        state=r.text("state"),
        error=r.text("error"),
        attempts=r.int("attempts"),
        claimed_at=r.when("claimed_at", optional=True),
        sent_at=r.when("sent_at", optional=True),
    )


LOADERS = dict(
    zip(FILES, (_incident, _affected, _group, _suggestion, _update, _delivery), strict=True)
)
