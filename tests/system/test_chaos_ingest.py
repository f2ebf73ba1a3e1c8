"""`regard mail fetch` and the task workers that file what it stored are killed with SIGKILL at
seeded random moments while they collect a real IMAP mailbox (Dovecot on loopback), and started
again: in the end every mail is one record and one message in the right conversation, each
attachment one file whose bytes match, and every mail in the mailbox is marked collected."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import time

import pytest
from django.conf import settings
from django.utils import timezone

from regard.channels import tasks
from regard.channels.email.imap import STORED_FLAG
from regard.channels.models import RawMessage, RawState
from regard.conversations.choices import Direction
from regard.conversations.models import Attachment, Message
from regard.conversations.storage import blob_path
from regard.system.workers import regard_command
from tests.channels.mail import make_mail
from tests.channels.servers import Collect, start_smtp_sink
from tests.incidents.test_broadcast_workers import (
    database_url,
    empty_rq_queue,
    start_worker,
    wait_for,
)
from tests.system.test_chaos_send import LATER

SEED = int(os.environ.get("REGARD_CHAOS_SEED", "20261202"))
CUSTOMERS = 100
KILLS = 6


def mailbox_mails() -> tuple[list[bytes], dict[str, str | None]]:
    """Each customer writes, replies to themselves, and sends a file; some mails arrive twice
    (the same bytes, or the same Message-ID through another relay). Returns the mails in
    arrival order and {Message-ID: the Message-ID of the mail it continues, or None}."""
    mails, threads = [], {}
    for n in range(CUSTOMERS):
        sender = f"Customer {n} <c{n}@example.com>"
        first, reply, other = f"first{n}@example.com", f"reply{n}@example.com", f"file{n}@ex.com"
        mails.append(make_mail(sender=sender, subject=f"Order {n}", message_id=first))
        mails.append(
            make_mail(
                sender=sender,
                subject=f"Re: Order {n}",
                message_id=reply,
                in_reply_to=first,
                references=[first],
            )
        )
        label = (f"label{n % 10}.pdf", "application/pdf", f"%PDF label {n % 10}".encode() * 300)
        mails.append(
            make_mail(sender=sender, subject=f"Invoice {n}", message_id=other, attachments=[label])
        )
        threads.update({first: None, reply: first, other: None})
        if n % 7 == 0:
            mails.append(mails[-1])  # delivered twice, byte for byte
        if n % 11 == 0:  # the same mail again through another relay: other bytes, same id
            mails.append(b"Received: from relay2.example.com\r\n" + mails[-2])
    return mails, threads


def start_fetch(log) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url(), "REGARD_DATA_DIR": str(settings.DATA_DIR)}
    return subprocess.Popen(  # noqa: S603
        regard_command("mail", "fetch"),
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )


def processed_count() -> int:
    return RawMessage.objects.filter(state=RawState.PROCESSED).count()


def stored_or_ended(stored: int, fetch: subprocess.Popen) -> bool:
    return RawMessage.objects.count() > stored or fetch.poll() is not None


def kill(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def finish(smtp_port: int, log) -> None:
    fetch = start_fetch(log)
    assert fetch.wait(timeout=300) == 0
    worker = start_worker(smtp_port, log, burst=True)
    try:
        worker.wait(timeout=300)
    finally:
        kill(worker)


@pytest.mark.django_db(transaction=True)
def test_collectors_and_workers_killed_mid_ingest_lose_and_double_nothing(
    dovecot, mailbox, tmp_path
):
    chance = random.Random(SEED)
    empty_rq_queue()
    mails, threads = mailbox_mails()
    # Mail keeps arriving: a new share before each round, so every run has work to be killed in.
    arrivals = [mails[n :: KILLS + 1] for n in range(KILLS + 1)]

    def deliver(share: list[bytes]) -> None:
        with dovecot.client("support") as client:
            for data in share:
                client.append("INBOX", data)

    log = (tmp_path / "workers.log").open("wb")
    sink = start_smtp_sink(Collect())  # acknowledgements go out as for live mail
    killed, midway = [], 0
    try:
        targets = chance.sample(["fetch", "worker", "both"] * (KILLS // 3), KILLS)
        for share, target in zip(arrivals, targets, strict=False):
            deliver(share)
            stored, processed = RawMessage.objects.count(), processed_count()
            fetch, worker = start_fetch(log), start_worker(sink.port, log, burst=False)
            try:
                # Kill once it is at work: a batch committed, a message filed.
                if target in ("fetch", "both"):
                    wait_for(lambda s=stored, f=fetch: stored_or_ended(s, f), 60, "a batch")
                    assert fetch.poll() in (None, 0), (tmp_path / "workers.log").read_text()[-3000:]
                else:
                    wait_for(lambda p=processed: processed_count() > p, 60, "a filed message")
                time.sleep(chance.uniform(0, 0.1))
            finally:
                midway += target != "worker" and fetch.poll() is None
                owed = RawMessage.objects.filter(state=RawState.RECEIVED).exists()
                midway += target == "worker" and owed
                killed.append(target)
                kill(fetch)  # the other one too: both start again next round
                kill(worker)
        deliver(arrivals[-1])
        finish(sink.port, log)
        for _ in range(3):  # the clock, once the queue ran dry: what a kill took down
            if not tasks.resume_stalled(timezone.now() + LATER):
                break
            finish(sink.port, log)
    finally:
        sink.stop()
        log.close()

    print(f"seed {SEED}: killed {killed}, {midway} mid-work, {len(mails)} mails")
    assert midway >= KILLS // 2, "most kills must land while the target works"
    workers_log = (tmp_path / "workers.log").read_text()[-3000:]
    assert set(RawMessage.objects.values_list("state", flat=True)) == {RawState.PROCESSED}, (
        workers_log
    )
    assert RawMessage.objects.count() == len(set(mails))  # the same bytes are one record
    inbound = Message.objects.filter(direction=Direction.INBOUND)
    ids = list(inbound.values_list("external_id", flat=True))
    assert sorted(ids) == sorted(threads)  # every Message-ID once
    conversation_of = dict(inbound.values_list("external_id", "conversation_id"))
    for message_id, parent in threads.items():
        if parent:
            assert conversation_of[message_id] == conversation_of[parent], message_id
    starts = [message_id for message_id, parent in threads.items() if parent is None]
    assert len({conversation_of[m] for m in starts}) == len(starts)
    attachments = Attachment.objects.filter(message__direction=Direction.INBOUND)
    assert attachments.count() == CUSTOMERS  # one on each Invoice mail
    for sha256 in set(attachments.values_list("sha256", flat=True)):
        assert hashlib.sha256(blob_path(sha256).read_bytes()).hexdigest() == sha256
    with dovecot.client("support") as client:
        client.select_folder("INBOX")
        assert not client.search(["NOT", "KEYWORD", STORED_FLAG.decode()])
