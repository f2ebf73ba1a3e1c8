"""A real worker process is killed mid-broadcast and another takes over: every customer ends up
with exactly one copy of the update in their mailbox (an SMTP sink on loopback)."""

from __future__ import annotations

import asyncio
import email
import os
import signal
import subprocess
import time
from collections import defaultdict
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from regard.conversations.models import Message
from regard.incidents import actions, broadcast
from regard.incidents.choices import DeliveryState
from regard.incidents.models import IncidentUpdate, UpdateDelivery
from regard.system.workers import worker_command
from tests.channels.servers import start_smtp_sink
from tests.factories import make_customer
from tests.incidents.factories import declare

RECIPIENTS = 40


class Mailboxes:
    """An SMTP sink that files each message by recipient and Message-ID, as a mail system does:
    a second copy with an id already delivered does not show up twice."""

    def __init__(self, delay: float):
        self.delay = delay
        self.transactions = 0
        self.boxes: dict[str, set[str]] = defaultdict(set)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        await asyncio.sleep(self.delay)
        message_id = email.message_from_bytes(envelope.content)["Message-ID"]
        for rcpt in envelope.rcpt_tos:
            self.boxes[rcpt].add(message_id)
        self.transactions += 1
        return "250 Delivered"


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def start_worker(smtp_port: int, log, *, burst: bool) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url()}
    env["REGARD_SMTP_URL"] = f"smtp://127.0.0.1:{smtp_port}"
    env["REGARD_DATA_DIR"] = str(settings.DATA_DIR)
    return subprocess.Popen(
        worker_command(burst=burst), env=env, stdout=log, stderr=log, start_new_session=True
    )


def empty_rq_queue() -> None:
    if settings.REDIS_URL:
        import django_rq

        queue = django_rq.get_queue("default")
        queue.empty()
        # Retries scheduled by earlier tests would run here and count as waiting work.
        for job_id in queue.scheduled_job_registry.get_job_ids():
            queue.scheduled_job_registry.remove(job_id, delete_job=True)


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_broadcast_leaves_nobody_with_two_copies(supervisor, tmp_path):
    empty_rq_queue()
    sink = Mailboxes(delay=0.05)
    controller = start_smtp_sink(sink)
    log = (tmp_path / "workers.log").open("wb")
    incident = declare(supervisor)
    for n in range(RECIPIENTS):
        actions.link_customer(
            supervisor.user, incident, customer=make_customer(f"person{n}@example.com")
        )
    update = broadcast.queue_update(supervisor.user, incident, "I am fixing it now.")
    first = start_worker(controller.port, log, burst=False)
    try:
        wait_for(lambda: sink.transactions >= RECIPIENTS // 3, 90, "the first deliveries")
        os.killpg(first.pid, signal.SIGKILL)  # no goodbye: mid-batch, maybe mid-SMTP
        first.wait(timeout=10)
        left = UpdateDelivery.objects.exclude(state=DeliveryState.SENT).count()
        assert 0 < left < RECIPIENTS, "the kill landed mid-broadcast"

        # The lease of the killed worker runs out; the clock's sweep queues what it left.
        expired = timezone.now() - broadcast.LEASE - timedelta(seconds=1)
        UpdateDelivery.objects.filter(state=DeliveryState.SENDING).update(claimed_at=expired)
        IncidentUpdate.objects.filter(pk=update.pk).update(created_at=expired)
        assert broadcast.resume_stalled() == left
        second = start_worker(controller.port, log, burst=True)
        second.wait(timeout=120)
    finally:
        for process in (first, locals().get("second")):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
        controller.stop()
        log.close()

    states = set(UpdateDelivery.objects.values_list("state", flat=True))
    assert states == {DeliveryState.SENT}, (tmp_path / "workers.log").read_text()[-3000:]
    expected = {
        f"person{n}@example.com": {f"<{d.mail_id}>"}
        for n, d in enumerate(UpdateDelivery.objects.order_by("customer_id"))
    }
    assert dict(sink.boxes) == expected  # exactly one update in each mailbox
    # At most the one message in flight at the kill went out twice, with the same Message-ID.
    assert RECIPIENTS <= sink.transactions <= RECIPIENTS + 1
    assert Message.objects.filter(direction="outbound").count() == RECIPIENTS
