"""Background work of the channels: processing stored raw messages."""

from __future__ import annotations

from django.utils import timezone

from regard.system.retry import retrying_task
from regard.system.workers import tasks_waiting


@retrying_task
def process_raw_message(raw_id: int, live: bool = False) -> str:
    """Parse and file one stored raw message; idempotent (a processed one is left alone)."""
    from regard.channels.email.inbound import process_raw
    from regard.channels.models import RawMessage, RawState

    raw = RawMessage.objects.filter(pk=raw_id).first()
    if raw is None or raw.state != RawState.RECEIVED:
        return "nothing to do"
    return process_raw(raw, live=live).state


def resume_stalled(now=None) -> int:
    """Queue again the stored messages whose processing task was lost with a killed worker (the
    raw row, still `received`, is the record of what is owed). Imported ones are filed as
    imports, the rest as just delivered."""
    from regard.channels.models import RawMessage, RawState
    from regard.conversations.tasks import LEASE, RESUME_WITHIN

    if tasks_waiting():
        return 0
    now = now or timezone.now()
    stalled = RawMessage.objects.filter(
        state=RawState.RECEIVED,
        received_at__lt=now - LEASE,
        received_at__gte=now - RESUME_WITHIN,
    ).values_list("pk", "source")
    count = 0
    for raw_id, source in stalled.order_by("pk").iterator():
        process_raw_message.enqueue(raw_id, not source.startswith("import:"))
        count += 1
    return count
