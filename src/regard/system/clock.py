"""Periodic work: every sweep is idempotent, so running it twice or late is harmless."""

from __future__ import annotations

import logging

from django.utils import timezone

log = logging.getLogger("regard.clock")


def wake_snoozed(now) -> int:
    from regard.conversations.models import Conversation

    return Conversation.objects.filter(snoozed_until__lte=now).update(snoozed_until=None)


def sweep(now=None) -> dict[str, int]:
    """Run every periodic job once; returns how much each did."""
    from regard.commitments.actions import break_overdue_commitments, remind_due_commitments

    now = now or timezone.now()
    done = {
        "woken": wake_snoozed(now),
        "promises_broken": break_overdue_commitments(now),
        "promises_reminded": len(remind_due_commitments(now)),
    }
    if any(done.values()):
        log.info("clock: %s", done)
    return done
