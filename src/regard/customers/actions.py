"""Every change to customers: identity resolution, profile edits, notes, moments and merges."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction

from regard.conversations.choices import EventKind
from regard.conversations.events import record_event
from regard.conversations.models import Conversation, Event
from regard.conversations.rows import columns, from_row, insert_row
from regard.customers.identities import normalize
from regard.customers.models import Customer, CustomerNote, Identity, Moment, MomentKind

PROFILE_FIELDS = (
    "display_name",
    "preferred_name",
    "pronunciation",
    "language",
    "time_zone",
    "preferred_channel",
    "vip",
    "organization",
    "owner",
    "concierge",
    "needs",
    "wants",
    "emotions",
    "stereotypes_to_avoid",
)
COMPASS_FIELDS = ("needs", "wants", "emotions", "stereotypes_to_avoid")
# Fields a merge copies onto the target when the target has them empty.
MERGE_FILL_FIELDS = (*COMPASS_FIELDS, "preferred_name", "display_name", "language", "time_zone")


@dataclass(frozen=True)
class Resolved:
    customer: Customer
    identity: Identity
    created: bool


def resolve_customer(kind: str, value: str, display_name: str = "") -> Resolved:
    """The customer behind an identity, created with that identity if nobody has it yet.

    Safe under concurrency: the unique (kind, value) constraint decides who creates it.
    """
    normalized = normalize(kind, value)
    display_name = (display_name or "").strip()[:200]
    identity = _find_identity(kind, normalized)
    if identity is not None:
        if display_name and not identity.customer.display_name:
            identity.customer.display_name = display_name
            identity.customer.save(update_fields=["display_name", "updated_at"])
        return Resolved(identity.customer, identity, created=False)
    try:
        with transaction.atomic():
            customer = Customer(display_name=display_name)
            insert_row(customer)
            identity = Identity(
                customer=customer,
                kind=kind,
                value=normalized,
                display_value=value.strip()[:320],
            )
            insert_row(identity)
            record_event(
                EventKind.CUSTOMER_CREATED, customer=customer, identity=f"{kind}:{normalized}"
            )
    except IntegrityError:
        identity = Identity.objects.select_related("customer").get(kind=kind, value=normalized)
        return Resolved(identity.customer, identity, created=False)
    return Resolved(customer, identity, created=True)


# Hand-written (see `conversations.rows`): every inbound message looks its sender up, and the
# ORM spent several times what the database did building this query and its two instances.
_FIND_IDENTITY_SQL = (
    f"SELECT {columns(Identity, 'i')}, {columns(Customer, 'c')} "  # noqa: S608
    f"FROM {Identity._meta.db_table} i JOIN {Customer._meta.db_table} c ON c.id = i.customer_id "
    "WHERE i.kind = %s AND i.value = %s"
)


def _find_identity(kind: str, value: str) -> Identity | None:
    """The identity (kind, value) with its customer loaded, as select_related would give it."""
    with connection.cursor() as cursor:
        cursor.execute(_FIND_IDENTITY_SQL, [kind, value])
        row = cursor.fetchone()
    if row is None:
        return None
    split = len(Identity._meta.concrete_fields)
    identity = from_row(Identity, row[:split])
    identity.customer = from_row(Customer, row[split:])
    return identity


@transaction.atomic
def add_identity(actor, customer: Customer, kind: str, value: str) -> Identity:
    identity = Identity.objects.create(
        customer=customer, kind=kind, value=normalize(kind, value), display_value=value.strip()
    )
    record_event(
        EventKind.IDENTITY_ADDED,
        actor=actor,
        customer=customer,
        identity=f"{kind}:{identity.value}",
    )
    return identity


@transaction.atomic
def update_customer_profile(actor, customer: Customer, **changes) -> Customer:
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not a profile field: {', '.join(sorted(unknown))}")
    before = {}
    for field, value in changes.items():
        old = getattr(customer, field)
        if old != value:
            before[field] = _plain(old)
            setattr(customer, field, value)
    if before:
        customer.full_clean(exclude=["merged_into"])
        customer.save()
        record_event(
            EventKind.CUSTOMER_UPDATED,
            actor=actor,
            customer=customer,
            changes={f: {"from": before[f], "to": _plain(getattr(customer, f))} for f in before},
        )
    return customer


def _plain(value):
    return value.pk if hasattr(value, "pk") else value


@transaction.atomic
def add_customer_note(actor, customer: Customer, text: str, pinned: bool = False) -> CustomerNote:
    text = text.strip()
    if not text:
        raise ValueError("a note needs some text")
    note = CustomerNote.objects.create(customer=customer, author=actor, text=text, pinned=pinned)
    record_event(EventKind.CUSTOMER_NOTED, actor=actor, customer=customer, note_id=note.pk)
    return note


@transaction.atomic
def add_moment(
    actor, customer: Customer, kind: str, date, label: str = "", recurring: bool | None = None
) -> Moment:
    if recurring is None:
        recurring = kind in (MomentKind.BIRTHDAY, MomentKind.ANNIVERSARY)
    moment = Moment.objects.create(
        customer=customer, kind=kind, date=date, label=label, recurring=recurring
    )
    record_event(
        EventKind.MOMENT_ADDED, actor=actor, customer=customer, moment_id=moment.pk, date=str(date)
    )
    return moment


@transaction.atomic
def merge_customers(actor, source: Customer, target: Customer) -> Event:
    """Move everything of `source` onto `target`; the event holds what moved, to undo it."""
    if source.pk == target.pk:
        raise ValueError("a customer cannot be merged into itself")
    # Lock both (in id order) so two merges submitted at once cannot both pass the checks.
    locked = Customer.objects.select_for_update().in_bulk(sorted([source.pk, target.pk]))
    source, target = locked[source.pk], locked[target.pk]
    if source.merged_into_id or target.merged_into_id:
        raise ValueError("one of these customers was already merged away")
    moved = {
        "conversation_ids": list(source.conversations.values_list("pk", flat=True)),
        "note_ids": list(source.notes.values_list("pk", flat=True)),
        "moment_ids": list(source.moments.values_list("pk", flat=True)),
        "identity_ids": list(source.identities.values_list("pk", flat=True)),
    }
    Conversation.objects.filter(pk__in=moved["conversation_ids"]).update(customer=target)
    CustomerNote.objects.filter(pk__in=moved["note_ids"]).update(customer=target)
    Moment.objects.filter(pk__in=moved["moment_ids"]).update(customer=target)
    Identity.objects.filter(pk__in=moved["identity_ids"]).update(customer=target)
    filled = {}
    for field in MERGE_FILL_FIELDS:
        if not getattr(target, field) and getattr(source, field):
            filled[field] = getattr(source, field)
            setattr(target, field, getattr(source, field))
    if source.vip and not target.vip:
        target.vip = filled["vip"] = True
    target.save()
    source.merged_into = target
    source.save(update_fields=["merged_into", "updated_at"])
    return record_event(
        EventKind.CUSTOMERS_MERGED,
        actor=actor,
        customer=target,
        source_id=source.pk,
        target_id=target.pk,
        filled_fields=filled,
        **moved,
    )


@transaction.atomic
def unmerge_customers(actor, merge_event: Event) -> Customer:
    """Undo a merge from its audit event: what moved goes back, filled fields are emptied."""
    if merge_event.kind != EventKind.CUSTOMERS_MERGED:
        raise ValueError("that event is not a merge")
    data = merge_event.data
    source = Customer.objects.select_for_update().get(pk=data["source_id"])
    target = Customer.objects.select_for_update().get(pk=data["target_id"])
    if source.merged_into_id != target.pk:
        raise ValueError("this merge was already undone")
    Conversation.objects.filter(pk__in=data["conversation_ids"]).update(customer=source)
    CustomerNote.objects.filter(pk__in=data["note_ids"]).update(customer=source)
    Moment.objects.filter(pk__in=data["moment_ids"]).update(customer=source)
    Identity.objects.filter(pk__in=data["identity_ids"]).update(customer=source)
    for field in data["filled_fields"]:
        setattr(target, field, False if field == "vip" else "")
    target.save()
    source.merged_into = None
    source.save(update_fields=["merged_into", "updated_at"])
    record_event(
        EventKind.CUSTOMERS_UNMERGED,
        actor=actor,
        customer=source,
        merge_event_id=merge_event.pk,
        target_id=target.pk,
    )
    return source
