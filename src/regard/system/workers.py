"""The command lines of Regard's processes, so `serve` and `worker` start the same things, and
how work a killed worker took down is found and queued again."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

# Work still owed this long after it was written lost its task (its worker was killed, or the
# queue was emptied): it is queued again. Older work (an import, a long-dead install) is left for
# a person to look at rather than done days late.
LEASE = timedelta(minutes=10)
RESUME_WITHIN = timedelta(days=2)


def regard_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "regard.cli", *args]


def worker_command(*, burst: bool = False) -> list[str]:
    """A task worker for the configured backend: RQ on Redis, else the database worker."""
    if settings.REDIS_URL:
        command = regard_command(
            "rqworker",
            "default",
            "--with-scheduler",
            "--job-class",
            "django_tasks_rq.Job",
            # RQ's default worker forks per job, reloading Regard each time (~1 job/s).
            "--worker-class",
            "rq.worker.SimpleWorker",
        )
        return [*command, "--burst"] if burst else command
    command = regard_command("db_worker", "--queue-name", "*", "--interval", "0.5", "--no-reload")
    return [*command, "--batch"] if burst else command


def web_command(host: str, port: int, workers: int, threads: int = 4) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "regard.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--access-logfile",
        "-",
        "--graceful-timeout",
        "10",
    ]


def stream_command(host: str, port: int, workers: int) -> list[str]:
    """The ASGI process for long-lived streams (the chat): async views, many streams a worker."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "regard.asgi:application",
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
        # Open streams would hold a shutdown forever; the browser reconnects on its own.
        "--timeout-graceful-shutdown",
        "3",
    ]


def tasks_waiting() -> int:
    """Tasks due now and not yet taken by a worker (retries due later are not counted: a
    receiver that keeps failing must not hold everything else back).

    The sweeps that queue again work a killed worker took down run only when this is 0: work
    still owed once the queue has run dry lost its task, while work behind a long queue is only
    waiting (queueing it again each minute would grow the queue it waits in)."""
    if settings.REDIS_URL:
        import django_rq

        return len(django_rq.get_queue("default"))
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.ready().count()


def resume_lost(rows, written_at: str, enqueue: Callable, now=None) -> int:
    """Queue again, with `enqueue(row)`, the `rows` still owed whose `written_at` lies between
    RESUME_WITHIN and LEASE ago, once no task is due: neither task backend runs again a task whose
    worker died mid-run (the database worker leaves it running for ever, RQ files it as failed),
    so the rows themselves are the record of what is owed."""
    if tasks_waiting():
        return 0
    now = now or timezone.now()
    window = {f"{written_at}__lt": now - LEASE, f"{written_at}__gte": now - RESUME_WITHIN}
    count = 0
    for row in rows.filter(**window).order_by("pk").iterator():
        enqueue(row)
        count += 1
    return count
