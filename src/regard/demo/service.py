"""Service levels in the demo: a calendar per team, three policies (VIP and upset customers
tighter), and clocks on the open conversations so that some are close to breaching and one has
breached; the sweep then warns and escalates as it would in production."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db.models import Q

from regard.accounts.models import Team
from regard.conversations.choices import ACTIVE_STATUSES, Status
from regard.conversations.models import Conversation
from regard.service.actions import pause_clocks, start_clocks
from regard.service.calendar import Calendar
from regard.service.choices import Metric
from regard.service.hours import business_time_between
from regard.service.models import BusinessCalendar, Policy
from regard.service.policies import calendar_row, choose_policy
from regard.service.sweeps import escalate

# Share of the target already run, per open conversation in turn; above 1 means breached.
ELAPSED = (1.25, 0.9, 0.5, 0.8, 0.2, 0.95, 0.35, 0.6, 0.1, 0.7)
HOURS = {
    "Orders & Delivery": ("Europe/London", "08:00-18:00", "09:00-13:00"),
    "Billing & Accounts": ("Europe/Berlin", "09:00-12:30, 13:30-17:00", ""),
}


def seed_service_levels(now) -> None:
    calendars = _calendars(now)
    Policy.objects.create(
        name="VIP customers",
        position=10,
        vip_only=True,
        first_reply_minutes=60,
        next_reply_minutes=120,
        resolution_minutes=16 * 60,
        warn_fraction=0.5,
    )
    Policy.objects.create(
        name="Upset customers",
        position=20,
        upset_only=True,
        first_reply_minutes=90,
        next_reply_minutes=180,
        resolution_minutes=24 * 60,
        supervisor_after_minutes=30,
    )
    Policy.objects.create(
        name="Standard",
        position=100,
        first_reply_minutes=4 * 60,
        next_reply_minutes=8 * 60,
        resolution_minutes=40 * 60,
        calendar=calendars[0] if calendars else None,
    )
    _start_open_clocks(now)
    escalate(now)


def _calendars(now) -> list[BusinessCalendar]:
    made = []
    years = (now.year, now.year + 1)
    for team in Team.objects.filter(name__in=HOURS).order_by("name"):
        tz, weekdays, saturday = HOURS[team.name]
        calendar = BusinessCalendar.objects.create(
            name=f"{team.name} hours",
            team=team,
            time_zone=tz,
            **dict.fromkeys(("monday", "tuesday", "wednesday", "thursday", "friday"), weekdays),
            saturday=saturday,
        )
        for year in years:
            for month, day, name in ((1, 1, "New Year's Day"), (12, 25, "Christmas Day")):
                calendar.holidays.create(date=date(year, month, day), name=name)
        made.append(calendar)
    return made


def _start_open_clocks(now) -> None:
    """Clocks as if each conversation had waited its share of the target by `now`."""
    conversations = (
        Conversation.objects.filter(status__in=ACTIVE_STATUSES)
        .filter(Q(waiting_since__isnull=False) | Q(status=Status.PENDING))
        .select_related("customer")
        .order_by("id")
    )
    for number, conversation in enumerate(conversations):
        policy = choose_policy(conversation)
        if policy is None:
            continue
        row = calendar_row(policy, conversation)
        cal = row.as_calendar() if row else Calendar.always(settings.TIME_ZONE)
        # Only the first breaches; the rest cycle through shares still on time.
        share = ELAPSED[number] if number < len(ELAPSED) else ELAPSED[1 + number % 9]
        reply = Metric.FIRST_REPLY if conversation.first_reply_at is None else Metric.NEXT_REPLY
        wanted = [(Metric.RESOLUTION, share / 2)]
        if conversation.status != Status.PENDING:
            wanted.insert(0, (reply, share))
        for metric, elapsed in wanted:
            target = timedelta(minutes=policy.target(metric) or 0)
            if target:
                start = _started(cal, now, target * elapsed)
                start_clocks(conversation, [metric], start, policy=policy)
        if conversation.status == Status.PENDING:
            pause_clocks(conversation, now - timedelta(hours=1))


def _started(cal: Calendar, now, elapsed: timedelta):
    """The latest start from which `elapsed` business time has run by `now` (bisection)."""
    early, late = now - timedelta(days=60), now
    while late - early > timedelta(minutes=1):
        middle = early + (late - early) / 2
        if business_time_between(cal, middle, now) > elapsed:
            early = middle
        else:
            late = middle
    return late.replace(second=0, microsecond=0)
