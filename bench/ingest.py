"""Push N real-looking e-mails through the whole inbound pipeline and time it, on an empty
database and on one already holding many conversations (or with background workers).

Prints `name value` lines on stdout; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import html
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from model import (
    BATCH,
    _conversation,
    _messages,
    bench_database,
    create_agents,
    create_customers,
    gather_statistics,
    log,
    setup_django,
)

SUPPORT = Address("Acme Support", "support", "acme.example")
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
FIRST = (
    "Ana", "Chloé", "Dmitri", "Emeka", "Farah", "Günter", "Hana", "Inès", "Jürgen", "Łucja",
    "Søren", "Zoë", "José", "Ngọc", "Aiko", "Olúwaseun", "Björn", "Renée", "Çağla", "Mátyás",
)  # fmt: skip
LAST = (
    "Okafor", "Larsen", "Nguyễn", "Silva", "Kowalski", "Haddad", "Moreau", "Tanaka", "Reyes",
    "Müller", "Østergaard", "Dvořák", "García", "Öztürk", "Ó Briain", "Šimić", "Петрова", "李",
)  # fmt: skip
DOMAINS = ("example.com", "example.org", "mail.example.net", "post.example.de", "example.fr")
TOPICS = (
    ("Where is my order #{n}?", "my order #{n} was due {d} days ago, tracking has not moved"),
    ("Refund for a damaged item", "the lamp arrived with a cracked base and I would like a refund"),
    ("Cannot log in", "the password reset link says it has expired every time I click it"),
    ("Question about invoice {n}", "invoice {n} charges me twice for the same delivery"),
    ("Change my delivery address", "I moved last week, please send order #{n} to my new address"),
    ("Cancel my subscription", "please cancel my subscription before it renews on the {d}th"),
    ("Wrong size delivered", "I ordered a medium and received a small, can I swap it?"),
    ("Discount code not working", "the code SPRING{d} is rejected at checkout"),
    ("Warranty claim", "the kettle stopped working after {d} months, it is still under warranty"),
    ("Thank you!", "your colleague sorted out order #{n} so quickly, thank you"),
)
FILLER = (
    "I have been a customer for years and this has never happened before.",
    "Could you please let me know what the next steps are?",
    "I already tried what your help page suggests, without success.",
    "It is a gift, so I would really appreciate a quick answer.",
    "My phone number is in my account if calling is easier.",
    "Thanks in advance for your help.",
)
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + bytes(2048)
RING = 1_000  # threads a reply may continue; bounded so generation stays flat in memory
PRELOAD_CUSTOMERS = 20_000


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", type=int, nargs="?", default=10_000, help="messages to ingest")
    parser.add_argument("--from-dir", type=Path, help="read .eml files instead of generating")
    parser.add_argument("--preload", type=int, default=0, help="conversations stored before")
    parser.add_argument(
        "--compare",
        type=int,
        default=100_000,
        help="also time a second pass with this many conversations preloaded (0: skip)",
    )
    parser.add_argument(
        "--batch",
        type=int,
        help="messages per transaction in this process (default: the pipeline's BATCH_SIZE)",
    )
    parser.add_argument("--workers", type=int, default=0, help="time this many task workers")
    parser.add_argument(
        "--rq-worker-class", help="e.g. rq.worker.SimpleWorker, to compare with forking per job"
    )
    parser.add_argument("--quick", action="store_true", help="small run for tests")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.quick:
        args.n, args.compare = 200, 2_000
    if args.preload or args.workers:
        args.compare = 0
    return args


# --- generation -------------------------------------------------------------------------------


def customers(rng: random.Random, count: int = 2_000) -> list[Address]:
    people = []
    for i in range(count):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        people.append(Address(name, f"customer{i}", rng.choice(DOMAINS)))
    return people


def generate(n: int, seed: int) -> Iterator[bytes]:
    """Yield `n` messages, the same for the same seed: new mail, replies, auto-replies, bounces."""
    rng = random.Random(seed)
    people = customers(rng)
    threads: deque[dict] = deque(maxlen=RING)
    for i in range(n):
        at = START + timedelta(seconds=37 * i)
        roll = rng.random()
        if threads and roll < 0.01:
            yield bounce(i, seed, at, rng.choice(threads))
            continue
        if threads and roll < 0.03:
            yield auto_reply(i, seed, at, rng.choice(threads))
            continue
        thread = rng.choice(threads) if threads and roll < 0.43 else None
        draft = reply(i, seed, rng, thread) if thread else first_mail(i, seed, rng, people)
        draft.email["Date"] = format_datetime(at)
        threads.append(draft.thread)
        yield finish(draft.email, i)


@dataclass
class Draft:
    email: EmailMessage
    thread: dict


def message_id(i: int, seed: int) -> str:
    return f"<bench{seed}.{i}@{DOMAINS[i % len(DOMAINS)]}>"


def headers(i, seed, sender, subject) -> EmailMessage:
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = sender
    msg["To"] = SUPPORT
    msg["Subject"] = subject
    msg["Message-ID"] = message_id(i, seed)
    return msg


def first_mail(i: int, seed: int, rng: random.Random, people: list[Address]) -> Draft:
    sender = rng.choice(people)
    subject, text = rng.choice(TOPICS)
    values = {"n": rng.randint(10_000, 99_999), "d": rng.randint(2, 28)}
    subject, text = subject.format(**values), text.format(**values)
    body = f"Hello,\n\n{text[0].upper()}{text[1:]}. {' '.join(rng.sample(FILLER, 2))}"
    body += f"\n\nBest regards,\n{sender.display_name}\n"
    msg = headers(i, seed, sender, subject)
    fill(msg, body, rng)
    refs = [msg["Message-ID"]]
    return Draft(msg, {"sender": sender, "subject": subject, "refs": refs, "text": body})


def reply(i: int, seed: int, rng: random.Random, thread: dict) -> Draft:
    sender, subject = thread["sender"], thread["subject"]
    quoted = "\n".join(f"> {line}" for line in thread["text"].splitlines()[:12])
    said = " ".join(rng.sample(FILLER, rng.randint(1, 3)))
    header = f"On {START:%a, %d %b %Y}, {SUPPORT} wrote:"
    body = f"Hi again,\n\n{said}\n\n{sender.display_name}\n\n{header}\n{quoted}\n"
    msg = headers(i, seed, sender, f"Re: {subject}")
    msg["In-Reply-To"] = thread["refs"][-1]
    msg["References"] = " ".join(thread["refs"][-10:])
    fill(msg, body, rng)
    refs = [*thread["refs"][-10:], msg["Message-ID"]]
    return Draft(msg, {**thread, "refs": refs, "text": body[:600]})


def fill(msg: EmailMessage, body: str, rng: random.Random) -> None:
    """Plain text mostly, some HTML only, many with both; a few carry a small picture."""
    style = rng.random()
    paragraphs = (html.escape(p).replace("\n", "<br>\n") for p in body.split("\n\n"))
    markup = "".join(f"<p>{p}</p>\n" for p in paragraphs)
    markup = f"<html><body>{markup}</body></html>"
    if style < 0.10:
        msg.set_content(markup, subtype="html")
    else:
        msg.set_content(body)
        if style > 0.60:
            msg.add_alternative(markup, subtype="html")
    if rng.random() < 0.05:
        msg.add_attachment(PNG, maintype="image", subtype="png", filename="photo.png")


def auto_reply(i: int, seed: int, at: datetime, thread: dict) -> bytes:
    msg = headers(i, seed, thread["sender"], f"Automatic reply: {thread['subject']}")
    msg["Date"] = format_datetime(at)
    msg["Auto-Submitted"] = "auto-replied"
    msg["In-Reply-To"] = thread["refs"][-1]
    msg.set_content("I am out of the office until Monday and will read your message then.\n")
    return finish(msg, i)


BOUNCE = """From: Mail Delivery System <MAILER-DAEMON@mx.acme.example>
To: {support}
Subject: Undelivered Mail Returned to Sender
Date: {date}
Message-ID: {message_id}
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="=_bounce"

--=_bounce
Content-Type: text/plain; charset=us-ascii

Your message to <{to}> could not be delivered: mailbox full.

--=_bounce
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.acme.example

Final-Recipient: rfc822; {to}
Action: failed
Status: 5.2.2

--=_bounce
Content-Type: text/rfc822-headers

Message-ID: <reply{i}@acme.example>
To: {to}

--=_bounce--
"""


def bounce(i: int, seed: int, at: datetime, thread: dict) -> bytes:
    """A delivery-status report about one of our replies (not stored here) to a customer."""
    text = BOUNCE.format(
        support=SUPPORT,
        date=format_datetime(at),
        message_id=message_id(i, seed),
        to=thread["sender"].addr_spec,
        i=i,
    )
    return text.replace("\n", "\r\n").encode()


def finish(msg: EmailMessage, i: int) -> bytes:
    # Fixed boundaries: the stdlib would pick random ones, and the bytes must be reproducible.
    for number, part in enumerate(p for p in msg.walk() if p.is_multipart()):
        part.set_boundary(f"=_bench_{i}_{number}")
    return msg.as_bytes()


def write_mails(n: int, seed: int, folder: Path) -> Path:
    """Generate to disk before timing, so the figures time the pipeline, not the generator."""
    started = time.perf_counter()
    for i, data in enumerate(generate(n, seed)):
        (folder / f"{i:07d}.eml").write_bytes(data)
    log(f"generated {n} messages into {folder} in {time.perf_counter() - started:.1f} s")
    return folder


def read_dir(folder: Path, n: int) -> Iterator[bytes]:
    for path in sorted(folder.glob("*.eml"))[:n]:
        yield path.read_bytes()


# --- preloading -------------------------------------------------------------------------------


def preload(count: int, seed: int) -> None:
    """Bulk-create `count` conversations of 1-3 messages, each with a Message-ID, like the
    pipeline stores them, so the threading lookups run against full indexes."""
    from django.db import transaction

    rng = random.Random(seed + 1)
    started = time.perf_counter()
    with transaction.atomic():
        staff = create_agents(f"ingest{os.getpid()}")
        pairs = create_customers("pre", min(PRELOAD_CUSTOMERS, max(1, count // 5)), rng)
        rows = sum(preload_batch(rng, staff, pairs, size) for size in batches(count))
    log(f"preloaded {count} conversations ({rows} rows) in {time.perf_counter() - started:.1f} s")
    gather_statistics()


def batches(count: int) -> Iterator[int]:
    for start in range(0, count, BATCH):
        yield min(BATCH, count - start)


def preload_batch(rng: random.Random, staff, pairs, size: int) -> int:
    from django.utils import timezone

    from regard.channels.models import ThreadReference
    from regard.conversations.models import Conversation, Message

    now = timezone.now()
    drafts = [_conversation(rng, now, staff, rng.choice(pairs)[0]) for _ in range(size)]
    conversations = Conversation.objects.bulk_create(c for c, _ in drafts)
    identity_of = dict(pairs)
    messages, parents = [], []
    for c, n in drafts:
        thread = _messages(c, n, identity_of[c.customer_id], c.assignee.user_id)
        for j, message in enumerate(thread):
            message.external_id = f"pre{c.pk}.{j}@example.net"
            parents += [(message, thread[j - 1].external_id)] if j else []
        messages += thread
    Message.objects.bulk_create(messages, batch_size=BATCH)
    refs = [ThreadReference(message=m, ref=ref) for m, ref in parents]
    ThreadReference.objects.bulk_create(refs, batch_size=BATCH)
    return len(conversations) + len(messages) + len(refs)


# --- timing -----------------------------------------------------------------------------------


def mails(args: argparse.Namespace) -> Iterator[bytes]:
    return read_dir(args.from_dir, args.n)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def time_embedded(args: argparse.Namespace) -> dict[str, float]:
    """Accept and process every mail in this process, a batch per transaction, as import does
    (`accept_stream`: the next batch is read in a helper process while this one is filed). A
    message's time runs from handing its batch in to the commit that covers it (when a source may
    acknowledge it), so each message of a batch counts the whole batch."""
    from regard.channels.email.inbound import BATCH_SIZE, accept_stream

    size = args.batch or BATCH_SIZE
    log(f"{size} messages per transaction")
    timings = []
    started, cpu = time.perf_counter(), time.process_time()
    before = started
    count = 0
    for _batch, accepted in accept_stream(
        ((data, "bench") for data in mails(args)), size=size, live=False
    ):
        now = time.perf_counter()
        timings += [(now - before) * 1000] * len(accepted)
        before = now
        if count // 1000 != (count + len(accepted)) // 1000:
            rate = (count + len(accepted)) / (now - started)
            log(
                f"  {count + len(accepted)} messages, {rate:.0f}/s, peak RSS {peak_rss_mb():.0f} MB"
            )
        count += len(accepted)
    elapsed = time.perf_counter() - started
    # The machine may be shared: the CPU-time rate tells slow code from a busy host. The helper
    # that reads mail has exited by now, so its time is in RUSAGE_CHILDREN.
    own = time.process_time() - cpu
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    helper = children.ru_utime + children.ru_stime
    log(
        f"CPU-time rate: {count / own:.0f} messages/s in this process, {count / (own + helper):.0f}"
        f" counting the reading helper ({helper:.1f} s)"
    )
    report_states()
    p99 = statistics.quantiles(timings, n=100, method="inclusive")[98]
    return {
        "ingest_msgs_per_s": len(timings) / elapsed,
        "ingest_p99_ms": p99,
        "ingest_peak_rss_mb": max(peak_rss_mb(), children.ru_maxrss / 1024),
    }


def report_states() -> dict[str, int]:
    from django.db.models import Count

    from regard.channels.models import RawMessage

    states = dict(RawMessage.objects.values_list("state").annotate(n=Count("id")))
    log(f"raw messages by state: {states}")
    return states


def time_workers(args: argparse.Namespace) -> dict[str, float]:
    """Enqueue every mail, then time `args.workers` burst workers until none is left."""
    from regard.channels.email.inbound import accept_email

    empty_queue()
    started = time.perf_counter()
    total = sum(
        accept_email(data, source="bench", process="task", live=False).created
        for data in mails(args)
    )
    log(f"enqueued {total} messages at {total / (time.perf_counter() - started):.0f}/s")
    elapsed = run_workers(args.workers, args.rq_worker_class)
    return {"ingest_msgs_per_s_workers": total / elapsed, "ingest_peak_rss_mb": peak_rss_mb()}


def empty_queue() -> None:
    from django.conf import settings

    if settings.REDIS_URL:
        import django_rq

        dropped = django_rq.get_queue("default").empty()
        log(f"emptied the RQ queue ({dropped} stale jobs)")


def run_workers(count: int, worker_class: str | None) -> float:
    """Start `count` burst workers; return the seconds until no raw message is left waiting."""
    from django.conf import settings
    from django.db import connections

    from regard.channels.models import RawMessage, RawState
    from regard.system.workers import worker_command

    command = worker_command(burst=True)
    if worker_class and settings.REDIS_URL:
        command += ["--worker-class", worker_class]
    connections.close_all()
    logs = Path(settings.DATA_DIR) / "workers.log"
    waiting = RawMessage.objects.filter(state=RawState.RECEIVED)
    with logs.open("wb") as out:
        started = time.perf_counter()
        workers = [subprocess.Popen(command, stdout=out, stderr=out) for _ in range(count)]
        try:
            while waiting.exists() and any(w.poll() is None for w in workers):
                time.sleep(0.1)
            elapsed = time.perf_counter() - started
            for worker in workers:
                worker.wait(timeout=60)
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.kill()
    if report_states().get(RawState.RECEIVED):
        log(logs.read_text(errors="replace")[-3000:])
        raise SystemExit("the workers exited before processing every message")
    log_processing_span()
    return elapsed


def log_processing_span() -> None:
    """The rate between the first and last message processed, without the workers' start-up."""
    from django.db.models import Max, Min

    from regard.channels.models import RawMessage

    span = RawMessage.objects.aggregate(first=Min("processed_at"), last=Max("processed_at"))
    seconds = (span["last"] - span["first"]).total_seconds()
    count = RawMessage.objects.count()
    log(f"processing span {seconds:.1f} s: {count / max(seconds, 1e-3):.1f} messages/s")


# --- passes -----------------------------------------------------------------------------------


def measure(args: argparse.Namespace) -> dict[str, float]:
    os.environ["REGARD_DEBUG"] = "false"  # with DEBUG, Django keeps every query in memory
    with bench_database(keep=False):
        setup_django()
        if args.preload:
            preload(args.preload, args.seed)
        log(f"ingesting {args.n} messages over {args.preload} stored conversations")
        return time_workers(args) if args.workers else time_embedded(args)


def preloaded_pass(args: argparse.Namespace, env: dict[str, str]) -> dict[str, float]:
    """The same mail over `args.compare` stored conversations, in a process of its own."""
    command = [sys.executable, __file__, str(args.n), "--preload", str(args.compare)]
    command += ["--batch", str(args.batch)] if args.batch else []
    command += ["--from-dir", str(args.from_dir)]
    result = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True, check=True)
    figures = (line.split() for line in result.stdout.splitlines())
    return {name: float(value) for name, value in figures}


def main() -> None:
    args = parse_args()
    env = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="regard-bench-mail-") as folder:
        args.from_dir = args.from_dir or write_mails(args.n, args.seed, Path(folder))
        figures = measure(args)
        for name, value in figures.items():
            print(f"{name} {value:.1f}", flush=True)
        if args.compare:
            rate = preloaded_pass(args, env)["ingest_msgs_per_s"]
            slowdown = (figures["ingest_msgs_per_s"] - rate) / figures["ingest_msgs_per_s"] * 100
            print(f"ingest_msgs_per_s_preloaded {rate:.1f}")
            print(f"ingest_slowdown_pct {slowdown:.1f}", flush=True)


if __name__ == "__main__":
    main()
