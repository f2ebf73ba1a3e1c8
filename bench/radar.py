"""Bulk-load customers, conversations, messages, promises, surveys and events into a fresh
database, then time one full recompute of the indifference radar.

Prints `name value` lines on stdout; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import timedelta

from model import bench_database, create_agents, gather_statistics, log, setup_django

BATCH = 10_000
DAYS = 365
SUBJECTS = (
    "Where is my order?", "Refund not received", "Cannot log in", "Damaged parcel",
    "Question about my invoice", "Subscription renewal", "Wrong item delivered",
    "Change of address", "Charged twice", "Password reset", "Missing item", "Warranty repair",
)  # fmt: skip
NEGATIVE = ("angry", "frustrated", "anxious", "sad")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--conversations", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="small run for tests")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.quick:
        args.customers, args.conversations = 1_000, 10_000
    return args


class Inserter:
    """Rows straight into a table with executemany: Django's bulk_create spends most of a
    million-row load preparing values. Columns not given get their model default."""

    def __init__(self, model, columns: tuple[str, ...]):
        from django.db import connection
        from django.utils import timezone

        self.connection, self.columns, self.table = connection, columns, model._meta.db_table
        fixed, per_row = {}, {}
        for field in model._meta.concrete_fields:
            if field.attname in columns or field.primary_key:
                continue  # an id not given is the database's to number
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                fixed[field.column] = field.get_db_prep_save(timezone.now(), connection)
            elif field.has_default() and callable(field.default):
                per_row[field.column] = (field, field.get_db_prep_save)
            else:
                fixed[field.column] = field.get_db_prep_save(field.get_default(), connection)
        self.fixed, self.per_row = fixed, per_row
        names = [*columns, *fixed, *per_row]
        quote = connection.ops.quote_name
        self.copy = f"COPY {quote(self.table)} ({', '.join(quote(n) for n in names)}) FROM STDIN"
        self.sql = (
            f"INSERT INTO {quote(self.table)} ({', '.join(quote(n) for n in names)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(names))})"
        )

    def when(self, value):
        return None if value is None else self.connection.ops.adapt_datetimefield_value(value)

    def insert(self, rows: list[tuple]) -> int:
        fixed = tuple(self.fixed.values())
        makers = tuple(self.per_row.values())
        connection = self.connection
        full = [
            (*row, *fixed, *(prep(f.get_default(), connection) for f, prep in makers))
            for row in rows
        ]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":  # COPY: one round trip, not one a row
                with cursor.cursor.copy(self.copy) as copy:
                    for row in full:
                        copy.write_row(row)
            else:
                cursor.executemany(self.sql, full)
        return len(rows)


def drop_search_triggers() -> None:
    """SQLite's search triggers would triple the load time; the radar never reads search."""
    from django.db import connection

    from regard.search.schema import SQLITE_TRIGGERS

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def reset_sequences() -> None:
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection

    models = [m for m in apps.get_models() if m._meta.app_label in ("conversations", "loyalty")]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


def load_customers(count: int, staff, rng: random.Random) -> list[int]:
    from regard.customers.models import Customer

    agents = [agent.pk for agent, _ in staff]
    customers = Inserter(Customer, ("id", "display_name", "vip", "owner_id"))
    rows = [
        (
            n,
            f"Customer {n}",
            rng.random() < 0.03,
            rng.choice(agents) if rng.random() < 0.3 else None,
        )
        for n in range(1, count + 1)
    ]
    for start in range(0, count, BATCH):
        customers.insert(rows[start : start + BATCH])
    return [row[0] for row in rows]


class Loader:
    """Tables filled batch by batch, each row built from one conversation."""

    def __init__(self, staff, customer_ids, rng):
        from django.utils import timezone

        from regard.commitments.models import Commitment
        from regard.conversations.models import Conversation, Event, Message
        from regard.loyalty.models import Survey, SurveyAnswer

        self.rng, self.staff, self.customer_ids = rng, staff, customer_ids
        self.now = timezone.now()
        self.ids = dict.fromkeys(("message", "event", "commitment", "survey"), 0)
        self.tables = {
            "conversations": Inserter(Conversation, (
                "id", "customer_id", "subject", "status", "assignee_id", "team_id",
                "waiting_since", "created_at", "solved_at",
            )),
            "messages": Inserter(Message, (
                "id", "conversation_id", "direction", "channel", "author_id", "text_new",
                "emotion", "complaint", "delivery", "created_at",
            )),
            "events": Inserter(Event, (
                "id", "kind", "conversation_id", "customer_id", "created_at",
            )),
            "commitments": Inserter(Commitment, (
                "id", "conversation_id", "text", "due_at", "state", "created_at",
            )),
            "surveys": Inserter(Survey, (
                "id", "kind", "customer_id", "conversation_id", "created_at", "sent_at",
            )),
            "answers": Inserter(SurveyAnswer, ("survey_id", "score", "answered_at")),
        }  # fmt: skip
        self.rows = {name: [] for name in self.tables}

    def next_id(self, kind: str) -> int:
        self.ids[kind] += 1
        return self.ids[kind]

    def conversation(self, pk: int) -> None:
        rng, now, when = self.rng, self.now, self.tables["conversations"].when
        created = now - timedelta(seconds=rng.uniform(0, DAYS * 86_400))
        agent, team = rng.choice(self.staff)
        customer_id = rng.choice(self.customer_ids)
        active = created > now - timedelta(days=14) and rng.random() < 0.4
        waiting = created if active and rng.random() < 0.6 else None
        solved = None if active else created + timedelta(hours=rng.uniform(1, 72))
        status = rng.choice(("open", "new")) if active else "closed"
        self.rows["conversations"].append((
            pk, customer_id, rng.choice(SUBJECTS), status, agent.pk, team.pk, when(waiting),
            when(created), when(solved),
        ))  # fmt: skip
        upset = rng.random() < 0.12
        emotion = rng.choice(NEGATIVE) if upset else "neutral"
        self.rows["messages"].append((
            self.next_id("message"), pk, "inbound", "email", None, "Hi", emotion,
            upset and rng.random() < 0.5, "", when(created),
        ))  # fmt: skip
        if waiting is None and rng.random() < 0.6:
            self.rows["messages"].append((
                self.next_id("message"), pk, "outbound", "email", agent.user_id, "Done", "",
                False, "sent", when(created + timedelta(hours=2)),
            ))  # fmt: skip
        self.extras(pk, customer_id, created, solved)

    def extras(self, pk, customer_id, created, solved) -> None:
        rng, when = self.rng, self.tables["conversations"].when
        self.rows["events"].append(
            (self.next_id("event"), "conversation.opened", pk, customer_id, when(created))
        )
        roll = rng.random()
        if roll < 0.02:
            due = created + timedelta(days=1)
            state = "broken" if roll < 0.006 else "open" if roll < 0.008 else "kept"
            self.rows["commitments"].append(
                (self.next_id("commitment"), pk, "I will call you", when(due), state, when(created))
            )
        if 0.02 <= roll < 0.07 and solved:
            survey = self.next_id("survey")
            kind = "csat" if roll < 0.06 else "nps"
            self.rows["surveys"].append((survey, kind, customer_id, pk, when(solved), when(solved)))
            if rng.random() < 0.35:
                score = rng.randint(1, 5) if kind == "csat" else rng.randint(0, 10)
                self.rows["answers"].append((survey, score, when(solved + timedelta(hours=3))))
        if roll > 0.995:
            at = when(created + timedelta(hours=5))
            self.rows["events"].append(
                (self.next_id("event"), "service.breached", pk, customer_id, at)
            )

    def flush(self) -> dict[str, int]:
        from django.db import transaction

        with transaction.atomic():
            done = {name: self.tables[name].insert(rows) for name, rows in self.rows.items()}
        self.rows = {name: [] for name in self.tables}
        return done


def load_conversations(count: int, staff, customer_ids, rng: random.Random) -> dict[str, int]:
    loader = Loader(staff, customer_ids, rng)
    totals: dict[str, int] = {}
    for start in range(0, count, BATCH):
        for pk in range(start + 1, min(start + BATCH, count) + 1):
            loader.conversation(pk)
        for name, made in loader.flush().items():
            totals[name] = totals.get(name, 0) + made
        if (start // BATCH) % 20 == 19:
            log(f"{start + BATCH} conversations loaded")
    reset_sequences()
    return totals


def main() -> None:
    args = parse_args()
    with bench_database(keep=False):
        setup_django()
        from regard.loyalty import radar
        from regard.loyalty.models import CustomerHealth

        rng = random.Random(args.seed)
        started = time.perf_counter()
        drop_search_triggers()
        staff = create_agents("radar")
        customer_ids = load_customers(args.customers, staff, rng)
        rows = load_conversations(args.conversations, staff, customer_ids, rng)
        log(
            f"loaded {args.customers} customers and {rows} in {time.perf_counter() - started:.0f} s"
        )
        gather_statistics()
        started = time.perf_counter()
        scored = radar.recompute()
        elapsed = time.perf_counter() - started
        at_risk = CustomerHealth.objects.filter(risk__gte=50).count()
        log(f"{scored} of {args.customers} customers with a reason for concern, {at_risk} at risk")
        print(f"radar_seconds {elapsed:.2f}")
        print(f"radar_customers_at_risk {at_risk}", flush=True)


if __name__ == "__main__":
    main()
