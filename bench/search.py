"""Build a message corpus in a fresh database, then time `regard.search` over a mix of queries.

Prints `name value` lines on stdout (p50 and p99 over the whole mix, then p50 per query class);
progress and warnings go to stderr.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import time
from datetime import timedelta

from model import bench_database, create_agents, gather_statistics, log, setup_django

BATCH = 20_000
DAYS = 365
ZIPF_EXPONENT = 1.05
# Function words and the trade's own words, most frequent first: the head of the Zipf curve.
COMMON = """the i to my and you a for is it of order in have not this please on be with
that was we your can but thanks at me hi as from will would so if get been help there
just delivery any account refund when an they are what about did no all back still
do could out now received know had our by up one or time item need email number today
payment days week sent card again us got want package working return tracking""".split()
DOMAIN = """invoice parcel shipping address password login subscription cancel charged twice
damaged missing wrong size colour replacement warehouse courier dispatch estimated arrival
checkout basket voucher discount code promotion loyalty points receipt bank transfer paypal
credit debit declined pending processing confirmation reference ticket complaint manager
supervisor escalate urgent frustrated disappointed delighted grateful quickly waiting weeks
months broken faulty defective warranty repair exchange store branch collection locker
signature neighbour doorstep driver van depot customs duty import fee overcharged billing
statement direct debit renewal upgrade downgrade plan premium basic trial expired
activation reset verify verification two factor authentication app update crash error
screen battery charger cable adapter headphones speaker laptop phone tablet printer ink
toner mattress sofa chair table lamp curtain kettle toaster blender fridge freezer washer
dryer oven hob microwave vacuum hoover mop bucket towel duvet pillow sheet blanket rug
jacket trousers dress shirt shoes boots trainers socks gloves scarf hat belt wallet bag""".split()
SYLLABLES = (
    "ka lo mi ne ru ta vo zen tri bel dor fa gu hi jo ku li mo nu pe qui ra si tu vex wy".split()
)
PHRASES = (  # (text, share of messages): "never arrived" is the brief's 120k-in-1M phrase
    ("never arrived", 0.12),
    ("reset my password", 0.04),
    ("charged twice", 0.02),
    ("wrong size", 0.01),
    ("tracking number does not work", 0.004),
    ("speak to a manager", 0.002),
)
SUBJECTS = (
    "Where is my order?",
    "Refund request",
    "Cannot log in",
    "Damaged parcel",
    "Question about my invoice",
    "Subscription renewal",
    "Wrong item delivered",
    "Change of address",
)
FIRST = """Ana Ben Chloé Dmitri Emeka Farah Günter Hana Inès Jun Kofi Léa Mateo Nadia Oskar
Priya Quentin Rosa Søren Tomás Uma Viktor Wen Ximena Yusuf Zoë Aoife Björn Céline Dorota
Élodie Fatima Giulia Hiroshi Ingrid José Katarzyna Lars Mónica Nikolai""".split()
LAST = """Okafor Larsen Nguyen Silva Kowalski Haddad Moreau Tanaka Reyes Ångström Müller
García Rossi Dubois Novak Jensen O'Brien Nakamura Fernández Schmidt Papadopoulos Horváth
Yilmaz Andersson Kim Mensah Ivanova Costa Lefebvre Wójcik Dvořák Byrne Sato Öztürk Petrović
Eriksson Martins Nowak Bianchi Hansen""".split()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="small run for tests")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.quick:
        args.messages, args.customers, args.queries = 20_000, 2_000, 60
    return args


def vocabulary(rng: random.Random, size: int = 30_000) -> list[str]:
    """Words most frequent first: common and trade words, then invented product names."""
    words = list(dict.fromkeys(w for w in COMMON + DOMAIN if w.isascii()))
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choices(SYLLABLES, k=rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


class Writer:
    """Message texts with a Zipf-like word frequency and some stock phrases."""

    def __init__(self, rng: random.Random, words: list[str]):
        self.rng, self.words = rng, words
        weights = [1 / (rank + 1) ** ZIPF_EXPONENT for rank in range(len(words))]
        self.cumulative = list(itertools.accumulate(weights))

    def text(self) -> str:
        rng = self.rng
        words = rng.choices(self.words, cum_weights=self.cumulative, k=rng.randint(12, 60))
        for phrase, share in PHRASES:
            if rng.random() < share:
                words.insert(rng.randrange(len(words) + 1), phrase)
        return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def create_customers(count: int, rng: random.Random) -> list[tuple[int, int]]:
    """Return (customer id, e-mail identity id) pairs; names repeat as real names do."""
    from regard.customers.models import Customer, Identity

    pairs = []
    for start in range(0, count, BATCH):
        names = [(rng.choice(FIRST), rng.choice(LAST)) for _ in range(min(BATCH, count - start))]
        customers = Customer.objects.bulk_create(
            Customer(display_name=f"{first} {last}") for first, last in names
        )
        identities = Identity.objects.bulk_create(
            Identity(customer=c, kind="email", value=_address(first, last, c.pk), verified=True)
            for c, (first, last) in zip(customers, names, strict=True)
        )
        pairs += [(c.pk, i.pk) for c, i in zip(customers, identities, strict=True)]
    return pairs


def _address(first: str, last: str, number: int) -> str:
    from regard.search.query import fold

    local = ".".join(fold(part).replace("'", "") for part in (first, last))
    return f"{local}{number}@example.com"


_COLUMNS = (
    "conversation_id, direction, channel, author_id, sender_id, sender_address, subject, "
    "text_full, text_new, html, external_id, emotion, complaint, signals, evidence, delivery, "
    "delivery_error, created_at"
)
# Statements from constants only.
_SELECT = f"SELECT {_COLUMNS} FROM staging ORDER BY created_at"  # noqa: S608
_STAGE = f"INSERT INTO staging ({_COLUMNS}) VALUES ({', '.join(['%s'] * 18)})"  # noqa: S608


def create_messages(total: int, staff, pairs, writer: Writer, rng: random.Random) -> None:
    """Conversations in time order, each with one to six messages, inserted in batches."""
    from django.db import transaction
    from django.utils import timezone

    from regard.conversations.models import Conversation

    moment = timezone.now() - timedelta(days=DAYS)
    step = timedelta(days=DAYS) / (total / 3.5)
    made, began = 0, time.perf_counter()
    while made < total:
        drafts, planned = [], made
        while planned < total and len(drafts) < BATCH // 3:
            moment += step * rng.uniform(0.5, 1.5)
            count = min(rng.randint(1, 6), total - planned)
            drafts.append((moment, count))
            planned += count
        with transaction.atomic():
            conversations = Conversation.objects.bulk_create(
                _conversation(rng, staff, pairs, at) for at, _ in drafts
            )
            rows = [
                _message_row(c, i, writer, at + timedelta(hours=2 * i))
                for c, (at, count) in zip(conversations, drafts, strict=True)
                for i in range(count)
            ]
            insert_rows(rows)
        made = planned
        if made % 100_000 < len(rows):
            log(f"{made} messages, {made / (time.perf_counter() - began):.0f}/s")


def insert_rows(rows: list[tuple]) -> None:
    """Stage the rows, then move them in one statement: FTS5 flushes once per statement."""
    from django.db import connection

    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS staging AS SELECT {_COLUMNS} "  # noqa: S608
            "FROM conversations_message WHERE 1 = 0"
        )
        cursor.executemany(_STAGE, [(*row[:-1], adapt(row[-1])) for row in rows])
        cursor.execute(f"INSERT INTO conversations_message ({_COLUMNS}) {_SELECT}")
        cursor.execute("DELETE FROM staging")


def _conversation(rng: random.Random, staff, pairs, at):
    from regard.conversations.models import Conversation

    agent, team = rng.choice(staff)
    customer_id, identity_id = rng.choice(pairs)
    conversation = Conversation(
        customer_id=customer_id,
        subject=rng.choice(SUBJECTS),
        status="closed",
        assignee=agent,
        team=team,
        created_at=at,
    )
    conversation.identity_id = identity_id
    conversation.agent_user_id = agent.user_id
    return conversation


def _message_row(conversation, index: int, writer: Writer, at) -> tuple:
    inbound = index % 2 == 0
    text = writer.text()
    return (
        conversation.pk,
        "inbound" if inbound else "outbound",
        "email",
        None if inbound else conversation.agent_user_id,
        conversation.identity_id if inbound else None,
        "",
        conversation.subject if index == 0 else f"Re: {conversation.subject}",
        text,
        text,
        "",
        "",
        "",
        False,
        "[]",
        "[]",
        "" if inbound else "sent",
        "",
        at,
    )


def query_mix(words: list[str], count: int, rng: random.Random) -> list[tuple[str, str]]:
    """(class, query) pairs: rare, medium and very common words, pairs, phrases, name prefixes."""
    share = max(1, count // 6)
    common = [("common", w) for w in rng.sample(words[:12], min(12, share))]
    common += [("common", rng.choice(words[:12])) for _ in range(share - len(common))]
    medium = [("medium", w) for w in rng.sample(words[100:1_000], share)]
    rare = [("rare", w) for w in rng.sample(words[8_000:], share)]
    pairs = [
        ("two_words", f"{rng.choice(words[:300])} {rng.choice(words[20:2_000])}")
        for _ in range(share)
    ]
    phrases = [("phrase", f'"{PHRASES[i % len(PHRASES)][0]}"') for i in range(share)]
    names = [("name", _name_prefix(rng)) for _ in range(count - 5 * share)]
    mix = common + medium + rare + pairs + phrases + names
    rng.shuffle(mix)
    return mix


def _name_prefix(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.4:
        return rng.choice(FIRST)[: rng.randint(2, 4)]
    if kind < 0.7:
        return f"{rng.choice(FIRST)} {rng.choice(LAST)[:3]}"
    if kind < 0.85:
        name = rng.choice(LAST)
        return name[:2] + name[3:]  # a typo: the fuzzy path
    return _address(rng.choice(FIRST), rng.choice(LAST), 0)[:9]


def run_query(agent, kind: str, text: str) -> int:
    from regard.search.api import search_customers, search_messages

    if kind == "name":
        return len(search_customers(text))
    return len(search_messages(agent.user, text))


def time_queries(agent, mix: list[tuple[str, str]]) -> dict[str, list[float]]:
    """Each query once to warm the caches, then once timed."""
    for kind, text in mix:
        run_query(agent, kind, text)
    timings: dict[str, list[float]] = {}
    for kind, text in mix:
        started = time.perf_counter()
        found = run_query(agent, kind, text)
        elapsed = (time.perf_counter() - started) * 1000
        timings.setdefault(kind, []).append(elapsed)
        if elapsed > 100:
            log(f"slow: {kind} {text!r} {elapsed:.1f} ms, {found} hits")
    return timings


def build(args: argparse.Namespace):
    """Insert the corpus; return the agent who searches (one team: half the conversations)."""
    rng = random.Random(args.seed)
    started = time.perf_counter()
    staff = create_agents(f"search{os.getpid()}")
    pairs = create_customers(args.customers, rng)
    writer = Writer(rng, vocabulary(rng))
    create_messages(args.messages, staff, pairs, writer, rng)
    log(f"built {args.messages} messages in {time.perf_counter() - started:.1f} s")
    gather_statistics()
    return staff[0][0], writer.words, rng


def main() -> None:
    args = parse_args()
    with bench_database(keep=False):
        setup_django()
        agent, words, rng = build(args)
        timings = time_queries(agent, query_mix(words, args.queries, rng))
        every = [ms for values in timings.values() for ms in values]
        p99 = statistics.quantiles(every, n=100, method="inclusive")[98]
        print(f"search_p50_ms {statistics.median(every):.3f}")
        print(f"search_p99_ms {p99:.3f}")
        for kind in ("rare", "medium", "common", "two_words", "phrase", "name"):
            print(f"search_{kind}_p50_ms {statistics.median(timings[kind]):.3f}", flush=True)


if __name__ == "__main__":
    main()
