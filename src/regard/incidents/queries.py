"""What the incident pages show, each a named query: delivery counts per update, the report."""

from __future__ import annotations

from django.db.models import Count, Max, Min, Q

from regard.conversations.choices import Direction
from regard.conversations.models import Message
from regard.incidents.choices import DeliveryState
from regard.incidents.models import AffectedCustomer, GroupConcierge, Incident, UpdateDelivery


def delivery_counts(incident: Incident) -> dict[int, dict[str, int]]:
    """{update id: {state: count}} in one query."""
    rows = (
        UpdateDelivery.objects.filter(update__incident=incident)
        .values_list("update_id", "state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[int, dict[str, int]] = {}
    for update_id, state, n in rows:
        counts.setdefault(update_id, dict.fromkeys(DeliveryState.values, 0))[state] = n
    return counts


def updates_with_counts(incident: Incident, *, newest_first: bool = False):
    """[(update, {state: count, "waiting": queued + sending})]."""
    counts = delivery_counts(incident)
    updates = incident.updates.select_related("sent_by__agent")
    rows = []
    for update in updates.order_by("-created_at" if newest_first else "created_at"):
        c = counts.get(update.pk, dict.fromkeys(DeliveryState.values, 0))
        rows.append((update, c | {"waiting": c["queued"] + c["sending"]}))
    return rows


def affected_rows(incident: Incident, limit: int = 200):
    """The first affected customers with who speaks to them, without a query per row."""
    from regard.incidents.sending import concierge_of

    links = list(
        AffectedCustomer.objects.filter(incident=incident)
        .select_related(
            "customer__organization__concierge",
            "customer__concierge",
            "concierge",
            "conversation",
        )
        .order_by("pk")[:limit]
    )
    groups = {
        g.organization_id: g.agent
        for g in GroupConcierge.objects.filter(incident=incident).select_related("agent")
    }
    return [(link, concierge_of(link, incident, groups)) for link in links]


def report(incident: Incident) -> dict:
    updates = updates_with_counts(incident)
    spans = {
        row["update_id"]: row
        for row in UpdateDelivery.objects.filter(update__incident=incident)
        .values("update_id")
        .annotate(first=Min("sent_at"), last=Max("sent_at"))
        .order_by()
    }
    first = updates[0][0] if updates else None
    linked = AffectedCustomer.objects.filter(incident=incident)
    replies = Message.objects.filter(
        direction=Direction.INBOUND,
        conversation__in=linked.exclude(conversation=None).values("conversation_id"),
    )
    if first is not None:
        replies = replies.filter(created_at__gt=first.created_at)
    return {
        "updates": [(u, c, spans.get(u.pk, {})) for u, c in updates],
        "time_to_first_update": first.created_at - incident.started_at if first else None,
        "first_update_at": first.created_at if first else None,
        "linked_by": linked.values_list("linked_by").annotate(n=Count("pk")).order_by("-n"),
        "affected": linked.count(),
        "muted": linked.filter(muted=True).count(),
        "replies": replies.count(),
        "repliers": replies.values("conversation__customer_id").distinct().count(),
        "recent_replies": replies.select_related("conversation__customer").order_by("-created_at")[
            :20
        ],
        "states": UpdateDelivery.objects.filter(update__incident=incident)
        .values_list("state")
        .annotate(n=Count("pk"))
        .order_by("state"),
        "failures": UpdateDelivery.objects.filter(
            update__incident=incident, state=DeliveryState.FAILED
        ).select_related("customer")[:50],
        "thank_yous": linked.filter(~Q(thank_you_draft="")).select_related("customer")[:50],
    }
