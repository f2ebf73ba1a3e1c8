"""A conversation's clocks as agents read them: time left or late by, and the due time in words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from regard.service.actions import pauses_of
from regard.service.calendar import zone
from regard.service.choices import Metric
from regard.service.explain import explain_due
from regard.service.hours import business_time_between
from regard.service.models import ServiceClock
from regard.service.policies import Calendars
from regard.system.prepared import Prepared


@dataclass(frozen=True)
class ClockView:
    metric: str
    label: str
    state: str  # running, soon, paused, breached, met, missed, ended
    headline: str
    explanation: str
    policy: str
    due_at: datetime | None


# Built once (system/prepared.py): the clocks show on every conversation page.
CLOCKS = Prepared(
    lambda conversation: (
        ServiceClock.objects.filter(conversation_id=conversation)
        .select_related("calendar", "policy")
        .prefetch_related("calendar__holidays")
        .order_by("-started_at", "-id")
    ),
    conversation=int,
)


def clocks_for(conversation, now) -> list[ClockView]:
    """Every running clock, and the latest ended one of each metric not running now."""
    clocks = CLOCKS(conversation=conversation.pk)
    running = {clock.metric for clock in clocks if clock.stopped_at is None}
    shown, seen = [], set()
    for clock in clocks:
        if clock.stopped_at is None or (clock.metric not in running and clock.metric not in seen):
            shown.append(clock)
            seen.add(clock.metric)
    calendars = Calendars()
    order = list(Metric.values)
    shown.sort(key=lambda clock: (order.index(clock.metric), clock.started_at))
    return [_view(clock, calendars, now) for clock in shown]


def _view(clock: ServiceClock, calendars: Calendars, now) -> ClockView:
    cal = calendars.of(clock)  # holidays come prefetched
    target = timedelta(minutes=clock.target_minutes)
    state, headline = _headline(clock, cal, now)
    explanation = ""
    if clock.stopped_at is None or clock.due_at is not None:
        try:
            explanation = explain_due(
                cal, clock.started_at, target, clock.due_at, pauses=pauses_of(clock)
            )
        except ValueError:
            explanation = ""
    return ClockView(
        metric=clock.metric,
        label=Metric(clock.metric).label,
        state=state,
        headline=headline,
        explanation=explanation,
        policy=clock.policy.name if clock.policy_id else "",
        due_at=clock.due_at,
    )


def _headline(clock: ServiceClock, cal, now) -> tuple[str, str]:
    local = zone(cal.tz)
    if clock.stopped_at is not None:
        ended = clock.stopped_at.astimezone(local)
        if clock.breached_at is not None:
            late = business_time_between(cal, clock.breached_at, clock.stopped_at)
            verb = "met" if clock.met_at else "ended"
            return "missed", f"{verb} {ended:%a %H:%M}, {amount(late)} late"
        if clock.met_at is not None:
            return "met", f"met {ended:%a %H:%M}, on time"
        return "ended", f"ended {ended:%a %H:%M} without a reply (solved)"
    if clock.paused_since is not None:
        note = "paused while pending on the customer"
        return ("breached" if clock.breached_at else "paused"), note
    if clock.due_at <= now:
        return "breached", f"breached by {amount(business_time_between(cal, clock.due_at, now))}"
    left = business_time_between(cal, now, clock.due_at)
    soon = clock.warn_at is not None and clock.warn_at <= now
    return ("soon" if soon else "running"), f"{amount(left)} left"


def amount(duration: timedelta) -> str:
    minutes = int(duration.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return f"{hours} h {minutes} min"
    if hours:
        return f"{hours} h"
    return f"{minutes} min"
