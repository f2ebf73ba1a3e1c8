"""`regard clock`: run the periodic sweeps every minute (or once with --once)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from regard.system.clock import CHECKPOINT_EVERY, checkpoint_wal, log, sweep


class Command(BaseCommand):
    help = "Run periodic work: wake snoozed conversations, remind and break promises."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true")
        parser.add_argument("--interval", type=int, default=60)

    def handle(self, *args, once, interval, **options):
        while True:
            try:
                done = sweep()
            except Exception:  # noqa: BLE001 - one failed sweep must not stop the clock
                log.exception("clock sweep failed")
                if once:
                    raise
                done = {}
            if once:
                self.stdout.write(" ".join(f"{k}={v}" for k, v in done.items()))
                return
            close_old_connections()
            self._wait(interval)

    @staticmethod
    def _wait(seconds: float) -> None:
        """Sleep until the next sweep, folding SQLite's log into the database meanwhile."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            time.sleep(min(CHECKPOINT_EVERY, left))
            try:
                checkpoint_wal()
            except Exception:  # noqa: BLE001 - a busy database: the next one will do
                log.exception("checkpoint failed")
            close_old_connections()
