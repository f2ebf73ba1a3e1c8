"""Periodic work: every sweep is idempotent, so running it twice or late is harmless."""

from __future__ import annotations

import logging
import time

from django.db import connection
from django.utils import timezone

log = logging.getLogger("regard.clock")
STATISTICS_EVERY = 3600.0
CHECKPOINT_EVERY = 5.0
_statistics_at: float | None = None


def wake_snoozed(now) -> int:
    from regard.conversations.models import Conversation

    return Conversation.objects.filter(snoozed_until__lte=now).update(snoozed_until=None)


def refresh_statistics() -> int:
    """SQLite plans its queries from statistics that only ANALYZE gathers (PostgreSQL's autovacuum
    keeps its own): without them the inbox sorts every active conversation instead of walking an
    index. Whole, not sampled: sampled statistics (analysis_limit) misled the planner into the
    same sort; ANALYZE of a 100 MB database takes about 0.2 s. Hourly."""
    global _statistics_at
    if connection.vendor != "sqlite":
        return 0
    if _statistics_at is not None and time.monotonic() - _statistics_at < STATISTICS_EVERY:
        return 0
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    _statistics_at = time.monotonic()
    return 1


def checkpoint_wal() -> int:
    """Copy SQLite's write-ahead log into the database here, in the clock, so that requests and
    workers rarely pay for it: the automatic checkpoint (and its fsync) otherwise falls on
    whichever commit fills the log, the 1-in-100 slow write. PASSIVE: it never waits for or
    blocks anyone. The connections' own threshold (settings: wal_autocheckpoint) stays as a
    safety net when no clock runs."""
    if connection.vendor != "sqlite":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
        busy, pages, done = cursor.fetchone()
    return done


def _routing(now, job: str) -> int:
    from regard.service import routing_actions

    return getattr(routing_actions, job)(now)


def _loyalty(now) -> dict[str, int]:
    from regard.loyalty.sweeps import sweep as loyalty_sweep  # hourly: radar, NPS, thanks

    return loyalty_sweep(now)


def sweep(now=None) -> dict[str, int]:
    """Run every periodic job once; returns how much each did."""
    from regard.channels.tasks import resume_stalled as resume_mail
    from regard.commitments.actions import break_overdue_commitments, remind_due_commitments
    from regard.conversations.tasks import resume_stalled as resume_replies
    from regard.incidents.alerts import alert_overdue_updates
    from regard.incidents.broadcast import resume_stalled as resume_broadcasts
    from regard.service.digest import queue_digests
    from regard.service.sweeps import escalate

    now = now or timezone.now()
    done = {
        "woken": wake_snoozed(now),
        "promises_broken": break_overdue_commitments(now),
        "promises_reminded": len(remind_due_commitments(now)),
        "service_steps": escalate(now),
        "digests_queued": queue_digests(now),
        "offered_back": _routing(now, "offer_back"),
        "routed_from_queue": _routing(now, "route_waiting"),
        "incident_updates_overdue": alert_overdue_updates(now),
        "incident_deliveries_resumed": resume_broadcasts(now),
        "replies_resumed": resume_replies(now),
        "mail_processing_resumed": resume_mail(now),
        **_loyalty(now),
        "statistics_refreshed": refresh_statistics(),
    }
    if any(done.values()):
        log.info("clock: %s", done)
    return done
