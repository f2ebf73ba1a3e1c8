"""Background work of the channels: processing stored raw messages."""

from __future__ import annotations

from regard.system.retry import retrying_task


@retrying_task
def process_raw_message(raw_id: int, live: bool = False) -> str:
    """Parse and file one stored raw message; idempotent (a processed one is left alone)."""
    from regard.channels.email.inbound import process_raw
    from regard.channels.models import RawMessage, RawState

    raw = RawMessage.objects.filter(pk=raw_id).first()
    if raw is None or raw.state != RawState.RECEIVED:
        return "nothing to do"
    return process_raw(raw, live=live).state
