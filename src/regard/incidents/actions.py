"""Every change to incidents, who they affect and who speaks to them; each records an Event.

Broadcasting updates lives in `broadcast.py`, their delivery in `sending.py`.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from regard.conversations.choices import Direction, Status
from regard.conversations.events import record_event
from regard.conversations.models import Conversation, Event, Message
from regard.customers.models import Customer, Organization
from regard.incidents import similarity
from regard.incidents.access import require_broadcast, require_declare, require_link
from regard.incidents.choices import IncidentEvent, IncidentStatus, LinkedBy, Severity
from regard.incidents.models import AffectedCustomer, GroupConcierge, Incident, LinkSuggestion

PROFILE_MESSAGES = 200
BACKGROUND_MESSAGES = 1000
EVENT_BATCH = 5000


class InvalidIncident(ValueError):
    """The incident cannot be changed as asked; the message says why."""


def _event(kind, actor, incident, *, customer=None, conversation=None, at=None, **data):
    return record_event(
        kind,
        actor=actor,
        customer=customer,
        conversation=conversation,
        at=at,
        incident_id=incident.pk,
        incident=incident.title,
        **data,
    )


def _check_fields(title: str, status: str, severity) -> tuple[str, int]:
    title = " ".join((title or "").split())[:200]
    if not title:
        raise InvalidIncident("an incident needs a title")
    if status not in IncidentStatus.values:
        raise InvalidIncident(f"unknown status {status!r}")
    try:
        severity = int(severity)
    except (TypeError, ValueError):
        raise InvalidIncident(f"unknown severity {severity!r}") from None
    if severity not in Severity.values:
        raise InvalidIncident(f"unknown severity {severity!r}")
    return title, severity


@transaction.atomic
def declare_incident(
    actor,
    *,
    title: str,
    public_text: str = "",
    internal_notes: str = "",
    severity=Severity.MAJOR,
    status: str = IncidentStatus.INVESTIGATING,
    owner=None,
    started_at=None,
    next_update_due_at=None,
    at=None,
) -> Incident:
    require_declare(actor)
    if status == IncidentStatus.RESOLVED:
        raise InvalidIncident("declare an incident that is still going on")
    title, severity = _check_fields(title, status, severity)
    at = at or timezone.now()
    incident = Incident.objects.create(
        title=title,
        public_text=public_text.strip(),
        internal_notes=internal_notes.strip(),
        severity=severity,
        status=status,
        owner=owner or actor.agent,
        started_at=started_at or at,
        next_update_due_at=next_update_due_at,
        created_at=at,
    )
    refresh_profile(incident)
    _event(IncidentEvent.DECLARED, actor, incident, at=at, owner=incident.owner.display_name)
    return incident


@transaction.atomic
def edit_incident(actor, incident: Incident, *, at=None, **fields) -> Incident:
    """Change title, texts, severity, owner or the next update time (status has its own action)."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    require_broadcast(actor, incident)
    allowed = {"title", "public_text", "internal_notes", "severity", "owner", "next_update_due_at"}
    unknown = set(fields) - allowed
    if unknown:
        raise InvalidIncident(f"cannot edit {', '.join(sorted(unknown))}")
    title, severity = _check_fields(
        fields.get("title", incident.title),
        incident.status,
        fields.get("severity", incident.severity),
    )
    fields.update(title=title, severity=severity)
    changed = sorted(name for name, value in fields.items() if getattr(incident, name) != value)
    for name in changed:
        setattr(incident, name, fields[name])
    if changed:
        incident.save()
        if {"title", "public_text"} & set(changed):
            refresh_profile(incident)
        _event(IncidentEvent.EDITED, actor, incident, at=at, fields=changed)
    return incident


@transaction.atomic
def change_incident_status(actor, incident: Incident, status: str, *, at=None) -> Incident:
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    require_broadcast(actor, incident)
    if status not in IncidentStatus.values:
        raise InvalidIncident(f"unknown status {status!r}")
    if status == IncidentStatus.RESOLVED:
        raise InvalidIncident("resolve the incident with a closing update")
    if incident.status == IncidentStatus.RESOLVED:
        raise InvalidIncident("this incident is resolved")
    if status != incident.status:
        previous, incident.status = incident.status, status
        incident.save(update_fields=["status", "updated_at"])
        _event(IncidentEvent.STATUS, actor, incident, at=at, **{"from": previous, "to": status})
    return incident


def surviving(customer: Customer) -> Customer:
    """The customer a merged one now lives on (merges may chain)."""
    seen = set()
    while customer.merged_into_id is not None and customer.pk not in seen:
        seen.add(customer.pk)
        customer = Customer.objects.get(pk=customer.merged_into_id)
    return customer


def _latest_conversations(customer_ids) -> dict[int, int]:
    """Each customer's newest conversation that is not closed."""
    rows = (
        Conversation.objects.filter(customer_id__in=customer_ids)
        .exclude(status=Status.CLOSED)
        .order_by("customer_id", "-created_at", "-id")
        .values_list("customer_id", "pk")
    )
    latest: dict[int, int] = {}
    for customer_id, pk in rows:
        latest.setdefault(customer_id, pk)
    return latest


def _link_many(actor, incident, pairs: dict[int, int | None], how: str, source: str, at) -> int:
    """Link customers (id -> conversation id) not linked yet; one Event per new link."""
    if not incident.is_open:
        raise InvalidIncident("this incident is resolved")
    linked = set(
        AffectedCustomer.objects.filter(incident=incident, customer_id__in=list(pairs)).values_list(
            "customer_id", flat=True
        )
    )
    new = [(c, conv) for c, conv in pairs.items() if c not in linked]
    AffectedCustomer.objects.bulk_create(
        (
            AffectedCustomer(
                incident=incident,
                customer_id=customer_id,
                conversation_id=conversation_id,
                linked_by=how,
                source=source[:300],
                linked_at=at,
            )
            for customer_id, conversation_id in new
        ),
        batch_size=EVENT_BATCH,
        ignore_conflicts=True,
    )
    actor_user = actor if actor is not None and actor.is_authenticated else None
    data = {"incident_id": incident.pk, "incident": incident.title, "how": how, "source": source}
    # The same rows record_event writes, in bulk: an organization can bring thousands at once.
    Event.objects.bulk_create(
        (
            Event(
                kind=IncidentEvent.LINKED,
                actor=actor_user,
                conversation_id=conversation_id,
                customer_id=customer_id,
                data=data,
                created_at=at,
            )
            for customer_id, conversation_id in new
        ),
        batch_size=EVENT_BATCH,
    )
    return len(new)


@transaction.atomic
def link_customer(actor, incident, *, customer=None, conversation=None, note="", at=None):
    """Link one customer (or a conversation and its customer) by hand; merged ones are followed
    to the customer they now are. Returns the link."""
    require_link(actor)
    at = at or timezone.now()
    if conversation is None and customer is None:
        raise InvalidIncident("choose a customer or a conversation to link")
    customer = surviving(conversation.customer if conversation is not None else customer)
    if conversation is not None and conversation.customer_id != customer.pk:
        conversation = None  # it belonged to a merged-away customer; use the survivor's own
    if conversation is None:
        conversation_id = _latest_conversations([customer.pk]).get(customer.pk)
    else:
        conversation_id = conversation.pk
    _link_many(actor, incident, {customer.pk: conversation_id}, LinkedBy.HAND, "", at)
    link = AffectedCustomer.objects.get(incident=incident, customer=customer)
    if note.strip() and link.note != note.strip():
        link.note = note.strip()
        link.save(update_fields=["note"])
    refresh_profile(incident)
    return link


@transaction.atomic
def link_organization(actor, incident, organization: Organization, *, at=None) -> int:
    """Link everyone of an organization; returns how many were new."""
    require_link(actor)
    at = at or timezone.now()
    ids = list(
        Customer.objects.filter(organization=organization, merged_into__isnull=True).values_list(
            "pk", flat=True
        )
    )
    latest = _latest_conversations(ids)
    count = _link_many(
        actor,
        incident,
        {pk: latest.get(pk) for pk in ids},
        LinkedBy.ORGANIZATION,
        organization.name,
        at,
    )
    refresh_profile(incident)
    return count


@transaction.atomic
def link_search(actor, incident, query: str, *, limit: int = 500, at=None) -> int:
    """Link the customers of the conversations a search finds (among those the agent sees)."""
    from regard.search.api import search_messages

    require_link(actor)
    query = " ".join((query or "").split())
    if not query:
        raise InvalidIncident("type what to search for")
    at = at or timezone.now()
    conversation_ids = {hit.conversation_id for hit in search_messages(actor, query, limit=limit)}
    rows = (
        Conversation.objects.filter(pk__in=conversation_ids, customer__merged_into__isnull=True)
        .order_by("customer_id", "-created_at")
        .values_list("customer_id", "pk")
    )
    pairs: dict[int, int | None] = {}
    for customer_id, pk in rows:
        pairs.setdefault(customer_id, pk)
    count = _link_many(actor, incident, pairs, LinkedBy.SEARCH, query, at)
    refresh_profile(incident)
    return count


@transaction.atomic
def set_customer_note(actor, link: AffectedCustomer, note: str) -> AffectedCustomer:
    """What the incident means for this customer: it goes into their updates."""
    require_link(actor)
    link.note = note.strip()
    link.save(update_fields=["note"])
    return link


@transaction.atomic
def set_muted(actor, link: AffectedCustomer, muted: bool = True, *, at=None) -> AffectedCustomer:
    """The customer asked for no updates on this incident (or changed their mind)."""
    require_link(actor)
    if link.muted != muted:
        link.muted = muted
        link.save(update_fields=["muted"])
        _event(
            IncidentEvent.MUTED, actor, link.incident, customer=link.customer, at=at, muted=muted
        )
    return link


@transaction.atomic
def assign_concierge(actor, incident, agent, *, link=None, organization=None, at=None):
    """Name the agent who speaks to one affected customer, or to everyone of an organization."""
    require_broadcast(actor, incident)
    if (link is None) == (organization is None):
        raise InvalidIncident("choose one customer or one organization")
    if link is not None:
        link.concierge = agent
        link.save(update_fields=["concierge"])
        who = link.customer.name
    else:
        GroupConcierge.objects.update_or_create(
            incident=incident, organization=organization, defaults={"agent": agent}
        )
        who = organization.name
    _event(
        IncidentEvent.CONCIERGE,
        actor,
        incident,
        customer=link.customer if link else None,
        at=at,
        concierge=agent.display_name,
        who=who,
    )


@transaction.atomic
def confirm_suggestion(actor, suggestion: LinkSuggestion, *, at=None) -> AffectedCustomer:
    from regard.incidents.choices import SuggestionState

    require_link(actor)
    at = at or timezone.now()
    suggestion = LinkSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    if suggestion.state != SuggestionState.PENDING:
        raise InvalidIncident("this suggestion was already decided")
    conversation = suggestion.conversation
    customer = surviving(conversation.customer)
    pair = {customer.pk: conversation.pk if conversation.customer_id == customer.pk else None}
    _link_many(
        actor, suggestion.incident, pair, LinkedBy.SUGGESTION, ", ".join(suggestion.words), at
    )
    suggestion.state, suggestion.decided_at, suggestion.decided_by = (
        SuggestionState.CONFIRMED,
        at,
        actor,
    )
    suggestion.save(update_fields=["state", "decided_at", "decided_by"])
    refresh_profile(suggestion.incident)
    return AffectedCustomer.objects.get(incident=suggestion.incident, customer=customer)


@transaction.atomic
def dismiss_suggestion(actor, suggestion: LinkSuggestion, *, at=None) -> LinkSuggestion:
    from regard.incidents.choices import SuggestionState

    require_link(actor)
    at = at or timezone.now()
    if suggestion.state == SuggestionState.PENDING:
        suggestion.state, suggestion.decided_at, suggestion.decided_by = (
            SuggestionState.DISMISSED,
            at,
            actor,
        )
        suggestion.save(update_fields=["state", "decided_at", "decided_by"])
        _event(
            IncidentEvent.SUGGESTION_DISMISSED,
            actor,
            suggestion.incident,
            conversation=suggestion.conversation,
            at=at,
        )
    return suggestion


def refresh_profile(incident: Incident) -> None:
    """Recompute the words that characterise the incident, from its text and linked messages."""
    linked = AffectedCustomer.objects.filter(incident=incident, conversation__isnull=False)
    texts = [incident.title, incident.title, incident.public_text]
    texts += list(
        Message.objects.filter(
            direction=Direction.INBOUND, conversation__in=linked.values("conversation_id")
        )
        .order_by("-created_at")
        .values_list("text_new", flat=True)[:PROFILE_MESSAGES]
    )
    background = list(
        Message.objects.filter(direction=Direction.INBOUND)
        .order_by("-id")
        .values_list("text_new", flat=True)[:BACKGROUND_MESSAGES]
    )
    incident.profile = similarity.build_profile(texts, background)
    Incident.objects.filter(pk=incident.pk).update(profile=incident.profile)
