"""The inbound e-mail pipeline: keep the bytes first, then parse, identify and thread.

`accept_email` is what every way in calls (IMAP, SMTP/LMTP, webhooks, import). It stores the raw
bytes idempotently and hands them to `process_raw`, in a task or at once. `process_raw` does all
its writes in one transaction, and a failure leaves the raw message flagged with its error.
"""

from __future__ import annotations

import hashlib
import logging
import traceback
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from email.policy import compat32

from django.db import IntegrityError, transaction
from django.utils import timezone

from regard.channels.email import kinds
from regard.channels.email.parse import parse_message
from regard.channels.email.store import store_parsed
from regard.channels.models import RawMessage, RawState

log = logging.getLogger("regard.mail")


@dataclass(frozen=True)
class Accepted:
    raw: RawMessage
    created: bool


def accept_email(
    data: bytes, *, source: str = "", process: str = "task", live: bool = True
) -> Accepted:
    """Store `data` durably (same bytes = one record), then process it.

    `process` is "task" (enqueue after commit), "now" (process before returning) or "no".
    `live` mail is treated as just delivered (acknowledged); an import without --live is not.
    """
    from django.conf import settings

    data = bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    existing = RawMessage.objects.filter(sha256=digest).first()
    if existing is not None:
        return Accepted(existing, created=False)
    too_big = len(data) > settings.MAX_MESSAGE_BYTES
    try:
        # Processing at once shares the raw message's transaction (one commit, not two): the
        # source learns the mail was taken (IMAP flag, SMTP 250, import count) only after the
        # commit, so a crash before it loses nothing, and a failed parse is flagged, not undone.
        with transaction.atomic():
            raw = RawMessage.objects.create(
                channel="email",
                source=source[:200],
                external_id=_message_id(data),
                sha256=digest,
                data=data,
                size=len(data),
                received_at=timezone.now(),
                state=RawState.QUARANTINED if too_big else RawState.RECEIVED,
                error=(
                    f"message is {len(data):,} bytes, over the limit of "
                    f"{settings.MAX_MESSAGE_BYTES:,} (REGARD_MAX_MESSAGE_BYTES)"
                )
                if too_big
                else "",
            )
            if process == "now" and not too_big:
                process_raw(raw, live=live)
    except IntegrityError:
        return Accepted(RawMessage.objects.get(sha256=digest), created=False)
    if too_big:
        log.warning("raw message %s quarantined: too large (%d bytes)", raw.pk, len(data))
    elif process == "task":
        from regard.channels.tasks import process_raw_message

        transaction.on_commit(lambda: process_raw_message.enqueue(raw.pk, live))
    return Accepted(raw, created=True)


def _message_id(data: bytes) -> str:
    try:
        headers = BytesHeaderParser(policy=compat32).parsebytes(data[:262144])
        value = str(headers.get("Message-ID", "") or "")
    except Exception:  # noqa: BLE001 - a header we cannot read is no Message-ID
        return ""
    return value.strip().strip("<>").strip()[:998]


def process_raw(raw: RawMessage, *, live: bool = False) -> RawMessage:
    """Parse and file one raw message; on any failure flag it with the error, never raise."""
    try:
        with transaction.atomic():
            parsed = parse_message(bytes(raw.data))
            raw.kind = parsed.kind
            raw.conversation = store_parsed(raw, parsed, live=live)
            raw.state = RawState.PROCESSED
            raw.error = "; ".join(parsed.defects)[:5000] if parsed.defects else ""
            raw.processed_at = timezone.now()
            raw.save(update_fields=["kind", "conversation", "state", "error", "processed_at"])
    except Exception as exc:  # noqa: BLE001 - one hostile message must not stop ingestion
        log.exception("raw message %s could not be processed", raw.pk)
        RawMessage.objects.filter(pk=raw.pk).update(
            state=RawState.FAILED, error=f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"
        )
        raw.refresh_from_db()
    return raw


__all__ = ["Accepted", "accept_email", "kinds", "process_raw"]
