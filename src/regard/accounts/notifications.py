"""Telling agents what needs them: each notification happens once per recipient and key."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from regard.accounts.models import Agent, Notification


def notify(recipient: Agent, kind: str, text: str, *, key: str, url: str = "", at=None):
    """Notify `recipient` unless this `key` already did; returns the notification or None.

    The key names the step (e.g. `breach:42:first_reply:lead`), so repeating a sweep never
    sends a second notification for the same thing.
    """
    try:
        with transaction.atomic():
            return Notification.objects.create(
                recipient=recipient,
                kind=kind,
                text=" ".join(text.split())[:500],
                url=url[:500],
                key=key[:200],
                created_at=at or timezone.now(),
            )
    except IntegrityError:
        return None


def unread(recipient: Agent):
    return Notification.objects.filter(recipient=recipient, read_at__isnull=True)


def mark_read(recipient: Agent, ids=None, at=None) -> int:
    notifications = unread(recipient)
    if ids is not None:
        notifications = notifications.filter(pk__in=ids)
    return notifications.update(read_at=at or timezone.now())
