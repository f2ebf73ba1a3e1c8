"""The breach sweep: clocks whose next step has come are escalated, each step once.

Set-based: one indexed range read of `next_step_at <= now` finds the few clocks crossing a
step (warning, breach, supervisor), never the million that are merely running; their events,
notifications and new state are written in bulk. Safe to run twice, late, or in two processes:
a notification's (recipient, key) is unique, and each clock's step only moves forward.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.db.models import DateTimeField, ExpressionWrapper, F
from django.db.models.functions import Coalesce
from django.urls import reverse

from regard.accounts.choices import Role
from regard.accounts.models import Agent, Notification
from regard.conversations.choices import ACTIVE_STATUSES
from regard.conversations.models import Event
from regard.service.actions import next_step_at
from regard.service.calendar import zone
from regard.service.choices import STEP_EVENTS, Metric, Step
from regard.service.models import ServiceClock

BATCH = 2000
NOTIFICATION_KINDS = {
    Step.WARNED: "breach_warning",
    Step.BREACHED: "breach",
    Step.SUPERVISOR: "breach_escalated",
}


def escalate(now) -> int:
    """Take every step whose time has come; returns how many steps were taken."""
    taken = 0
    supervisors = Supervisors()
    while True:
        with transaction.atomic():
            clocks = list(
                ServiceClock.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(next_step_at__lte=now)
                .select_related(
                    "policy__supervisor", "calendar", "conversation__customer", "conversation__team"
                )
                .order_by("next_step_at")[:BATCH]
            )
            taken += _escalate_batch(clocks, now, supervisors)
        if len(clocks) < BATCH:
            return taken


def _escalate_batch(clocks: list[ServiceClock], now, supervisors: Supervisors) -> int:
    events, notifications, taken = [], [], 0
    for clock in clocks:
        conversation = clock.conversation
        if conversation.status not in ACTIVE_STATUSES:
            # Ended without passing through the hooks (e.g. merged away): just stop.
            clock.stopped_at, clock.next_step_at = now, None
            continue
        while clock.next_step_at is not None and clock.next_step_at <= now:
            clock.step += 1
            if clock.step == Step.BREACHED and clock.breached_at is None:
                clock.breached_at = clock.due_at
            events.append(_event(clock, now))
            notifications += _notifications(clock, now, supervisors)
            clock.next_step_at = next_step_at(clock)
            taken += 1
    Event.objects.bulk_create(events)
    Notification.objects.bulk_create(notifications, ignore_conflicts=True)
    _save_steps(clocks, now)
    return taken


def _save_steps(clocks: list[ServiceClock], now) -> None:
    """Write the clocks' new steps in a few UPDATEs, one per kind of change (not per clock, and
    not one huge CASE): each step's next moment follows from the row's own due time."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for clock in clocks:
        if clock.stopped_at is not None:
            groups["stopped", 0].append(clock.pk)
        elif clock.step == Step.BREACHED:
            groups[Step.BREACHED, clock.next_step_at - clock.due_at].append(clock.pk)
        elif clock.step in (Step.WARNED, Step.SUPERVISOR):
            groups[clock.step, 0].append(clock.pk)
    breached = Coalesce(F("breached_at"), F("due_at"))
    for (kind, after), ids in groups.items():
        rows = ServiceClock.objects.filter(pk__in=ids)
        if kind == "stopped":
            rows.update(stopped_at=now, next_step_at=None)
        elif kind == Step.WARNED:
            rows.update(step=kind, next_step_at=F("due_at"))
        elif kind == Step.BREACHED:
            later = ExpressionWrapper(F("due_at") + after, output_field=DateTimeField())
            rows.update(step=kind, breached_at=breached, next_step_at=later)
        else:
            rows.update(step=kind, breached_at=breached, next_step_at=None)


def _event(clock: ServiceClock, now) -> Event:
    # Bulk-written rather than through record_event: after an outage a sweep may cross
    # thousands of steps at once, and one INSERT for all of them keeps it quick.
    return Event(
        kind=STEP_EVENTS[clock.step],
        conversation_id=clock.conversation_id,
        customer_id=clock.conversation.customer_id,
        data={
            "metric": clock.metric,
            "clock_id": clock.pk,
            "due_at": clock.due_at.isoformat(),
            "policy": clock.policy.name if clock.policy_id else None,
            "step": Step(clock.step).label,
        },
        created_at=now,
    )


def _notifications(clock: ServiceClock, now, supervisors: Supervisors) -> list[Notification]:
    conversation = clock.conversation
    text = _text(clock, now)
    url = reverse("web:conversation", args=[conversation.pk])
    key = f"sla:{conversation.pk}:{clock.metric}:{clock.pk}:{Step(clock.step).name.lower()}"
    return [
        Notification(
            recipient_id=agent_id,
            kind=NOTIFICATION_KINDS[clock.step],
            text=text[:500],
            url=url,
            key=key[:200],
            created_at=now,
        )
        for agent_id in _recipients(clock, supervisors)
    ]


def _recipients(clock: ServiceClock, supervisors: Supervisors) -> list[int]:
    conversation = clock.conversation
    lead = conversation.team.lead_id if conversation.team_id else None
    if clock.step == Step.WARNED:
        chosen = [conversation.assignee_id or lead]
    elif clock.step == Step.BREACHED:
        chosen = [lead] if lead else supervisors.of(clock)
    else:
        chosen = supervisors.of(clock)
    return sorted({agent_id for agent_id in chosen if agent_id})


def _text(clock: ServiceClock, now) -> str:
    customer = clock.conversation.customer.name
    what = Metric(clock.metric).label.lower()
    tz = clock.calendar.time_zone if clock.calendar_id else None
    due = clock.due_at.astimezone(zone(tz)) if tz else clock.due_at
    when = f"{due:%a %H:%M}" + ("" if tz else " UTC")
    subject = clock.conversation.subject or "(no subject)"
    if clock.step == Step.WARNED and clock.due_at > now:
        return f"{customer}: {what} due {when}, soon. “{subject}”"
    if clock.step <= Step.BREACHED:
        return f"{customer}: {what} was due {when} and is late. “{subject}”"
    return f"{customer}: {what} still late since {when}; please step in. “{subject}”"


class Supervisors:
    """Who hears of a breach that outlasted the lead: the policy's, else every supervisor."""

    def __init__(self):
        self.everyone: list[int] | None = None

    def of(self, clock: ServiceClock) -> list[int]:
        if clock.policy_id and clock.policy.supervisor_id:
            return [clock.policy.supervisor_id]
        if self.everyone is None:
            self.everyone = list(
                Agent.objects.filter(role=Role.SUPERVISOR, user__is_active=True).values_list(
                    "pk", flat=True
                )
            )
        return self.everyone
