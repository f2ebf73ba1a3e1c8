"""The inbound e-mail pipeline: keep the bytes first, then parse, identify and thread.

`accept_email` is what every way in calls (SMTP/LMTP, webhooks); `accept_emails` takes many at
once (IMAP), each with its source, in one transaction: one commit per batch, not per message;
`accept_stream` takes a long stream (import) a batch at a time. All store the raw bytes
idempotently and hand them to processing, in a task or at once.
Each message is filed in a savepoint of its own: a failure rolls back everything of that message
but its raw bytes, which stay, flagged with the error; a crash before the commit stores nothing of
the batch, so a source that acknowledges only after the call returns (IMAP flag, SMTP 250) loses
nothing.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import traceback
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from email.policy import compat32

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from regard.channels.email import kinds
from regard.channels.email.parse import ParsedMail, parse_message
from regard.channels.email.store import message_feelings, store_parsed
from regard.channels.models import RawMessage, RawState
from regard.conversations.memo import batch_memo
from regard.conversations.rows import insert_row, update_row

log = logging.getLogger("regard.mail")
# Messages per transaction when a caller streams many (import, IMAP, the bench): large enough
# that the commit is a small share, small enough that the write lock is held well under a second.
BATCH_SIZE = 100


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
    return accept_emails([(data, source)], process=process, live=live)[0]


def accept_emails(
    mails: Iterable[tuple[bytes, str]], *, process: str = "task", live: bool = True
) -> list[Accepted]:
    """Store and process `mails`, (bytes, source) pairs, like `accept_email`, all in one
    transaction.

    Returns only after the commit, so the caller acknowledges each message (IMAP flag, SMTP 250,
    import count) once it is durable. A message that fails is kept raw and flagged, the others
    land; an exception escaping (a crash, a lost database) leaves none of them stored.
    """
    return _store_batch(_read_batch(list(mails), process), process, live)


def accept_stream(
    mails: Iterable[tuple[bytes, str]],
    *,
    process: str = "now",
    live: bool = True,
    size: int = BATCH_SIZE,
) -> Iterator[tuple[list[tuple[bytes, str]], list[Accepted]]]:
    """`accept_emails` over a long stream (import, the bench), `size` mails a transaction: yields
    each batch, as (its mails, their results), once its commit is done.

    Reading a mail (parsing it, reading its emotion) is half its cost and needs no database, so
    with `process="now"` on a machine with a core to spare the next batch is read in a helper
    process while this one files the current batch. At most two batches are held at once.
    """
    chunks = batches(mails, size)
    with _Readers(process) as readers:
        pending = readers.submit(next(chunks, None))
        while pending is not None:
            batch, items = pending.batch, pending.result()
            pending = readers.submit(next(chunks, None))
            yield batch, _store_batch(items, process, live)


def _store_batch(items: list[_Incoming], process: str, live: bool) -> list[Accepted]:
    # Read before the transaction: the write lock is held only for the database work.
    # Policies, open incidents and the like cannot change for us within one transaction.
    with transaction.atomic(), batch_memo():
        stored = {
            raw.sha256: raw
            for raw in RawMessage.objects.filter(sha256__in={item.digest for item in items})
        }
        return [_accept(item, stored, process, live) for item in items]


def _read_batch(mails: list[tuple[bytes, str]], process: str) -> list[_Incoming]:
    return [_Incoming.read(data, source, process) for data, source in mails]


class _Readers:
    """Where `accept_stream` reads its batches: a helper process forked from this one (so it
    holds the same settings and the loaded emotion model), or this process when there is no
    second core, nothing to parse, or the helper has died."""

    def __init__(self, process: str):
        self.process = process
        self.pool = None
        if process == "now" and (os.cpu_count() or 1) > 1:
            self.pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))

    def __enter__(self) -> _Readers:
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    def submit(self, batch: list | None) -> _Pending | None:
        if batch is None:
            return None
        future = None
        if self.pool is not None:
            try:
                future = self.pool.submit(_read_batch, batch, self.process)
            except (BrokenProcessPool, OSError):  # it died, or no process could be started
                log.warning("no mail reading process; reading here", exc_info=True)
                self.pool = None
        return _Pending(batch, self.process, future)


@dataclass
class _Pending:
    batch: list
    process: str
    future: Future | None

    def result(self) -> list[_Incoming]:
        if self.future is not None:
            try:
                return self.future.result()
            except Exception:  # noqa: BLE001 - it died, or its answer could not be sent back
                # Reading here never raises (a mail that cannot be read is flagged): nothing is
                # lost, the batch only costs its reading time once more.
                log.warning(
                    "the mail reading process failed; reading this batch here", exc_info=True
                )
        return _read_batch(self.batch, self.process)


@dataclass
class _Incoming:
    data: bytes
    source: str
    digest: str
    too_big: bool
    parsed: ParsedMail | None
    parse_error: str = ""
    feelings: dict | None = None
    message_id: str = ""

    @classmethod
    def read(cls, data: bytes, source: str, process: str) -> _Incoming:
        data = bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        incoming = cls(data, source[:200], digest, len(data) > settings.MAX_MESSAGE_BYTES, None)
        incoming.message_id = _message_id(data)
        if process == "now" and not incoming.too_big:
            try:
                incoming.parsed = parse_message(data)
                incoming.feelings = message_feelings(incoming.parsed)
            except Exception as exc:  # noqa: BLE001 - kept raw and flagged, the batch goes on
                log.exception("a message could not be parsed")
                incoming.parse_error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"
        return incoming

    @property
    def limit_error(self) -> str:
        if not self.too_big:
            return ""
        return (
            f"message is {len(self.data):,} bytes, over the limit of "
            f"{settings.MAX_MESSAGE_BYTES:,} (REGARD_MAX_MESSAGE_BYTES)"
        )


def _accept(item: _Incoming, stored: dict, process: str, live: bool) -> Accepted:
    """Store one message (and file it, when parsed) in a savepoint of the batch's transaction."""
    if item.digest in stored:
        return Accepted(stored[item.digest], created=False)
    raw = None
    try:
        with transaction.atomic():
            if item.parse_error:
                raw = _store_raw(item, RawState.FAILED, item.parse_error)
            else:
                raw = _store_raw(item, RawState.QUARANTINED if item.too_big else None)
            if item.parsed is not None:
                _file(raw, item.parsed, live=live, feelings=item.feelings)
    except Exception as exc:
        if raw is None:  # the bytes themselves could not be stored
            if isinstance(exc, IntegrityError):  # stored just now by another worker
                return Accepted(RawMessage.objects.get(sha256=item.digest), created=False)
            raise
        # The savepoint took the raw row with it: store the bytes again, flagged.
        log.exception("raw message from %s could not be processed", item.source or "?")
        error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"
        raw = _store_raw(item, RawState.FAILED, error)
    stored[item.digest] = raw
    if item.too_big:
        log.warning("raw message %s quarantined: too large (%d bytes)", raw.pk, len(item.data))
    elif process == "task":
        from regard.channels.tasks import process_raw_message

        transaction.on_commit(lambda pk=raw.pk: process_raw_message.enqueue(pk, live))
    return Accepted(raw, created=True)


def _store_raw(item: _Incoming, state: str | None, error: str = "") -> RawMessage:
    raw = RawMessage(
        channel="email",
        source=item.source,
        external_id=item.message_id,
        sha256=item.digest,
        data=item.data,
        size=len(item.data),
        received_at=timezone.now(),
        state=state or RawState.RECEIVED,
        error=error or item.limit_error,
    )
    insert_row(raw)
    return raw


def batches(items: Iterable, size: int = BATCH_SIZE) -> Iterator[list]:
    """Lists of up to `size` items, read one list at a time (memory stays flat)."""
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _message_id(data: bytes) -> str:
    try:
        headers = BytesHeaderParser(policy=compat32).parsebytes(data[:262144])
        value = str(headers.get("Message-ID", "") or "")
    except Exception:  # noqa: BLE001 - a header we cannot read is no Message-ID
        return ""
    return value.strip().strip("<>").strip()[:998]


def _file(raw: RawMessage, parsed: ParsedMail, *, live: bool, feelings: dict | None = None):
    """File a parsed message and mark its raw row processed; the caller holds the savepoint."""
    raw.kind = parsed.kind
    raw.conversation = store_parsed(raw, parsed, live=live, feelings=feelings)
    raw.state = RawState.PROCESSED
    raw.error = "; ".join(parsed.defects)[:5000] if parsed.defects else ""
    raw.processed_at = timezone.now()
    update_row(raw, ["kind", "conversation", "state", "error", "processed_at"])


def process_raw(raw: RawMessage, *, live: bool = False) -> RawMessage:
    """Parse and file one stored raw message; on any failure flag it with the error, never raise."""
    try:
        with transaction.atomic():
            # Locked, then read again: two workers given the same message file it once.
            locked = RawMessage.objects.select_for_update().filter(pk=raw.pk)
            if locked.values_list("state", flat=True).first() == RawState.PROCESSED:
                raw.state = RawState.PROCESSED
                return raw
            _file(raw, parse_message(bytes(raw.data)), live=live)
    except Exception as exc:  # noqa: BLE001 - one hostile message must not stop ingestion
        log.exception("raw message %s could not be processed", raw.pk)
        RawMessage.objects.filter(pk=raw.pk).update(
            state=RawState.FAILED, error=f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"
        )
        raw.refresh_from_db()
    return raw


__all__ = [
    "BATCH_SIZE",
    "Accepted",
    "accept_email",
    "accept_emails",
    "accept_stream",
    "batches",
    "kinds",
    "process_raw",
]
