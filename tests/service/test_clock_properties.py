"""Properties of a clock's schedule over random calendars, zones, starts and pauses: its due time
leaves exactly its target of unpaused business time, and its warning never comes after it."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from regard.service.actions import pauses_of, schedule
from regard.service.hours import business_time_between
from regard.service.models import ServiceClock
from regard.service.policies import Calendars
from tests.service.test_hours import PROPERTIES, cases


def clock_for(cal, start, pending, minutes: int, fraction: float) -> tuple[ServiceClock, list]:
    closed = [(a, b) for a, b in pending if b is not None]
    still = sorted(a for a, b in pending if b is None)[:1]
    clock = ServiceClock(
        target_minutes=minutes,
        warn_fraction=fraction,
        started_at=start,
        pauses=[[a.isoformat(), b.isoformat()] for a, b in closed],
        paused_since=still[0] if still else None,
    )
    calendars = Calendars()
    calendars.known[None] = cal
    schedule(clock, calendars)
    return clock, pauses_of(clock)


@PROPERTIES
@given(cases(), st.integers(1, 6000), st.floats(0.05, 0.99))
def test_a_clock_is_due_when_its_target_of_unpaused_business_time_has_run(case, minutes, share):
    cal, start, pending = case
    clock, pauses = clock_for(cal, start, pending, minutes, share)
    target = timedelta(minutes=minutes)
    if clock.due_at is None:
        assert clock.paused_since is not None and clock.next_step_at is None
        ran = business_time_between(cal, start, clock.paused_since, pauses=pauses)
        assert ran < target
        return
    assert business_time_between(cal, start, clock.due_at, pauses=pauses) == target
    assert clock.warn_at is not None and clock.warn_at <= clock.due_at
    assert clock.next_step_at == clock.warn_at
