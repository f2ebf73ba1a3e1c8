"""Queue one incident update to N affected customers, then deliver it with 2 worker processes
through an SMTP sink on loopback.

Prints `broadcast_queue_s` (time to store the update, a delivery row per recipient and the
delivery tasks) and `broadcast_delivered_per_s` (recipients per second from the workers' start
until the sink has every message); progress goes to stderr.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import subprocess
import threading
import time
from pathlib import Path

from model import (
    BATCH,
    bench_database,
    create_agents,
    create_customers,
    gather_statistics,
    log,
    setup_django,
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=50_000, help="affected customers")
    parser.add_argument("--workers", type=int, default=2, help="0: time the queueing only")
    parser.add_argument("--quick", action="store_true", help="small run for tests")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.quick:
        args.customers = 200
    return args


class CountingSink:
    """An SMTP server that only counts what it receives."""

    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        with self.lock:
            self.count += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed(count: int, seed: int):
    """Customers, each with an open conversation holding their message, all linked."""
    from django.db import transaction
    from django.utils import timezone

    from regard.accounts.choices import Role
    from regard.conversations.models import Conversation, Message
    from regard.incidents.actions import declare_incident
    from regard.incidents.models import AffectedCustomer

    rng = random.Random(seed)
    tag = f"bench{os.getpid()}"
    started = time.perf_counter()
    with transaction.atomic():
        staff = create_agents(tag)
        lead = staff[0][0]
        lead.role = Role.SUPERVISOR
        lead.save(update_fields=["role"])
        pairs = create_customers(tag, count, rng)
        now = timezone.now()
        incident = declare_incident(
            lead.user,
            title="Card payments failing at checkout",
            public_text="Card payments fail at checkout. We are fixing it now.",
        )
        for start in range(0, len(pairs), BATCH):
            chunk = pairs[start : start + BATCH]
            conversations = Conversation.objects.bulk_create(
                Conversation(
                    customer_id=customer_id,
                    subject="Payment declined",
                    status="open",
                    assignee=rng.choice(staff)[0],
                    created_at=now,
                )
                for customer_id, _ in chunk
            )
            Message.objects.bulk_create(
                Message(
                    conversation=c,
                    direction="inbound",
                    channel="email",
                    sender_id=identity_id,
                    text_full="My card payment was declined at checkout.",
                    text_new="My card payment was declined at checkout.",
                    external_id=f"{tag}-{c.pk}@customer.example",
                    created_at=now,
                )
                for c, (_, identity_id) in zip(conversations, chunk, strict=True)
            )
            AffectedCustomer.objects.bulk_create(
                AffectedCustomer(
                    incident=incident, customer_id=c.customer_id, conversation=c, linked_at=now
                )
                for c in conversations
            )
    log(f"seeded {count} linked customers in {time.perf_counter() - started:.1f} s")
    gather_statistics()  # the statistics autovacuum would soon have, as the other benches do
    return lead, incident


def empty_queue() -> None:
    from django.conf import settings

    if settings.REDIS_URL:
        import django_rq

        dropped = django_rq.get_queue("default").empty()
        log(f"emptied the RQ queue ({dropped} stale jobs)")


def queue(lead, incident) -> tuple[float, int]:
    from datetime import timedelta

    from django.utils import timezone

    from regard.incidents.broadcast import queue_update

    started = time.perf_counter()
    update = queue_update(
        lead.user,
        incident,
        "We found the cause and I am rolling out the fix now.",
        status="identified",
        next_update_due_at=timezone.now() + timedelta(hours=1),
    )
    return time.perf_counter() - started, update.recipients


def deliver(workers: int, expected: int, port: int, sink: CountingSink) -> float:
    from django.conf import settings
    from django.db import connections

    from regard.system.workers import worker_command

    connections.close_all()
    env = {**os.environ, "REGARD_SMTP_URL": f"smtp://127.0.0.1:{port}", "REGARD_DEBUG": "false"}
    logs = Path(settings.DATA_DIR) / "workers.log"
    with logs.open("wb") as out:
        started = time.perf_counter()
        processes = [
            subprocess.Popen(worker_command(burst=True), env=env, stdout=out, stderr=out)
            for _ in range(workers)
        ]
        try:
            while sink.count < expected and any(p.poll() is None for p in processes):
                time.sleep(0.05)
            elapsed = time.perf_counter() - started
            for process in processes:
                process.wait(timeout=120)
        finally:
            for process in processes:
                if process.poll() is None:
                    process.kill()
    if sink.count < expected:
        log(logs.read_text(errors="replace")[-3000:])
        raise SystemExit(f"the workers stopped after {sink.count} of {expected} messages")
    return elapsed


def check(expected: int) -> None:
    from django.db.models import Count

    from regard.incidents.models import UpdateDelivery

    states = dict(UpdateDelivery.objects.values_list("state").annotate(n=Count("pk")).order_by())
    log(f"delivery states: {states}")
    if states.get("sent") != expected:
        raise SystemExit(f"expected {expected} sent, found {states}")


def main() -> None:
    from aiosmtpd.controller import Controller

    args = parse_args()
    os.environ["REGARD_DEBUG"] = "false"  # with DEBUG, Django keeps every query in memory
    with bench_database(keep=False):
        setup_django()
        empty_queue()
        lead, incident = seed(args.customers, args.seed)
        queue_s, recipients = queue(lead, incident)
        log(f"queued {recipients} recipients in {queue_s:.2f} s")
        if not args.workers:
            print(f"broadcast_queue_s {queue_s:.2f}", flush=True)
            return
        sink = CountingSink()
        controller = Controller(sink, hostname="127.0.0.1", port=free_port())
        controller.start()
        try:
            elapsed = deliver(args.workers, recipients, controller.port, sink)
        finally:
            controller.stop()
        log(f"{args.workers} workers delivered {sink.count} messages in {elapsed:.1f} s")
        check(recipients)
    print(f"broadcast_queue_s {queue_s:.2f}")
    print(f"broadcast_delivered_per_s {recipients / elapsed:.1f}", flush=True)


if __name__ == "__main__":
    main()
