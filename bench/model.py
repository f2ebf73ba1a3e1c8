"""Bulk-load customers and conversations into a fresh database, then time the agent's inbox query.

Prints `name value` lines on stdout; progress, plans and warnings go to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import urlsplit

BATCH = 2_000
AGENTS = 20
TEAMS = 2
DAYS = 180
INDEX = "conv_assignee_wait"
# (status, share, share of those still waiting on us): about a third end up with waiting_since.
STATUS_MIX = (
    ("new", 0.08, 1.0),
    ("open", 0.20, 1.0),
    ("pending", 0.07, 0.0),
    ("on_hold", 0.05, 1.0),
    ("solved", 0.20, 0.03),
    ("closed", 0.40, 0.03),
)
FIRST = ("Ana", "Ben", "Chloé", "Dmitri", "Emeka", "Farah", "Günter", "Hana", "Ines", "Jun")
LAST = ("Okafor", "Larsen", "Nguyen", "Silva", "Kowalski", "Haddad", "Moreau", "Tanaka", "Reyes")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200, help="timed runs of the inbox query")
    parser.add_argument("--quick", action="store_true", help="small run for tests")
    parser.add_argument("--explain", action="store_true", help="print the query plan to stderr")
    parser.add_argument(
        "--keep", action="store_true", help="load into the configured database and keep the rows"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.quick:
        args.customers, args.conversations, args.runs = 500, 2_000, 20
    return args


def log(*parts: object) -> None:
    print(*parts, file=sys.stderr, flush=True)


@contextlib.contextmanager
def fresh_postgres(url: str) -> Iterator[str]:
    """Create `regard_bench_<pid>` on the server of `url`, yield its URL, drop it afterwards."""
    import psycopg
    from psycopg import sql

    name = f"regard_bench_{os.getpid()}"
    statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(statement)
    log(f"created database {name}")
    try:
        yield urlsplit(url)._replace(path=f"/{name}").geturl()
    finally:
        from django.conf import settings
        from django.db import connections

        if settings.configured:
            connections.close_all()
        drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(drop)
        log(f"dropped database {name}")


@contextlib.contextmanager
def bench_database(keep: bool) -> Iterator[None]:
    """Point the environment at a throwaway database unless `keep` asks for the configured one."""
    if keep:
        yield
        return
    url = os.environ.get("DATABASE_URL", "")
    with tempfile.TemporaryDirectory(prefix="regard-bench-") as data_dir:
        os.environ["REGARD_DATA_DIR"] = data_dir
        if url.startswith("postgres"):
            with fresh_postgres(url) as bench_url:
                os.environ["DATABASE_URL"] = bench_url
                yield
        else:
            os.environ.pop("DATABASE_URL", None)
            yield


def setup_django() -> None:
    import django
    from django.core.management import call_command

    os.environ["DJANGO_SETTINGS_MODULE"] = "regard.settings"
    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def create_agents(tag: str) -> list[tuple]:
    """Return (agent, team) pairs, the agents split evenly over the teams."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User

    from regard.accounts.models import Agent, Team

    teams = Team.objects.bulk_create(Team(name=f"{tag} team {t + 1}") for t in range(TEAMS))
    users = User.objects.bulk_create(
        User(username=f"{tag}-agent{a + 1}", password=make_password(None)) for a in range(AGENTS)
    )
    agents = Agent.objects.bulk_create(
        Agent(user=user, display_name=f"Agent {a + 1}") for a, user in enumerate(users)
    )
    staff = [(agent, teams[a % TEAMS]) for a, agent in enumerate(agents)]
    Agent.teams.through.objects.bulk_create(
        Agent.teams.through(agent=agent, team=team) for agent, team in staff
    )
    return staff


def create_customers(tag: str, count: int, rng: random.Random) -> list[tuple[int, int]]:
    """Return (customer id, email identity id) pairs."""
    from regard.customers.models import Customer, Identity

    pairs = []
    for start in range(0, count, BATCH):
        customers = Customer.objects.bulk_create(
            Customer(display_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}", language="en")
            for _ in range(start, min(start + BATCH, count))
        )
        identities = Identity.objects.bulk_create(
            Identity(customer=c, kind="email", value=f"{tag}-c{c.pk}@example.com", verified=True)
            for c in customers
        )
        pairs += [(c.pk, i.pk) for c, i in zip(customers, identities, strict=True)]
    return pairs


def _conversation(rng, now, staff, customer_id) -> tuple:
    from regard.conversations.models import Conversation

    status, _, waiting_share = rng.choices(STATUS_MIX, weights=[s[1] for s in STATUS_MIX])[0]
    created = now - timedelta(seconds=rng.uniform(0, DAYS * 86_400))
    waiting = created + (now - created) * rng.random() if rng.random() < waiting_share else None
    agent, team = rng.choice(staff)
    done = created + timedelta(hours=rng.uniform(1, 96))
    conversation = Conversation(
        customer_id=customer_id,
        subject="Where is my order?",
        status=status,
        priority=rng.choices((1, 2, 3, 4), weights=(10, 70, 15, 5))[0],
        assignee=agent,
        team=team,
        waiting_since=waiting,
        created_at=created,
        solved_at=done if status in ("solved", "closed") else None,
        closed_at=done if status == "closed" else None,
    )
    return conversation, rng.randint(1, 3)


def _messages(conversation, count: int, identity_id: int, agent_user_id: int) -> list:
    from regard.conversations.models import Message

    # Alternating, and ending with the customer exactly when the conversation is waiting on us.
    last, other = ("inbound", "outbound") if conversation.waiting_since else ("outbound", "inbound")
    directions = [last if (count - 1 - i) % 2 == 0 else other for i in range(count)]
    return [
        Message(
            conversation=conversation,
            direction=direction,
            channel="email",
            sender_id=identity_id if direction == "inbound" else None,
            author_id=agent_user_id if direction == "outbound" else None,
            text_full=f"Message {i + 1} about order {conversation.customer_id}.",
            text_new=f"Message {i + 1}.",
            created_at=conversation.created_at + timedelta(hours=i),
            delivery="sent" if direction == "outbound" else "",
        )
        for i, direction in enumerate(directions)
    ]


def create_conversations(count: int, staff, pairs, rng: random.Random) -> int:
    """Create the conversations and their messages; return how many rows were inserted."""
    from django.utils import timezone

    from regard.conversations.models import Conversation, Message

    identity_of = dict(pairs)
    now = timezone.now()
    rows = 0
    for start in range(0, count, BATCH):
        drafts = [
            _conversation(rng, now, staff, rng.choice(pairs)[0])
            for _ in range(start, min(start + BATCH, count))
        ]
        conversations = Conversation.objects.bulk_create(c for c, _ in drafts)
        messages = [
            m
            for c, n in drafts
            for m in _messages(c, n, identity_of[c.customer_id], c.assignee.user_id)
        ]
        Message.objects.bulk_create(messages, batch_size=BATCH)
        rows += len(conversations) + len(messages)
    return rows


def seed(args: argparse.Namespace) -> tuple[object, float]:
    """Insert everything in one transaction; return the first agent and the rows per second."""
    from django.db import transaction

    rng = random.Random(args.seed)
    tag = f"bench{os.getpid()}"
    started = time.perf_counter()
    with transaction.atomic():
        staff = create_agents(tag)
        pairs = create_customers(tag, args.customers, rng)
        rows = TEAMS + 3 * AGENTS + 2 * len(pairs)
        rows += create_conversations(args.conversations, staff, pairs, rng)
    elapsed = time.perf_counter() - started
    log(f"inserted {rows} rows in {elapsed:.1f} s")
    gather_statistics()
    return staff[0][0], rows / elapsed


def gather_statistics() -> None:
    """The planner statistics a running Regard would have: PostgreSQL's autovacuum gathers them
    soon, on SQLite `regard clock` does (regard.system.clock.refresh_statistics)."""
    from django.db import connection

    from regard.system import clock

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        clock._statistics_at = None
        clock.refresh_statistics()


def inbox_query(agent):
    from regard.conversations.models import Conversation

    return Conversation.objects.waiting_longest(agent).select_related("customer")[:50]


def time_inbox(agent, runs: int, explain: bool) -> list[float]:
    plan = inbox_query(agent).explain()
    if explain:
        log(plan)
    if INDEX not in plan:
        log(f"warning: the inbox query does not use the index {INDEX}")
    for _ in range(max(5, runs // 10)):
        list(inbox_query(agent))
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        list(inbox_query(agent))
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def main() -> None:
    args = parse_args()
    with bench_database(args.keep):
        setup_django()
        agent, rows_per_s = seed(args)
        print(f"model_rows_per_s {rows_per_s:.1f}", flush=True)
        timings = time_inbox(agent, args.runs, args.explain)
        p99 = statistics.quantiles(timings, n=100, method="inclusive")[98]
        print(f"inbox_waiting_longest_ms {statistics.median(timings):.3f}")
        print(f"inbox_waiting_longest_p99_ms {p99:.3f}", flush=True)


if __name__ == "__main__":
    main()
