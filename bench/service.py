"""Service levels at scale: open conversations with running clocks, then the periodic breach
sweep timed over them.

Builds N open conversations (1,000,000 by default; --quick: 2,000) each with a first-reply and a
resolution clock whose due times spread over a week around now, left as a sweep one minute ago
would have left them. Then times `regard.service.sweeps.escalate(now)`: the minute's crossings,
a second sweep with nothing to do, and the backlog after a 15-minute outage.

Prints `name value` lines on stdout; progress and plans go to stderr. Another figure joins by
adding a function to MEASUREMENTS: it takes the built world and the arguments, returns pairs.
"""

from __future__ import annotations

import argparse
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from model import bench_database, create_agents, gather_statistics, log, setup_django

BATCH = 10_000
WEEK_S = 7 * 86_400
SWEEP_INDEX = "clock_next_step"


@dataclass
class World:
    now: datetime
    staff: list  # (agent, team) pairs
    conversations: int
    clocks: int


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conversations", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=5_000)
    parser.add_argument("--quick", action="store_true", help="small run for tests")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.quick:
        args.conversations, args.customers = 2_000, 200
    return args


def _customers(count: int) -> list[int]:
    from regard.customers.models import Customer

    ids = []
    for start in range(0, count, BATCH):
        made = Customer.objects.bulk_create(
            Customer(display_name=f"Customer {n}") for n in range(start, min(count, start + BATCH))
        )
        ids += [customer.pk for customer in made]
    return ids


def _clock(conversation_id: int, metric: str, due: datetime, previous: datetime, policy):
    """A clock as the sweep at `previous` left it: its step and next step follow from due."""
    from regard.service.models import ServiceClock

    target = timedelta(minutes=policy.target(metric))
    warn = due - target * (1 - policy.warn_fraction)
    after = timedelta(minutes=policy.supervisor_after_minutes)
    moments = (warn, due, due + after)
    step = sum(1 for moment in moments if moment <= previous)
    next_step = moments[step] if step < len(moments) else None
    return ServiceClock(
        conversation_id=conversation_id,
        metric=metric,
        policy=policy,
        target_minutes=policy.target(metric),
        warn_fraction=policy.warn_fraction,
        started_at=due - target,
        due_at=due,
        warn_at=warn,
        next_step_at=next_step,
        step=step,
        breached_at=due if step >= 2 else None,
    )


def build(args: argparse.Namespace) -> World:
    from django.db import transaction
    from django.utils import timezone

    from regard.accounts.models import Team
    from regard.conversations.models import Conversation
    from regard.service.models import Policy, ServiceClock

    rng = random.Random(args.seed)
    now = timezone.now().replace(microsecond=0)
    previous = now - timedelta(minutes=1)
    started = time.perf_counter()
    with transaction.atomic():
        staff = create_agents("sla")
        for agent, team in staff[: len({t.pk for _, t in staff})]:
            Team.objects.filter(pk=team.pk).update(lead=agent)
        policy = Policy.objects.create(
            name="Standard", first_reply_minutes=240, resolution_minutes=2400
        )
        customers = _customers(args.customers)
    clocks = 0
    for start in range(0, args.conversations, BATCH):
        size = min(BATCH, args.conversations - start)
        with transaction.atomic():
            drafts = []
            for _ in range(size):
                agent, team = rng.choice(staff)
                drafts.append(
                    Conversation(
                        customer_id=rng.choice(customers),
                        subject="Where is my order?",
                        status=rng.choice(("new", "open", "open", "on_hold")),
                        assignee=agent,
                        team=team,
                        created_at=now - timedelta(days=2),
                        waiting_since=now - timedelta(days=2),
                    )
                )
            made = Conversation.objects.bulk_create(drafts, batch_size=BATCH)
            rows = []
            for conversation in made:
                due = now + timedelta(seconds=rng.uniform(-2 * 86_400, 5 * 86_400))
                rows.append(_clock(conversation.pk, "first_reply", due, previous, policy))
                later = due + timedelta(seconds=rng.uniform(0, WEEK_S))
                rows.append(_clock(conversation.pk, "resolution", later, previous, policy))
            ServiceClock.objects.bulk_create(rows, batch_size=BATCH)
            clocks += len(rows)
        if (start // BATCH) % 10 == 9:
            log(f"{start + size:,} conversations, {time.perf_counter() - started:.0f} s")
    log(
        f"built {args.conversations:,} conversations, {clocks:,} clocks in "
        f"{time.perf_counter() - started:.1f} s"
    )
    gather_statistics()
    return World(now=now, staff=staff, conversations=args.conversations, clocks=clocks)


def _sweep_plan(now) -> str:
    from regard.service.models import ServiceClock

    return (
        ServiceClock.objects.filter(next_step_at__lte=now).order_by("next_step_at")[:2000].explain()
    )


def measure_breach_sweep(world: World, args: argparse.Namespace) -> list[tuple[str, float]]:
    """The periodic sweep one minute after the last, again with nothing left, and after an
    outage of 15 minutes."""
    from django.urls import reverse

    from regard.service.sweeps import escalate

    reverse("web:conversation", args=[1])  # the URLconf loads once per process, not per sweep
    plan = _sweep_plan(world.now)
    log(plan)
    if SWEEP_INDEX not in plan:
        log(f"warning: the sweep does not read through the index {SWEEP_INDEX}")
    figures = []
    for name, now in (
        ("breach_sweep", world.now),
        ("breach_sweep_idle", world.now),
        ("breach_sweep_after_15min_outage", world.now + timedelta(minutes=15)),
    ):
        started = time.perf_counter()
        steps = escalate(now)
        elapsed = time.perf_counter() - started
        log(f"{name}: {steps} steps over {world.clocks:,} clocks in {elapsed:.3f} s")
        figures.append((f"{name}_s", elapsed))
        if name == "breach_sweep":
            figures.append(("breach_sweep_steps", steps))
    return figures


MEASUREMENTS = [measure_breach_sweep]


def main() -> None:
    args = parse_args()
    with bench_database(keep=False):
        setup_django()
        world = build(args)
        for measure in MEASUREMENTS:
            for name, value in measure(world, args):
                print(f"{name} {value:.3f}" if isinstance(value, float) else f"{name} {value}")


if __name__ == "__main__":
    main()
