"""Writing one update for everyone affected: who receives it, queueing it in bulk, resolving.

Recipients: every affected customer, except those who asked for no updates on this incident and
those with no working e-mail address (every address bouncing). Incident updates are service
messages, not marketing, so `Customer.no_marketing` does not hold them back.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from regard.conversations.choices import ACTIVE_STATUSES, Direction, Status
from regard.conversations.delivery import _domain
from regard.customers.choices import Channel, IdentityKind
from regard.customers.models import Identity
from regard.incidents.access import require_broadcast
from regard.incidents.actions import InvalidIncident, _event
from regard.incidents.choices import DeliveryState, IncidentEvent, IncidentStatus
from regard.incidents.models import AffectedCustomer, Incident, IncidentUpdate, UpdateDelivery

TASK_BATCH = 200
# A claimed recipient whose worker went quiet this long is taken up again (same Message-ID).
LEASE = timedelta(minutes=10)


def recipients(incident: Incident):
    """The links that receive updates: not muted, not merged away, with a working address or
    a chat still open to read it in."""
    working = Identity.objects.filter(
        customer_id=OuterRef("customer_id"), kind=IdentityKind.EMAIL, bouncing=False
    )
    in_chat = Q(conversation__channel=Channel.CHAT) & ~Q(conversation__status=Status.CLOSED)
    return AffectedCustomer.objects.filter(
        incident=incident, muted=False, customer__merged_into__isnull=True
    ).filter(Q(Exists(working)) | in_chat)


def audience(incident: Incident) -> dict[str, int]:
    """How many are linked, will receive the next update, and are held back and why."""
    links = AffectedCustomer.objects.filter(incident=incident)
    counts = links.aggregate(linked=Count("pk"), muted=Count("pk", filter=Q(muted=True)))
    counts["recipients"] = recipients(incident).count()
    counts["unreachable"] = counts["linked"] - counts["muted"] - counts["recipients"]
    return counts


def mail_id(update_id: int, customer_id: int) -> str:
    """The Message-ID of one update to one customer: the same on every attempt."""
    return f"incident-update-{update_id}-{customer_id}@{_domain()}"


@transaction.atomic
def queue_update(
    actor,
    incident: Incident,
    text: str,
    *,
    status: str | None = None,
    next_update_due_at=None,
    expected_recipients: int | None = None,
    closing: bool = False,
    at=None,
) -> IncidentUpdate:
    """Store the update and one delivery row per recipient; delivery tasks run after commit.

    `expected_recipients` is the number the sender confirmed: if the audience changed since,
    nothing is sent and the sender confirms again.
    """
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    require_broadcast(actor, incident)
    text = (text or "").strip()
    if not text:
        raise InvalidIncident("an update needs some text")
    status = status or incident.status
    if status not in IncidentStatus.values:
        raise InvalidIncident(f"unknown status {status!r}")
    if incident.status == IncidentStatus.RESOLVED:
        raise InvalidIncident("this incident is resolved")
    if (status == IncidentStatus.RESOLVED) != closing:
        raise InvalidIncident("a resolved status goes with the closing update only")
    at = at or timezone.now()
    if next_update_due_at is not None and next_update_due_at <= at:
        raise InvalidIncident("the next update time must be in the future")
    if closing:
        next_update_due_at = None
    update = IncidentUpdate.objects.create(
        incident=incident,
        text=text,
        status=status,
        next_update_due_at=next_update_due_at,
        closing=closing,
        sent_by=actor,
        created_at=at,
    )
    count = _insert_deliveries(update, incident)
    if expected_recipients is not None and expected_recipients != count:
        raise InvalidIncident(
            f"the recipients changed: {count} now, not {expected_recipients}; confirm again"
        )
    update.recipients = count
    update.save(update_fields=["recipients"])
    ids = list(update.deliveries.order_by("pk").values_list("pk", flat=True))
    ranges = _task_ranges(ids)
    previous = incident.status
    incident.status = status
    incident.next_update_due_at = next_update_due_at
    incident.save(update_fields=["status", "next_update_due_at", "updated_at"])
    _event(
        IncidentEvent.UPDATE_QUEUED,
        actor,
        incident,
        at=at,
        update_id=update.pk,
        recipients=count,
        status=status,
        **({"from": previous} if previous != status else {}),
    )
    transaction.on_commit(lambda: enqueue_ranges(update.pk, ranges))
    return update


def _insert_deliveries(update: IncidentUpdate, incident: Incident) -> int:
    """One row per recipient in a single INSERT … SELECT: 50,000 rows never pass through Python."""
    table = UpdateDelivery._meta.db_table
    chosen = recipients(incident).values(recipient_id=F("customer_id"), link_id=F("pk"))
    sql, params = chosen.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} "  # noqa: S608 - names are ours, values are parameters
            "(update_id, customer_id, affected_id, mail_id, state, error, attempts, claimed_by) "
            "SELECT %s, r.recipient_id, r.link_id, %s || CAST(r.recipient_id AS TEXT) || %s, "
            f"%s, '', 0, '' FROM ({sql}) r",
            # the same ids as mail_id()
            [update.pk, f"incident-update-{update.pk}-", f"@{_domain()}", DeliveryState.QUEUED]
            + list(params),
        )
        return cursor.rowcount


def _task_ranges(ids: list[int]) -> list[tuple[int, int]]:
    return [
        (ids[i], ids[min(i + TASK_BATCH, len(ids)) - 1]) for i in range(0, len(ids), TASK_BATCH)
    ]


def enqueue_ranges(update_id: int, ranges: list[tuple[int, int]]) -> None:
    from regard.incidents.tasks import deliver_update_batch

    for first, last in ranges:
        deliver_update_batch.enqueue(update_id, first, last)


@transaction.atomic
def resolve_incident(
    actor,
    incident: Incident,
    text: str,
    *,
    solve_conversations: bool = False,
    expected_recipients: int | None = None,
    at=None,
) -> IncidentUpdate:
    """The closing update; linked conversations solved if asked; thank-you drafts for the most
    affected (those who wrote to us more than once since it started)."""
    from regard.conversations.actions import change_status

    at = at or timezone.now()
    update = queue_update(
        actor,
        incident,
        text,
        status=IncidentStatus.RESOLVED,
        expected_recipients=expected_recipients,
        closing=True,
        at=at,
    )
    Incident.objects.filter(pk=incident.pk).update(ended_at=at)
    incident.refresh_from_db()
    solved = 0
    if solve_conversations:
        open_ones = (
            AffectedCustomer.objects.filter(
                incident=incident, conversation__status__in=ACTIVE_STATUSES
            )
            .select_related("conversation")
            .order_by("pk")
        )
        for link in open_ones:
            change_status(actor, link.conversation, Status.SOLVED, at=at)
            solved += 1
    drafted = draft_thank_yous(incident)
    _event(IncidentEvent.RESOLVED, actor, incident, at=at, solved=solved, thank_you_drafts=drafted)
    return update


def draft_thank_yous(incident: Incident) -> int:
    """A personal thank-you draft on each link whose customer wrote more than once about it."""
    wrote = (
        AffectedCustomer.objects.filter(incident=incident, conversation__isnull=False)
        .annotate(
            inbound=Count(
                "conversation__messages",
                filter=Q(
                    conversation__messages__direction=Direction.INBOUND,
                    conversation__messages__created_at__gte=incident.started_at,
                ),
            )
        )
        .filter(inbound__gt=1)
        .select_related("customer")
    )
    drafts = []
    for link in wrote:
        name = link.customer.address_name or link.customer.name
        link.thank_you_draft = (
            f"Hi {name},\n\nthank you for your patience during “{incident.title}”. You wrote to "
            f"us {link.inbound} times while it lasted, and I know that cost you time. It is "
            "fixed now; if anything still is not right for you, reply here and I'll sort it "
            "out personally today."
        )
        drafts.append(link)
    AffectedCustomer.objects.bulk_update(drafts, ["thank_you_draft"])
    return len(drafts)


def resume_stalled(now=None) -> int:
    """Queue again the recipients left behind by a worker that stopped mid-broadcast."""
    now = now or timezone.now()
    stalled = UpdateDelivery.objects.filter(
        Q(state=DeliveryState.QUEUED, claimed_at__isnull=True, update__created_at__lt=now - LEASE)
        | Q(state__in=[DeliveryState.QUEUED, DeliveryState.SENDING], claimed_at__lt=now - LEASE)
    )
    by_update: dict[int, list[int]] = {}
    for update_id, pk in stalled.order_by("update_id", "pk").values_list("update_id", "pk"):
        by_update.setdefault(update_id, []).append(pk)
    for update_id, ids in by_update.items():
        enqueue_ranges(update_id, _task_ranges(ids))
    return sum(len(ids) for ids in by_update.values())
