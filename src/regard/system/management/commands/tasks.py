"""`regard tasks failed|retry ID`: see and retry background tasks that failed for good."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from regard.system.models import FailedTask
from regard.system.retry import retry_failed


class Command(BaseCommand):
    help = "List background tasks that failed on every attempt, or retry one."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["failed", "retry"])
        parser.add_argument("ids", nargs="*", type=int)

    def handle(self, *args, action, ids, **options):
        if action == "failed":
            failures = FailedTask.objects.filter(retried_at__isnull=True)
            for failure in failures:
                last_line = failure.error.strip().splitlines()[-1] if failure.error else ""
                self.stdout.write(
                    f"{failure.pk}\t{failure.failed_at:%Y-%m-%d %H:%M}\t{failure.task_path}"
                    f"\tattempts={failure.attempts}\t{last_line}"
                )
            self.stdout.write(f"{failures.count()} failed task(s)")
            return
        if not ids:
            raise CommandError("give the ids of the failed tasks to retry")
        for failure_id in ids:
            failure = FailedTask.objects.filter(pk=failure_id).first()
            if failure is None:
                raise CommandError(f"no failed task {failure_id}")
            retry_failed(failure)
            self.stdout.write(f"retrying {failure.pk} {failure.task_path}")
