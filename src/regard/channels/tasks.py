"""Background work of the channels: processing stored raw messages."""

from __future__ import annotations

from regard.system.retry import retrying_task
from regard.system.workers import resume_lost


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

    owed = RawMessage.objects.filter(state=RawState.RECEIVED).values_list("pk", "source")
    return resume_lost(
        owed,
        "received_at",
        lambda row: process_raw_message.enqueue(row[0], not row[1].startswith("import:")),
        now,
    )
