"""`regard worker`: one standalone task worker for the configured backend."""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand

from regard.system.workers import worker_command


class Command(BaseCommand):
    help = "Run a background task worker (RQ when REDIS_URL is set, else the database worker)."

    def add_arguments(self, parser):
        parser.add_argument("--burst", action="store_true", help="Run what is queued, then exit")

    def handle(self, *args, burst, **options):
        command = worker_command(burst=burst)
        os.execv(command[0], command)  # noqa: S606
