"""Which policy a conversation falls under, which calendar counts its time, and both in words."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from regard.conversations.choices import Priority
from regard.conversations.memo import remembered
from regard.customers.choices import Channel
from regard.service.calendar import Calendar
from regard.service.choices import Metric
from regard.service.models import BusinessCalendar, Policy, ServiceClock


def active_policies() -> list[Policy]:
    """In position order; read once per inbound batch (see `conversations.memo`)."""
    return remembered("active_policies", _read_active_policies)


def _read_active_policies() -> list[Policy]:
    return list(
        Policy.objects.filter(active=True).select_related("calendar").order_by("position", "id")
    )


def matches(policy: Policy, conversation, customer, tag_ids: set[int]) -> bool:
    """Whether every condition the policy sets holds for the conversation."""
    return (
        (policy.min_priority is None or conversation.priority >= policy.min_priority)
        and (not policy.channel or conversation.channel == policy.channel)
        and (policy.team_id is None or conversation.team_id == policy.team_id)
        and (policy.organization_id is None or customer.organization_id == policy.organization_id)
        and (not policy.vip_only or customer.vip)
        and (not policy.upset_only or conversation.upset)
        and (policy.tag_id is None or policy.tag_id in tag_ids)
    )


def choose_policy(conversation, policies: list[Policy] | None = None) -> Policy | None:
    """The first active policy, by position, whose conditions all hold; None if none does."""
    policies = active_policies() if policies is None else policies
    if not policies:
        return None
    tag_ids: set[int] = set()
    if any(policy.tag_id for policy in policies):
        tag_ids = set(conversation.tags.values_list("id", flat=True))
    customer = conversation.customer
    return next((p for p in policies if matches(p, conversation, customer, tag_ids)), None)


def calendar_row(policy: Policy, conversation) -> BusinessCalendar | None:
    """The policy's calendar, else the conversation's team's; None means around the clock."""
    if policy.calendar_id:
        return policy.calendar
    if conversation.team_id:
        return BusinessCalendar.objects.filter(team_id=conversation.team_id).first()
    return None


class Calendars:
    """Pure calendars by BusinessCalendar id, each built once (holidays in one query each)."""

    def __init__(self):
        self.known: dict[int | None, Calendar] = {}

    def of(self, clock: ServiceClock) -> Calendar:
        key = clock.calendar_id
        if key not in self.known:
            self.known[key] = (
                clock.calendar.as_calendar()
                if key is not None
                else Calendar.always(settings.TIME_ZONE)
            )
        return self.known[key]


def duration_in_words(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not rest:
        return f"{hours} business hour{'' if hours == 1 else 's'}"
    if not hours:
        return f"{rest} business minutes"
    return f"{hours} h {rest} min of business time"


def targets_in_words(policy: Policy) -> list[str]:
    return [
        f"{label.lower()} within {duration_in_words(policy.target(metric))}"
        for metric, label in Metric.choices
        if policy.target(metric)
    ]


def conditions_in_words(policy: Policy) -> list[str]:
    words = []
    if policy.min_priority:
        label = Priority(policy.min_priority).label.lower()
        words.append(f"priority {label}" + ("" if policy.min_priority == 4 else " or higher"))
    if policy.channel:
        words.append(f"by {Channel(policy.channel).label.lower()}")
    if policy.team_id:
        words.append(f"team {policy.team}")
    if policy.organization_id:
        words.append(f"from {policy.organization}")
    if policy.vip_only:
        words.append("VIP customers")
    if policy.upset_only:
        words.append("upset customers")
    if policy.tag_id:
        words.append(f"tagged “{policy.tag}”")
    return words or ["every conversation"]


def escalation_in_words(policy: Policy) -> str:
    after = timedelta(minutes=policy.supervisor_after_minutes)
    who = policy.supervisor.display_name if policy.supervisor_id else "the supervisors"
    return (
        f"warn the assignee at {round(policy.warn_fraction * 100)}% of a target, "
        f"tell the team lead at the breach, and {who} {_minutes(after)} later"
    )


def _minutes(after: timedelta) -> str:
    minutes = int(after.total_seconds() // 60)
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'' if hours == 1 else 's'}"
    return f"{minutes} minutes"
