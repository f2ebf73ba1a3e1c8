"""Recording promises from sent replies, keeping them, renegotiating, and breaking overdue ones."""

from __future__ import annotations

import re
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from regard.commitments.choices import State
from regard.commitments.models import Commitment
from regard.conversations.choices import EventKind
from regard.conversations.events import record_event
from regard.insight.commitments import extract

# Without a timeline, a promise is due after this long (until service levels set it).
DEFAULT_DUE = timedelta(hours=24)
REMIND_BEFORE = timedelta(hours=2)


def agent_time_zone(agent) -> str:
    return (agent.time_zone if agent else "") or settings.TIME_ZONE


@transaction.atomic
def record_commitments(message) -> list[Commitment]:
    """Find the promises in an outbound message and track each of them."""
    agent = getattr(message.author, "agent", None)
    promises = extract(message.text_new, sent_at=message.created_at, tz=agent_time_zone(agent))
    made = [
        Commitment.objects.create(
            conversation=message.conversation,
            message=message,
            agent=agent,
            text=p.text,
            start=p.start,
            end=p.end,
            due_at=p.due_at or message.created_at + DEFAULT_DUE,
            has_timeline=p.has_timeline,
            created_at=message.created_at,
        )
        for p in promises
        # A due time before the reply was sent is a misread date, not a promise.
        if p.due_at is None or p.due_at >= message.created_at
    ]
    for commitment in made:
        record_event(
            EventKind.PROMISE_MADE,
            actor=message.author,
            conversation=message.conversation,
            commitment_id=commitment.pk,
            text=commitment.text,
            due_at=commitment.due_at.isoformat(),
            has_timeline=commitment.has_timeline,
        )
    return made


_WORD = re.compile(r"[a-zà-ÿ]{4,}")
_DONE = re.compile(
    r"\b(?:i've|i have|we've|we have|has been|have been|just|done|sent|shipped|refunded|"
    r"called|emailed|attached|here is|here's|credited|fixed|resolved|arranged|booked)\b",
    re.IGNORECASE,
)
_COMMON = frozenset(
    """that this with your have will about from they them then there their would could should
    thanks thank please hello dear kind regards sorry today tomorrow week back touch know""".split()
)


def content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _COMMON}


def suggest_kept(message) -> list[Commitment]:
    """Open promises of the conversation that this later reply plausibly keeps.

    The agent confirms with one click; nothing is marked kept without them.
    """
    if not _DONE.search(message.text_new):
        return []
    said = content_words(message.text_new)
    candidates = Commitment.objects.open().filter(
        conversation=message.conversation, created_at__lt=message.created_at
    )
    hits = [c for c in candidates if len(content_words(c.text) & said) >= 2]
    Commitment.objects.filter(pk__in=[c.pk for c in hits]).update(maybe_kept_by=message)
    return hits


@transaction.atomic
def keep_commitment(actor, commitment: Commitment, how: str = "") -> Commitment:
    if commitment.state not in (State.OPEN, State.BROKEN):
        raise ValueError(f"this promise is already {commitment.get_state_display().lower()}")
    commitment.state = State.KEPT
    commitment.kept_how = how.strip()[:2000]
    commitment.closed_at = timezone.now()
    commitment.save(update_fields=["state", "kept_how", "closed_at"])
    record_event(
        EventKind.PROMISE_KEPT,
        actor=actor,
        conversation=commitment.conversation,
        commitment_id=commitment.pk,
        how=commitment.kept_how,
    )
    return commitment


@transaction.atomic
def renegotiate_commitment(actor, commitment: Commitment, due_at, reason: str = "") -> Commitment:
    """The customer agreed to a new time: the old promise closes, a new one opens."""
    if commitment.state != State.OPEN:
        raise ValueError("only an open promise can be renegotiated")
    commitment.state = State.RENEGOTIATED
    commitment.closed_at = timezone.now()
    commitment.save(update_fields=["state", "closed_at"])
    new = Commitment.objects.create(
        conversation=commitment.conversation,
        message=commitment.message,
        agent=commitment.agent,
        text=commitment.text,
        due_at=due_at,
        has_timeline=True,
        created_at=timezone.now(),
    )
    record_event(
        EventKind.PROMISE_RENEGOTIATED,
        actor=actor,
        conversation=commitment.conversation,
        commitment_id=new.pk,
        previous_id=commitment.pk,
        due_at=due_at.isoformat(),
        reason=reason,
    )
    return new


def break_overdue_commitments(now=None) -> int:
    """Mark every open promise past its due time broken; one event each. Idempotent."""
    now = now or timezone.now()
    broken = 0
    for commitment in Commitment.objects.overdue(now).select_related("conversation")[:5000]:
        with transaction.atomic():
            updated = Commitment.objects.filter(pk=commitment.pk, state=State.OPEN).update(
                state=State.BROKEN, closed_at=now
            )
            if updated:
                broken += 1
                record_event(
                    EventKind.PROMISE_BROKEN,
                    conversation=commitment.conversation,
                    commitment_id=commitment.pk,
                    due_at=commitment.due_at.isoformat(),
                )
    return broken


def remind_due_commitments(now=None) -> list[Commitment]:
    """Promises due soon that nobody was reminded of yet; marks them reminded."""
    now = now or timezone.now()
    due = list(
        Commitment.objects.due_within(now, REMIND_BEFORE)
        .filter(reminded_at__isnull=True)
        .select_related("agent__user", "conversation")
    )
    Commitment.objects.filter(pk__in=[c.pk for c in due]).update(reminded_at=now)
    for commitment in due:
        record_event(
            EventKind.PROMISE_REMINDER,
            conversation=commitment.conversation,
            commitment_id=commitment.pk,
            due_at=commitment.due_at.isoformat(),
        )
    return due
