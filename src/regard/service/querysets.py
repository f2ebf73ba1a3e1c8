"""Named queries over service clocks, for the inbox and the sweep."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Min, OuterRef, Subquery

from regard.service.models import ServiceClock

SOON = timedelta(hours=2)


def running_clocks():
    """Clocks counting now: not stopped, not paused (a paused clock has no due time)."""
    return ServiceClock.objects.filter(stopped_at__isnull=True, due_at__isnull=False)


def next_due():
    """For an annotation on conversations: the earliest due time of its running clocks."""
    soonest = running_clocks().filter(conversation=OuterRef("pk")).order_by("due_at")
    return Subquery(soonest.values("due_at")[:1])


def first_due(conversation_ids):
    """(conversation id, earliest due time of its running clocks) for those of these
    conversations that have a running clock."""
    return (
        running_clocks()
        .filter(conversation_id__in=conversation_ids)
        .values("conversation_id")
        .annotate(first=Min("due_at"))
        .values_list("conversation_id", "first")
    )


def breaching_soon(now, within: timedelta = SOON):
    """For Exists() on conversations: a running clock already late or due within `within`."""
    return running_clocks().filter(conversation=OuterRef("pk"), due_at__lte=now + within)
