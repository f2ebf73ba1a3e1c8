"""Time a peer helpdesk's e-mail importer (django-helpdesk 2.6.1) on the mails bench/ingest.py
generates, on this machine, so Regard's ingest figures can be compared with it.

The peer runs in a virtualenv of its own (created on first use; pip picks its Django) with a
fresh SQLite database and one queue. Each mail goes through `helpdesk.email.extract_email_metadata`,
the function its `get_email` command calls per message (`process_queue`, for a "local" mailbox
directory, reads each file and hands it the text): threading by In-Reply-To, the ticket or
follow-up, attachments and the acknowledgement to the sender (rendered, kept by Django's locmem
e-mail backend: nothing is sent), one autocommitted statement at a time as in production. Only
that loop is timed, in the order the mails were generated.

Prints `peer_ingest_msgs_per_s` (or `peer_ingest_msgs_per_s_preloaded` with --preload K, after K
tickets each with a follow-up carrying a Message-ID were stored), `peer_ingest_messages` and
`peer_ingest_failed` on stdout; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

PEER = "django-helpdesk==2.6.1"
BATCH = 5_000
urlpatterns: list = []  # the peer's ROOT_URLCONF is this module: its e-mails reverse its URLs


def log(*parts: object) -> None:
    print(*parts, file=sys.stderr, flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", type=int, nargs="?", default=2_000, help="messages to import")
    parser.add_argument("--preload", type=int, default=0, help="tickets stored before timing")
    parser.add_argument("--venv", type=Path, default=Path("/tmp/regard-peer-venv"))
    parser.add_argument("--quick", action="store_true", help="50 messages, a smoke check")
    parser.add_argument("--peer-run", type=Path, help=argparse.SUPPRESS)  # inside the peer venv
    args = parser.parse_args()
    if args.quick:
        args.n = 50
    return args


# --- outside: our venv ------------------------------------------------------------------------


def peer_python(venv: Path) -> Path:
    """The peer venv's interpreter, creating the venv and installing the peer if needed."""
    python = venv / "bin" / "python"
    try:
        if not python.exists():
            log(f"creating {venv}")
            base = shutil.which("python3.11")
            if not base:
                raise OSError("python3.11 is not on PATH")
            subprocess.run([base, "-m", "venv", str(venv)], stdout=sys.stderr, check=True)
        version = "import importlib.metadata as m; print(m.version('django-helpdesk'))"
        found = subprocess.run([python, "-c", version], capture_output=True, text=True)
        if found.stdout.strip() != PEER.split("==")[1]:
            log(f"installing {PEER} into {venv}")
            install = [python, "-m", "pip", "install", "--disable-pip-version-check", PEER]
            subprocess.run(install, stdout=sys.stderr, check=True)
    except (OSError, subprocess.CalledProcessError) as error:
        log(f"error: cannot create the virtualenv {venv} or install {PEER} into it: {error}")
        sys.exit(2)
    return python


def main() -> None:
    args = parse_args()
    if args.peer_run:
        return peer_run(args.peer_run, args.preload)
    python = peer_python(args.venv)
    import ingest  # bench/ingest.py, beside this script (sys.path[0])

    seed = ingest.parse_args([]).seed
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HELPDESK_", "DJANGO_"))}
    env.pop("PYTHONPATH", None)
    with tempfile.TemporaryDirectory(prefix="regard-peer-") as work:
        (Path(work) / "mails").mkdir()
        ingest.write_mails(args.n, seed, Path(work) / "mails")
        command = [python, __file__, "--peer-run", work, "--preload", str(args.preload)]
        sys.exit(subprocess.run(command, env=env, cwd=work).returncode)


# --- inside: the peer venv --------------------------------------------------------------------


class Tally(logging.Handler):
    """Counts the warnings and errors the importer logs, by message."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        self.seen[record.getMessage().split("\n")[0][:120]] += 1


def configure(work: Path) -> None:
    import django
    from django.conf import settings

    settings.configure(
        DEBUG=False,
        SECRET_KEY="peer-bench",  # noqa: S106
        INSTALLED_APPS=[
            "django.contrib.admin",
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "django.contrib.messages",
            "django.contrib.sites",
            "django.contrib.humanize",
            "rest_framework",
            "helpdesk",
        ],
        DATABASES={
            "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(work / "peer.db")}
        },
        TEMPLATES=[
            {"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}
        ],
        ROOT_URLCONF="__main__",
        SITE_ID=1,
        USE_TZ=True,
        MEDIA_ROOT=str(work / "media"),
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        HELPDESK_TEAMS_MODE_ENABLED=False,  # else it needs pinax-teams
        HELPDESK_GET_NEW_TICKET_WEBHOOK_URLS=lambda: None,
        HELPDESK_GET_FOLLOWUP_WEBHOOK_URLS=lambda: None,
    )
    django.setup()
    from django.urls import include, path

    urlpatterns.append(path("helpdesk/", include("helpdesk.urls")))


def preload(queue, count: int) -> None:
    """`count` tickets, each with one follow-up carrying a Message-ID, as imported mail leaves."""
    from django.db import connection, transaction
    from helpdesk.models import FollowUp, Ticket

    started = time.perf_counter()
    with transaction.atomic():
        for start in range(0, count, BATCH):
            numbers = range(start, min(start + BATCH, count))
            tickets = Ticket.objects.bulk_create(
                Ticket(
                    title=f"Stored question {i}",
                    queue=queue,
                    submitter_email=f"stored{i % 20_000}@example.net",
                    description="Hello, where is my order? Thanks in advance for your help.",
                )
                for i in numbers
            )
            FollowUp.objects.bulk_create(
                FollowUp(
                    ticket=t,
                    title=f"E-Mail Received from {t.submitter_email}",
                    public=True,
                    comment=t.description,
                    message_id=f"<stored.{t.pk}@example.net>",
                )
                for t in tickets
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as bench/ingest.py does after preloading
    log(f"preloaded {count} tickets and follow-ups in {time.perf_counter() - started:.1f} s")


def peer_run(work: Path, preload_count: int) -> None:
    configure(work)
    from django.core import mail
    from django.core.management import call_command
    from django.utils import encoding
    from helpdesk.email import extract_email_metadata
    from helpdesk.exceptions import DeleteIgnoredTicketException, IgnoreTicketException
    from helpdesk.models import FollowUp, Queue, Ticket

    call_command("migrate", verbosity=0)
    queue = Queue.objects.create(
        title="Support",
        slug="support",
        email_address="support@acme.example",
        allow_email_submission=True,
        email_box_type="local",
        email_box_local_dir=str(work / "mails"),
        logging_type="none",
    )
    if preload_count:
        preload(queue, preload_count)
    # What process_email does for logging_type "none", plus a handler that only counts.
    logger = logging.getLogger(f"django.helpdesk.queue.{queue.slug}")
    logger.handlers, logger.propagate = [Tally()], False
    tickets, followups = Ticket.objects.count(), FollowUp.objects.count()
    files = sorted((work / "mails").glob("*.eml"))
    processed, ignored, failures = 0, 0, Counter()
    log(f"importing {len(files)} messages over {tickets} stored tickets")
    started = time.perf_counter()
    for i, name in enumerate(files, 1):
        with open(name, encoding="utf-8") as f:  # process_queue's read of a local mailbox
            message = encoding.force_str(f.read(), errors="replace")
        try:
            ticket = extract_email_metadata(message=message, queue=queue, logger=logger)
        except (IgnoreTicketException, DeleteIgnoredTicketException):
            ignored += 1
        except Exception as error:  # counted and reported as a failure
            failures[f"{type(error).__name__}: {error}"[:160]] += 1
        else:
            processed += ticket is not None
        if i % 500 == 0:
            log(f"  {i} messages, {i / (time.perf_counter() - started):.1f}/s")
    elapsed = time.perf_counter() - started
    log(
        f"{elapsed:.1f} s: {Ticket.objects.count() - tickets} new tickets, "
        f"{FollowUp.objects.count() - followups} follow-ups, {ignored} ignored, "
        f"{len(getattr(mail, 'outbox', []))} acknowledgements rendered (not sent)"
    )
    for text, count in (logger.handlers[0].seen + failures).most_common(10):
        log(f"  {count} x {text}")
    suffix = "_preloaded" if preload_count else ""
    print(f"peer_ingest_msgs_per_s{suffix} {processed / elapsed:.1f}")
    print(f"peer_ingest_messages {processed}")
    print(f"peer_ingest_failed {sum(failures.values())}", flush=True)


if __name__ == "__main__":
    main()
