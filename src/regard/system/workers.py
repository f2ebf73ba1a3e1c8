"""The command lines of Regard's processes, so `serve` and `worker` start the same things."""

from __future__ import annotations

import sys

from django.conf import settings


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


def web_command(host: str, port: int, workers: int) -> list[str]:
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
        "4",
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
