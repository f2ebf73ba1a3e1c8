"""Builders for service-level tests: a Berlin office calendar and a standard policy."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def office(name: str = "Berlin office", tz: str = "Europe/Berlin", **hours):
    from regard.service.models import BusinessCalendar

    calendar = BusinessCalendar(name=name, time_zone=tz, **hours)
    calendar.full_clean()
    calendar.save()
    return calendar


def policy(name: str = "Standard", **fields):
    from regard.service.models import Policy

    fields.setdefault("first_reply_minutes", 240)
    fields.setdefault("next_reply_minutes", 480)
    fields.setdefault("resolution_minutes", 2400)
    made = Policy(name=name, **fields)
    made.full_clean()
    made.save()
    return made


def clocks(conversation, **filters):
    from regard.service.models import ServiceClock

    return {
        clock.metric: clock
        for clock in ServiceClock.objects.filter(conversation=conversation, **filters).order_by(
            "started_at", "id"
        )
    }


@pytest.fixture
def standard(db):
    """The Standard policy (4 h first reply, 8 h next, 40 h resolution) on Berlin office hours."""
    return policy(calendar=office())
