"""Real worker processes delivering agents' replies are killed with SIGKILL mid-send, at seeded
random moments, and restarted: every reply ends sent, and every customer's mailbox (an SMTP
sink on loopback that files by Message-ID, as mail systems do) holds exactly one copy of it."""

from __future__ import annotations

import asyncio
import email
import os
import random
import signal
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from regard.conversations import actions, tasks
from regard.conversations.choices import Delivery, Direction
from regard.conversations.models import Message
from regard.system.workers import LEASE
from tests.channels.servers import start_smtp_sink
from tests.factories import make_conversation, make_customer
from tests.incidents.test_broadcast_workers import (
    Mailboxes,
    empty_rq_queue,
    start_worker,
    wait_for,
)

REPLIES = 20
KILLS = 5
SEED = int(os.environ.get("REGARD_CHAOS_SEED", "20261202"))
# What the clock sees once the killed worker's lease ran out.
LATER = timedelta(minutes=1) + LEASE


def write_replies(agent, count: int) -> dict[str, str]:
    """One reply to each of `count` customers; {address: Message-ID} of what they are owed."""
    owed = {}
    for n in range(count):
        address = f"person{n}@example.com"
        conversation = make_conversation(make_customer(address))
        reply = actions.send_reply(
            agent.user, conversation, f"Reply {n}: your parcel is on its way."
        )
        owed[address] = f"<{reply.external_id}>"
    return owed


def clear_task_queue() -> None:
    from django_tasks_db.models import DBTaskResult

    empty_rq_queue()
    DBTaskResult.objects.all().delete()


def kill(process) -> None:
    os.killpg(process.pid, signal.SIGKILL)  # no goodbye: mid-SMTP, mid-commit, anywhere
    process.wait(timeout=10)


def finish(port: int, log) -> None:
    worker = start_worker(port, log, burst=True)
    try:
        worker.wait(timeout=120)
    finally:
        if worker.poll() is None:
            kill(worker)


def outbound_states() -> set[str]:
    return set(
        Message.objects.filter(direction=Direction.OUTBOUND).values_list("delivery", flat=True)
    )


class CommittingMailboxes(Mailboxes):
    """Files each message as soon as it has it, then answers slowly: the window in which a
    mail system holds a message its sender cannot know was taken (a killed sender resends)."""

    def __init__(self, delay: float):
        super().__init__(delay)
        self.begun = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.begun += 1
        message_id = email.message_from_bytes(envelope.content)["Message-ID"]
        for rcpt in envelope.rcpt_tos:
            self.boxes[rcpt].add(message_id)
        self.transactions += 1
        try:
            await asyncio.sleep(self.delay)
        finally:  # also when the sender hung up: aiosmtpd then cancels the handler
            self.begun -= 1
        return "250 Delivered"

    def in_flight(self) -> bool:
        return self.begun > 0


@pytest.mark.django_db(transaction=True)
def test_workers_killed_mid_send_leave_every_reply_sent_once(agent, tmp_path):
    chance = random.Random(SEED)
    clear_task_queue()
    # Slow enough that a kill inside a transaction lands before the sink answers it.
    sink = CommittingMailboxes(delay=0.25)
    controller = start_smtp_sink(sink)
    log = (tmp_path / "workers.log").open("wb")
    owed = write_replies(agent, REPLIES)
    moments = ["inside a send"] + [
        chance.choice(["inside a send", "anywhere"]) for _ in range(KILLS - 1)
    ]
    resumed = 0
    try:
        for moment in moments:
            target = min(REPLIES - 2, sink.transactions + chance.randint(1, REPLIES // KILLS))
            worker = start_worker(controller.port, log, burst=False)
            try:
                wait_for(lambda t=target: sink.transactions >= t, 90, f"{target} deliveries")
                if moment == "inside a send":
                    # The sink holds the message and has not answered: the worker cannot
                    # know it went out.
                    wait_for(sink.in_flight, 30, "a send in flight")
                    time.sleep(chance.uniform(0, sink.delay / 3))
                else:  # between two sends, or inside one: wherever the dice fall
                    time.sleep(chance.uniform(0, 2 * sink.delay))
            finally:
                kill(worker)
        # The clock, once the queue has run dry and the lease ran out: the replies the kills
        # took down are queued again (and again, should a resumed send be lost too).
        finish(controller.port, log)
        for _ in range(3):
            queued = tasks.resume_stalled(timezone.now() + LATER)
            if not queued:
                break
            resumed += queued
            finish(controller.port, log)
    finally:
        controller.stop()
        log.close()

    workers_log = (tmp_path / "workers.log").read_text()[-3000:]
    assert outbound_states() == {Delivery.SENT}, workers_log
    # One copy in each mailbox: a repeated send carried the same Message-ID.
    assert dict(sink.boxes) == {address: {mail_id} for address, mail_id in owed.items()}
    resent = sink.transactions - REPLIES
    print(f"seed {SEED}: kills {moments}, {resumed} queued again, {resent} sent twice")
    # A send the sink held at a kill goes out again; nothing else does, one a kill at most.
    assert moments.count("inside a send") <= resent <= len(moments)
    assert Message.objects.filter(direction=Direction.OUTBOUND).count() == REPLIES


@pytest.mark.django_db(transaction=True)
def test_two_workers_given_each_reply_twice_send_it_once(agent, tmp_path):
    """What the clock's sweep can cause under a long queue: the same delivery queued twice and
    taken by two workers at once. The claim lets only one of them send."""
    clear_task_queue()
    sink = Mailboxes(delay=0.08)
    controller = start_smtp_sink(sink)
    log = (tmp_path / "workers.log").open("wb")
    owed = write_replies(agent, REPLIES // 2)
    clear_task_queue()
    for message_id in Message.objects.filter(direction=Direction.OUTBOUND).values_list(
        "pk", flat=True
    ):
        tasks.deliver_message.enqueue(message_id)  # side by side in the queue: two workers
        tasks.deliver_message.enqueue(message_id)  # take both copies at the same moment
    workers = [start_worker(controller.port, log, burst=True) for _ in range(2)]
    try:
        for worker in workers:
            worker.wait(timeout=120)
    finally:
        for worker in workers:
            if worker.poll() is None:
                kill(worker)
        controller.stop()
        log.close()

    assert outbound_states() == {Delivery.SENT}, (tmp_path / "workers.log").read_text()[-3000:]
    assert dict(sink.boxes) == {address: {mail_id} for address, mail_id in owed.items()}
    assert sink.transactions == len(owed)  # no second send at all, not even with the same id
