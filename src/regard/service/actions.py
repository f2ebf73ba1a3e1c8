"""Service clocks follow the conversation: started by a customer's message, met by a reply,
paused while pending on the customer, stopped when solved, restarted when reopened.

Called from `conversations.hooks` inside the conversation action's transaction; each call is a
few queries, and a follow-up message on a conversation whose clocks already run costs one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Case, F, Q, Value, When

from regard.conversations.choices import Status
from regard.service.choices import REPLY_METRICS, Metric, Step
from regard.service.hours import add_business_time
from regard.service.models import BusinessCalendar, Holiday, Policy, ServiceClock
from regard.service.policies import Calendars, calendar_row, choose_policy
from regard.system.prepared import Prepared

DEFAULT_SUPERVISOR_AFTER = timedelta(minutes=60)
# Asked for every customer message to a conversation that was not just opened.
KNOWN_CLOCKS = Prepared(
    lambda conversation: (
        ServiceClock.objects.filter(conversation_id=conversation)
        .order_by()
        .values_list("metric", "stopped_at")
    ),
    conversation=int,
)


def breached_by(at) -> Case:
    """An UPDATE expression: keep the breach, or record one if the due time passed before `at`."""
    return Case(
        When(breached_at__isnull=True, due_at__lt=at, then=F("due_at")),
        default=F("breached_at"),
    )


def on_message_received(message, *, opened: bool = False) -> list[ServiceClock]:
    """A customer wrote: start a reply clock unless one runs, and the resolution clock once.

    `opened`: the conversation was opened for this message just now, so it has no clocks yet.
    """
    conversation = message.conversation
    known = []
    if not opened:
        known = KNOWN_CLOCKS(conversation=conversation.pk)
    running = {metric for metric, stopped in known if stopped is None}
    wanted = []
    if not running & set(REPLY_METRICS):
        first = conversation.first_reply_at is None
        wanted.append(Metric.FIRST_REPLY if first else Metric.NEXT_REPLY)
    if not any(metric == Metric.RESOLUTION for metric, _ in known):
        wanted.append(Metric.RESOLUTION)
    return start_clocks(conversation, wanted, message.created_at)


def on_reply_sent(message) -> int:
    """An agent answered: the reply clock is met (also one the same action just stopped)."""
    at = message.created_at
    return (
        ServiceClock.objects.filter(
            conversation_id=message.conversation_id,
            metric__in=REPLY_METRICS,
            met_at__isnull=True,
        )
        .filter(Q(stopped_at__isnull=True) | Q(stopped_at=at))
        .update(
            met_at=at,
            stopped_at=at,
            breached_at=breached_by(at),
            next_step_at=None,
            paused_since=None,
        )
    )


def on_status_changed(conversation, previous: str, status: str, at) -> None:
    if status == Status.PENDING:
        pause_clocks(conversation, at)
    elif status in (Status.SOLVED, Status.CLOSED):
        stop_clocks(conversation, at)
    elif previous == Status.PENDING:
        resume_clocks(conversation, at)
    if previous == Status.SOLVED and status == Status.OPEN:
        start_clocks(conversation, [Metric.RESOLUTION], at)


def start_clocks(conversation, metrics, at, policy: Policy | None = None) -> list[ServiceClock]:
    """Start the given clocks under the conversation's policy (chosen now unless given)."""
    if not metrics:
        return []
    policy = policy or choose_policy(conversation)
    if policy is None:
        return []
    metrics = [metric for metric in metrics if policy.target(metric)]
    if not metrics:
        return []
    row = calendar_row(policy, conversation)
    calendars = Calendars()
    clocks = []
    for metric in metrics:
        clock = ServiceClock(
            conversation_id=conversation.pk,
            metric=metric,
            policy=policy,
            calendar=row,
            target_minutes=policy.target(metric),
            warn_fraction=policy.warn_fraction,
            started_at=at,
        )
        schedule(clock, calendars)
        clocks.append(clock)
    return ServiceClock.objects.bulk_create(clocks)


def pause_clocks(conversation, at) -> int:
    """Pending on the customer: the running clocks stop counting and have no due time."""
    return ServiceClock.objects.filter(
        conversation_id=conversation.pk, stopped_at__isnull=True, paused_since__isnull=True
    ).update(
        paused_since=at,
        breached_at=breached_by(at),
        due_at=None,
        warn_at=None,
        next_step_at=None,
    )


def resume_clocks(conversation, at) -> list[ServiceClock]:
    """The customer is back (or the agent reopened): the pause is kept, due times move on."""
    clocks = list(
        ServiceClock.objects.filter(
            conversation_id=conversation.pk, stopped_at__isnull=True, paused_since__isnull=False
        ).select_related("calendar", "policy")
    )
    calendars = Calendars()
    for clock in clocks:
        clock.pauses = [*clock.pauses, [clock.paused_since.isoformat(), at.isoformat()]]
        clock.paused_since = None
        schedule(clock, calendars)
    fields = ["pauses", "paused_since", "due_at", "warn_at", "next_step_at"]
    ServiceClock.objects.bulk_update(clocks, fields)
    return clocks


def stop_clocks(conversation, at) -> int:
    """Solved or closed: the resolution is met; reply clocks end without a reply."""
    return ServiceClock.objects.filter(
        conversation_id=conversation.pk, stopped_at__isnull=True
    ).update(
        met_at=Case(When(metric=Metric.RESOLUTION, then=Value(at)), default=F("met_at")),
        stopped_at=at,
        breached_at=breached_by(at),
        next_step_at=None,
        paused_since=None,
    )


def pauses_of(clock: ServiceClock) -> list[tuple[datetime, datetime | None]]:
    """The clock's pauses as datetimes, the one still open (if any) last with no end."""
    pauses = [(datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in clock.pauses]
    if clock.paused_since is not None:
        pauses.append((clock.paused_since, None))
    return pauses


def schedule(clock: ServiceClock, calendars: Calendars) -> None:
    """Set due, warning and next-step times from the start, target, calendar and pauses."""
    cal, pauses = calendars.of(clock), pauses_of(clock)
    target = timedelta(minutes=clock.target_minutes)
    clock.due_at = add_business_time(cal, clock.started_at, target, pauses=pauses)
    clock.warn_at = add_business_time(
        cal, clock.started_at, target * clock.warn_fraction, pauses=pauses
    )
    clock.next_step_at = next_step_at(clock)


def next_step_at(clock: ServiceClock) -> datetime | None:
    """When the sweep must look at the clock again; None when nothing more can happen."""
    if clock.stopped_at is not None or clock.due_at is None:
        return None
    if clock.step == Step.NONE:
        return clock.warn_at or clock.due_at
    if clock.step == Step.WARNED:
        return clock.due_at
    if clock.step == Step.BREACHED:
        after = (
            timedelta(minutes=clock.policy.supervisor_after_minutes)
            if clock.policy_id
            else DEFAULT_SUPERVISOR_AFTER
        )
        return clock.due_at + after
    return None


@transaction.atomic
def save_policy(actor, policy: Policy) -> Policy:
    """An admin created or changed a policy (validated by its form); clocks already running
    keep what they copied."""
    policy.save()
    return policy


@transaction.atomic
def save_calendar(actor, calendar: BusinessCalendar, holidays: list) -> BusinessCalendar:
    """Save a calendar with exactly `holidays` ((date, name) pairs) as its holidays."""
    calendar.save()
    calendar.holidays.exclude(date__in=[day for day, _ in holidays]).delete()
    for day, name in holidays:
        Holiday.objects.update_or_create(calendar=calendar, date=day, defaults={"name": name})
    return calendar
