"""Time routing decisions (regard.service.routing.route) with 200 agents in one least-loaded team.

Each agent carries open conversations and a closed history; the customers routed are a mix of
their person, the agent who last helped them, a concierge, and newcomers for the team's mode.
Prints `name value` lines on stdout; progress goes to stderr.

`routing_p99_ms()` is importable (bench/service.py calls it): it needs a configured, migrated
database and leaves its rows there, tagged so they never collide with anything else.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import statistics
import sys
import threading
import time
from datetime import timedelta

from model import bench_database, log, setup_django

OPEN_PER_AGENT = 8
CLOSED_PER_AGENT = 60
# Shares of the routed customers: their person, last helper, concierge; the rest are new.
MIX = (("owner", 0.3), ("last_helper", 0.3), ("concierge", 0.05))


def routing_p99_ms(agents: int = 200, decisions: int = 1000, seed: int = 5) -> float:
    """The 99th percentile of one routing decision, in milliseconds."""
    return _percentile(routing_timings(agents, decisions, seed)[0], 0.99)


def routing_timings(agents: int, decisions: int, seed: int = 5) -> tuple[list[float], int]:
    """Milliseconds per decision (sorted), and the queries one decision made."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from regard.service.routing import route

    rng = random.Random(seed)
    tag = f"route{os.getpid()}x{rng.randrange(10**6)}"
    staff = _staff(tag, agents, capacity=OPEN_PER_AGENT + decisions // agents + 10)
    conversations = _arrivals(tag, staff, decisions, rng)
    _analyze()
    for conversation in conversations[:5]:
        route(conversation)  # warm up caches and connections, as a running worker would be
    with CaptureQueriesContext(connection) as queries:
        route(conversations[5])
    spent = []
    with clock_beside():
        for conversation in conversations[6:]:
            began = time.perf_counter()
            decision = route(conversation)
            spent.append((time.perf_counter() - began) * 1000)
            assert decision is not None and decision.assignee is not None, decision
    return sorted(spent), len(queries.captured_queries)


@contextlib.contextmanager
def clock_beside():
    """What `regard clock` does beside a worker that matters here: on SQLite it folds the
    write-ahead log into the database every few seconds (regard.system.clock.checkpoint_wal),
    on a connection of its own."""
    from django.db import connections

    from regard.system.clock import CHECKPOINT_EVERY, checkpoint_wal

    stop = threading.Event()

    def run():
        while not stop.wait(CHECKPOINT_EVERY):
            checkpoint_wal()
        connections.close_all()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _staff(tag: str, count: int, capacity: int):
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User

    from regard.accounts.choices import RoutingMode
    from regard.accounts.models import Agent, Team

    team = Team.objects.create(name=f"{tag} team", routing_mode=RoutingMode.LEAST_LOADED)
    password = make_password(None)
    users = User.objects.bulk_create(
        User(username=f"{tag}-a{i}", password=password) for i in range(count)
    )
    agents = Agent.objects.bulk_create(
        Agent(user=user, display_name=f"Agent {i}", capacity=capacity)
        for i, user in enumerate(users)
    )
    Agent.teams.through.objects.bulk_create(
        Agent.teams.through(agent=agent, team=team) for agent in agents
    )
    return team, agents


def _arrivals(tag: str, staff, decisions: int, rng: random.Random) -> list:
    """Each agent's open load and closed history, then one new unassigned conversation per
    decision, for customers of every kind in MIX."""
    from django.utils import timezone

    from regard.conversations.models import Conversation, Message
    from regard.customers.models import Customer

    team, agents = staff
    now = timezone.now()
    kinds = rng.choices(
        [kind for kind, _ in MIX] + ["new"],
        weights=[share for _, share in MIX] + [1 - sum(share for _, share in MIX)],
        k=decisions,
    )
    customers = Customer.objects.bulk_create(
        Customer(
            display_name=f"{tag} customer {i}",
            owner=rng.choice(agents) if kind == "owner" else None,
            concierge=rng.choice(agents) if kind == "concierge" else None,
        )
        for i, kind in enumerate(kinds)
    )
    history = [
        _conversation(team, agent, rng.choice(customers), now, "closed", rng)
        for agent in agents
        for _ in range(CLOSED_PER_AGENT)
    ]
    history += [
        _conversation(team, agent, rng.choice(customers), now, "open", rng)
        for agent in agents
        for _ in range(OPEN_PER_AGENT)
    ]
    helped = [c for c, kind in zip(customers, kinds, strict=True) if kind == "last_helper"]
    history += [_conversation(team, rng.choice(agents), c, now, "solved", rng) for c in helped]
    history = Conversation.objects.bulk_create(history, batch_size=2000)
    Message.objects.bulk_create(
        (
            Message(
                conversation=c,
                direction="outbound",
                channel="email",
                author_id=c.assignee.user_id,
                text_full="Happy to help.",
                created_at=c.created_at + timedelta(hours=1),
            )
            for c in history
            if c.status == "solved"
        ),
        batch_size=2000,
    )
    return Conversation.objects.bulk_create(
        Conversation(customer=c, team=team, subject="New", status="new", created_at=now)
        for c in customers
    )


def _conversation(team, agent, customer, now, status: str, rng: random.Random):
    from regard.conversations.models import Conversation

    return Conversation(
        customer=customer,
        team=team,
        assignee=agent,
        subject="Earlier",
        status=status,
        priority=rng.choices((1, 2, 3, 4), weights=(10, 70, 15, 5))[0],
        created_at=now - timedelta(days=rng.uniform(1, 180)),
    )


def _analyze() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _percentile(sorted_values: list[float], share: float) -> float:
    index = min(len(sorted_values) - 1, round(share * (len(sorted_values) - 1)))
    return sorted_values[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--decisions", type=int, default=2000)
    parser.add_argument("--quick", action="store_true", help="20 agents, 100 decisions")
    args = parser.parse_args()
    if args.quick:
        args.agents, args.decisions = 20, 100
    with bench_database(keep=False):
        setup_django()
        started = time.perf_counter()
        spent, queries = routing_timings(args.agents, args.decisions)
        took = time.perf_counter() - started
        log(f"{len(spent)} decisions over {args.agents} agents in {took:.1f} s")
    print(f"routing_p50_ms {statistics.median(spent):.2f}")
    print(f"routing_p99_ms {_percentile(spent, 0.99):.2f}")
    print(f"routing_queries {queries}")


if __name__ == "__main__":
    sys.exit(main())
