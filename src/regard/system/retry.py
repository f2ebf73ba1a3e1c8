"""Background tasks that retry with exponential backoff and are kept visibly when they give up.

django-tasks has no retries of its own, so `retrying_task` re-enqueues the task with a later
`run_after` on failure and, after the last attempt, records a `FailedTask` that admins see in
the admin and in `regard tasks failed`.
"""

from __future__ import annotations

import functools
import logging
import traceback
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

log = logging.getLogger("regard.tasks")


def backoff_seconds(attempt: int) -> int:
    """Delay before attempt `attempt + 1`: the base delay doubled per attempt, at most an hour."""
    return min(3600, settings.TASK_BACKOFF_SECONDS * 2 ** (attempt - 1))


def retrying_task(func=None, *, attempts: int | None = None, on_give_up=None):
    """Like django_tasks.task, but failures are retried and finally recorded as FailedTask.

    `on_give_up(*args, error=..., **kwargs)` runs once after the last attempt failed.
    """

    def wrap(func):
        path = f"{func.__module__}.{func.__qualname__}"

        @functools.wraps(func)
        def run(*args, _attempt: int = 1, **kwargs):
            try:
                return func(*args, **kwargs)
            except Exception as exc:
                limit = attempts or settings.TASK_ATTEMPTS
                if _attempt < limit:
                    delay = backoff_seconds(_attempt)
                    log.warning(
                        "%s failed (attempt %d of %d), retry in %ds: %s",
                        path,
                        _attempt,
                        limit,
                        delay,
                        exc,
                    )
                    when = timezone.now() + timedelta(seconds=delay)
                    registered.using(run_after=when).enqueue(*args, _attempt=_attempt + 1, **kwargs)
                else:
                    log.error("%s failed for good after %d attempts: %s", path, _attempt, exc)
                    record_failure(path, args, kwargs, _attempt, traceback.format_exc())
                    if on_give_up is not None:
                        on_give_up(*args, error=f"{type(exc).__name__}: {exc}", **kwargs)
                raise

        registered = task()(run)
        return registered

    return wrap(func) if func is not None else wrap


def record_failure(path: str, args, kwargs, attempts: int, error: str) -> None:
    from regard.system.models import FailedTask

    FailedTask.objects.create(
        task_path=path,
        args=list(args),
        kwargs=kwargs,
        attempts=attempts,
        error=error[-20000:],
        failed_at=timezone.now(),
    )


def retry_failed(failed) -> None:
    """Enqueue a FailedTask again from its first attempt."""
    from django.utils.module_loading import import_string

    registered = import_string(failed.task_path.replace(".<locals>", ""))
    registered.enqueue(*failed.args, **failed.kwargs)
    failed.retried_at = timezone.now()
    failed.save(update_fields=["retried_at"])
