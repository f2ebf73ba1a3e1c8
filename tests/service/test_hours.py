"""Business time counts only opening hours, in the team's zone, around holidays, DST and pauses."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regard.service.calendar import Calendar, openings
from regard.service.explain import explain_due
from regard.service.hours import add_business_time, business_time_between

BERLIN = ZoneInfo("Europe/Berlin")
H = timedelta(hours=1)
OFFICE = Calendar.office("Europe/Berlin")
ZONES = [
    "Pacific/Auckland",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
]


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def local(moment: datetime, tz: str = "Europe/Berlin") -> datetime:
    return moment.astimezone(ZoneInfo(tz))


# Bad input first.


def test_naive_start_is_refused_naming_the_argument():
    with pytest.raises(ValueError, match="start must be timezone-aware"):
        add_business_time(OFFICE, datetime(2026, 3, 2, 9), H)


def test_naive_end_and_naive_pause_are_refused_naming_the_argument():
    with pytest.raises(ValueError, match="end must be timezone-aware"):
        business_time_between(OFFICE, berlin(2026, 3, 2, 9), datetime(2026, 3, 2, 10))
    pause = (datetime(2026, 3, 2, 9), berlin(2026, 3, 2, 10))
    with pytest.raises(ValueError, match=r"pauses\[0\] start must be timezone-aware"):
        add_business_time(OFFICE, berlin(2026, 3, 2, 9), H, pauses=[pause])


def test_pause_ending_before_it_starts_is_refused():
    pause = (berlin(2026, 3, 2, 10), berlin(2026, 3, 2, 9))
    with pytest.raises(ValueError, match=r"pauses\[0\] ends before it starts"):
        add_business_time(OFFICE, berlin(2026, 3, 2, 9), H, pauses=[pause])


def test_negative_duration_is_refused():
    with pytest.raises(ValueError, match="duration must not be negative"):
        add_business_time(OFFICE, berlin(2026, 3, 2, 9), -H)


def test_unknown_time_zone_is_refused():
    with pytest.raises(ValueError, match="unknown time zone 'Europe/Atlantis'"):
        Calendar.office("Europe/Atlantis")


def test_overlapping_intervals_are_refused():
    with pytest.raises(ValueError, match="Monday 11:00–13:00 overlaps 09:00–12:00"):
        Calendar("UTC", {0: [(time(9), time(12)), (time(11), time(13))]})


def test_inverted_interval_and_interval_crossing_midnight_are_refused():
    with pytest.raises(ValueError, match="Tuesday 17:00–09:00 must close after it opens"):
        Calendar("UTC", {1: [(time(17), time(9))]})
    with pytest.raises(ValueError, match="Sunday 22:00–02:00 must close after it opens"):
        Calendar("UTC", {6: [(time(22), time(2))]})


def test_calendar_without_opening_hours_is_refused():
    with pytest.raises(ValueError, match="at least one opening interval"):
        Calendar("UTC", {})
    with pytest.raises(ValueError, match="weekdays 0"):
        Calendar("UTC", {7: [(time(9), time(17))]})


def test_holidays_must_be_dates():
    with pytest.raises(ValueError, match="holidays must be dates"):
        Calendar.office("UTC", holidays=[datetime(2026, 12, 25, tzinfo=UTC)])


def test_touching_intervals_merge_and_calendars_hash():
    cal = Calendar("UTC", {0: [(time(12), time(17)), (time(9), time(12))]})
    assert cal.week == {0: [(time(9), time(17))]}
    assert cal == Calendar("UTC", {0: [(time(9), time(17))]})
    assert len({cal, Calendar("UTC", {0: [(time(9), time(17))]})}) == 1


# Arithmetic.


def test_friday_afternoon_target_is_due_monday_morning():
    due = add_business_time(OFFICE, berlin(2026, 3, 6, 16), 2 * H)
    assert local(due) == berlin(2026, 3, 9, 10)
    assert due.tzinfo is UTC


def test_target_ending_at_closing_time_is_due_at_closing_time():
    assert local(add_business_time(OFFICE, berlin(2026, 3, 2, 9), 8 * H)) == berlin(2026, 3, 2, 17)


def test_zero_target_is_due_at_once_even_when_closed():
    saturday = berlin(2026, 3, 7, 12)
    assert add_business_time(OFFICE, saturday, timedelta(0)) == saturday


def test_start_in_closed_time_counts_from_the_next_opening():
    due = add_business_time(OFFICE, berlin(2026, 3, 7, 12), H)
    assert local(due) == berlin(2026, 3, 9, 10)


def test_office_hours_keep_wall_clock_across_spring_forward_and_fall_back():
    spring = add_business_time(OFFICE, berlin(2026, 3, 27, 16), 2 * H)
    autumn = add_business_time(OFFICE, berlin(2026, 10, 23, 16), 2 * H)
    assert local(spring) == berlin(2026, 3, 30, 10)
    assert local(autumn) == berlin(2026, 10, 26, 10)


def test_round_the_clock_calendar_counts_elapsed_time_on_the_dst_night():
    always = Calendar.always("Europe/Berlin")
    spring = add_business_time(always, berlin(2026, 3, 29, 0), 4 * H)
    autumn = add_business_time(always, berlin(2026, 10, 25, 0), 4 * H)
    assert local(spring) == berlin(2026, 3, 29, 5)  # 02:00–03:00 never happened
    assert local(autumn) == berlin(2026, 10, 25, 3)  # 02:00–03:00 happened twice
    day = business_time_between(always, berlin(2026, 3, 29, 0), berlin(2026, 3, 30, 0))
    assert day == 23 * H


def test_opening_hours_inside_the_dst_gap_count_for_nothing_and_the_fold_counts_once():
    night = Calendar("Europe/Berlin", {6: [(time(2), time(4))]})
    spring = business_time_between(night, berlin(2026, 3, 29), berlin(2026, 3, 30))
    autumn = business_time_between(night, berlin(2026, 10, 25), berlin(2026, 10, 26))
    assert spring == H
    assert autumn == 3 * H


def test_holiday_monday_is_skipped():
    cal = Calendar.office("Europe/Berlin", holidays=[date(2026, 4, 6)])
    due = add_business_time(cal, berlin(2026, 4, 3, 16), 2 * H)
    assert local(due) == berlin(2026, 4, 7, 10)


def test_start_on_a_holiday_counts_from_the_next_working_day():
    cal = Calendar.office("Europe/Berlin", holidays=[date(2026, 12, 25)])
    due = add_business_time(cal, berlin(2026, 12, 25, 10), 3 * H)
    assert local(due) == berlin(2026, 12, 28, 12)


def test_lunch_break_is_not_business_time():
    lunch = Calendar("Europe/Berlin", {0: [(time(9), time(12)), (time(13), time(17))]})
    due = add_business_time(lunch, berlin(2026, 3, 2, 11), 2 * H)
    assert local(due) == berlin(2026, 3, 2, 14)
    assert business_time_between(lunch, berlin(2026, 3, 2, 9), berlin(2026, 3, 3)) == 7 * H


def test_pause_in_the_middle_moves_the_due_time_by_the_business_time_paused():
    pending = [(berlin(2026, 3, 2, 10), berlin(2026, 3, 2, 12))]
    due = add_business_time(OFFICE, berlin(2026, 3, 2, 9), 4 * H, pauses=pending)
    assert local(due) == berlin(2026, 3, 2, 15)


def test_overlapping_and_unsorted_pauses_count_once():
    pending = [
        (berlin(2026, 3, 2, 11), berlin(2026, 3, 2, 12)),
        (berlin(2026, 3, 2, 10), berlin(2026, 3, 2, 11, 30)),
    ]
    due = add_business_time(OFFICE, berlin(2026, 3, 2, 9), 4 * H, pauses=pending)
    assert local(due) == berlin(2026, 3, 2, 15)


def test_open_ended_pause_stops_the_clock_so_nothing_is_due():
    still_pending = [(berlin(2026, 3, 2, 10), None)]
    start = berlin(2026, 3, 2, 9)
    assert add_business_time(OFFICE, start, 4 * H, pauses=still_pending) is None
    until = berlin(2026, 3, 20)
    assert business_time_between(OFFICE, start, until, pauses=still_pending) == H


def test_open_ended_pause_after_the_due_time_leaves_the_due_time():
    late_pause = [(berlin(2026, 3, 3, 10), None)]
    due = add_business_time(OFFICE, berlin(2026, 3, 2, 9), 4 * H, pauses=late_pause)
    assert local(due) == berlin(2026, 3, 2, 13)


def test_same_utc_instant_lands_on_different_local_dates_across_the_date_line():
    instant = datetime(2026, 3, 6, 20, tzinfo=UTC)  # Sat 10:00 Kiritimati, Fri 09:00 Pago Pago
    kiritimati = Calendar.office("Pacific/Kiritimati")
    pago_pago = Calendar.office("Pacific/Pago_Pago")
    assert local(add_business_time(kiritimati, instant, 2 * H), "Pacific/Kiritimati") == datetime(
        2026, 3, 9, 11, tzinfo=ZoneInfo("Pacific/Kiritimati")
    )
    assert local(add_business_time(pago_pago, instant, 2 * H), "Pacific/Pago_Pago") == datetime(
        2026, 3, 6, 11, tzinfo=ZoneInfo("Pacific/Pago_Pago")
    )


def test_the_day_samoa_skipped_counts_for_nothing():
    apia, always = ZoneInfo("Pacific/Apia"), Calendar.always("Pacific/Apia")
    start = datetime(2011, 12, 29, tzinfo=apia)  # 30 December 2011 never happened in Samoa
    assert business_time_between(always, start, datetime(2012, 1, 6, tzinfo=apia)) == 7 * 24 * H
    due = add_business_time(always, start, 7 * 24 * H)
    assert local(due, "Pacific/Apia") == datetime(2012, 1, 6, tzinfo=apia)


def test_a_year_of_business_time_is_quick_and_round_trips():
    start = berlin(2026, 1, 5, 9)
    due = add_business_time(OFFICE, start, timedelta(days=365))
    assert business_time_between(OFFICE, start, due) == timedelta(days=365)


# Explanations.


def test_explanation_names_the_weekend_the_holiday_and_the_pause():
    cal = Calendar.office("Europe/Berlin", holidays=[date(2026, 12, 25)])
    start, pending = (
        berlin(2026, 12, 24, 15),
        [(berlin(2026, 12, 24, 16), berlin(2026, 12, 28, 11))],
    )
    due = add_business_time(cal, start, 4 * H, pauses=pending)
    assert explain_due(cal, start, 4 * H, due, pauses=pending) == (
        "due Mon 14:00: 4 business hours from Thu 15:00, paused 3 h while pending, "
        "Saturday, Sunday and the holiday on 25 Dec skipped"
    )


def test_explanation_shows_times_in_the_calendar_zone():
    cal = Calendar.office("Pacific/Kiritimati")
    start = datetime(2026, 3, 6, 20, tzinfo=UTC)
    due = add_business_time(cal, start, 90 * timedelta(minutes=1))
    assert explain_due(cal, start, 90 * timedelta(minutes=1), due) == (
        "due Mon 10:30: 1 h 30 min of business time from Sat 10:00, Saturday and Sunday skipped"
    )


def test_explanation_of_a_long_target_gives_dates_and_counts_days():
    start = berlin(2026, 3, 2, 9)
    due = add_business_time(OFFICE, start, 120 * H)
    assert explain_due(OFFICE, start, 120 * H, due) == (
        "due Fri 20 Mar 2026 17:00: 120 business hours from Mon 2 Mar 2026 09:00, "
        "4 closed days skipped"
    )


def test_explanation_refuses_a_naive_due_time():
    with pytest.raises(ValueError, match="due must be timezone-aware"):
        explain_due(OFFICE, berlin(2026, 3, 2, 9), H, datetime(2026, 3, 2, 10))


def test_explanation_of_a_stopped_clock_says_how_much_is_left():
    start, still_pending = berlin(2026, 3, 2, 9), [(berlin(2026, 3, 2, 10), None)]
    assert explain_due(OFFICE, start, 4 * H, None, pauses=still_pending) == (
        "not due yet: 4 business hours from Mon 09:00, "
        "clock stopped while pending since Mon 10:00 with 3 h left"
    )


# Properties over random calendars, zones, starts and pauses.

PROPERTIES = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@lru_cache
def transitions(tz: str) -> tuple[datetime, ...]:
    """UTC instants near which the zone's offset changed in 2025–2027, found hour by hour."""
    place, found = ZoneInfo(tz), []
    moment = datetime(2025, 1, 1, tzinfo=UTC)
    offset = moment.astimezone(place).utcoffset()
    while moment.year < 2028:
        moment += H
        if moment.astimezone(place).utcoffset() != offset:
            offset = moment.astimezone(place).utcoffset()
            found.append(moment)
    return tuple(found) or (datetime(2026, 1, 1, tzinfo=UTC),)


MINUTES = st.integers(0, 1440)
SETTLED_MINUTES = st.integers(0, 60) | st.integers(180, 1440)
FIRST_HOLIDAY, HOLIDAY_SPAN = date(2025, 1, 1), 3 * 365
FIRST_WALL, WALL_SPAN_S = datetime(2025, 1, 1), 3 * 365 * 86400
MICROSECONDS = 10**6


def _time(minute: int) -> time:
    return time(0) if minute == 1440 else time(minute // 60, minute % 60)


def _weekly_minutes(week: dict) -> int:
    return sum(
        (b.hour * 60 + b.minute or 1440) - (a.hour * 60 + a.minute)
        for hours in week.values()
        for a, b in hours
    )


def _day_hours(bounds: set[int]) -> list[tuple[time, time]]:
    edges = sorted(bounds)[: len(bounds) // 2 * 2]
    return [(_time(edges[i]), _time(edges[i + 1])) for i in range(0, len(edges), 2)]


def weeks(minutes: st.SearchStrategy[int]) -> st.SearchStrategy[dict]:
    days = st.sets(minutes, max_size=6).map(_day_hours)
    return st.dictionaries(st.integers(0, 6), days, min_size=1)


ANY_ZONE, ANY_WEEK = st.sampled_from(ZONES), weeks(MINUTES)


@st.composite
def calendars(draw, zones=ANY_ZONE, week_strategy=ANY_WEEK):
    week = draw(week_strategy)
    if _weekly_minutes(week) < 240:
        week[draw(st.integers(0, 6))] = [(time(9), time(17))]
    offsets = draw(st.lists(st.integers(0, HOLIDAY_SPAN), max_size=12))
    holidays = frozenset(FIRST_HOLIDAY + timedelta(days=n) for n in offsets)
    return Calendar(draw(zones), week, holidays)


@st.composite
def starts(draw, tz: str):
    """Aware starts in the zone, often within three days of a DST change, gaps and folds too."""
    place, kind = ZoneInfo(tz), draw(st.sampled_from(["near", "in the jump", "anywhere"]))
    near = draw(st.sampled_from(transitions(tz)))
    if kind == "near":
        return (near + timedelta(seconds=draw(st.integers(-3 * 86400, 3 * 86400)))).astimezone(
            place
        )
    if kind == "in the jump":
        wall = near.astimezone(place).replace(tzinfo=None)
        wall += timedelta(seconds=draw(st.integers(-5400, 5400)))
    else:
        wall = FIRST_WALL + timedelta(seconds=draw(st.integers(0, WALL_SPAN_S)))
    return wall.replace(tzinfo=place, fold=draw(st.integers(0, 1)))


@st.composite
def pauses(draw, start: datetime):
    spans, start = [], start.astimezone(UTC)  # local + timedelta would be wall-clock arithmetic
    for _ in range(draw(st.integers(0, 4))):
        begins = start + timedelta(minutes=draw(st.integers(-48 * 60, 400 * 60)))
        length = draw(st.none() | st.integers(0, 72 * 60))
        spans.append((begins, None if length is None else begins + timedelta(minutes=length)))
    return spans


durations = st.integers(0, 400 * 3600 * MICROSECONDS).map(lambda n: timedelta(microseconds=n))


@st.composite
def cases(draw):
    cal = draw(calendars())
    start = draw(starts(cal.tz))
    return cal, start, draw(pauses(start))


@PROPERTIES
@given(cases(), durations)
def test_adding_then_measuring_business_time_round_trips(case, duration):
    cal, start, pending = case
    due = add_business_time(cal, start, duration, pauses=pending)
    if due is None:
        assert any(resumed is None for _, resumed in pending)
        return
    assert due >= start
    assert business_time_between(cal, start, due, pauses=pending) == duration
    earlier = due - timedelta(microseconds=1)
    if duration:
        assert business_time_between(cal, start, earlier, pauses=pending) < duration


def _add_day_by_day(cal: Calendar, start: datetime, duration: timedelta) -> datetime:
    remaining = duration
    for opens, closes, _ in openings(cal, start.astimezone(UTC), weeks=False):
        if closes - opens >= remaining:
            return opens + remaining
        remaining -= closes - opens


@PROPERTIES
@given(cases(), durations)
def test_jumping_whole_weeks_agrees_with_walking_day_by_day(case, duration):
    cal, start, _ = case
    due = add_business_time(cal, start, duration)
    # In UTC: == between zones is always False for a time in a fold (PEP 495).
    start = start.astimezone(UTC)
    assert due == (start if not duration else _add_day_by_day(cal, start, duration))


@PROPERTIES
@given(cases(), durations, durations)
def test_more_business_time_is_never_due_sooner(case, first, second):
    cal, start, pending = case
    short, long = sorted([first, second])
    early = add_business_time(cal, start, short, pauses=pending)
    late = add_business_time(cal, start, long, pauses=pending)
    assert late is None or (early is not None and early <= late)


@PROPERTIES
@given(cases(), durations, durations)
def test_adding_in_two_steps_equals_adding_at_once(case, first, second):
    cal, start, pending = case
    halfway = add_business_time(cal, start, first, pauses=pending)
    whole = add_business_time(cal, start, first + second, pauses=pending)
    if halfway is None:
        assert whole is None
    else:
        assert add_business_time(cal, halfway, second, pauses=pending) == whole


@PROPERTIES
@given(cases(), durations, durations)
def test_measured_business_time_grows_with_the_end_and_never_exceeds_elapsed(case, one, two):
    cal, start, pending = case
    near, far = (start.astimezone(UTC) + gap for gap in sorted([one, two]))
    measured_near = business_time_between(cal, start, near, pauses=pending)
    measured_far = business_time_between(cal, start, far, pauses=pending)
    assert timedelta(0) <= measured_near <= measured_far
    assert measured_far - measured_near <= far - near


# An independent oracle: step minute by minute and read the local wall clock.


def _open_by_wall_clock(cal: Calendar, moment: datetime) -> bool:
    wall = moment.astimezone(ZoneInfo(cal.tz))
    if wall.date() in cal.holidays:
        return False
    minute = wall.hour * 60 + wall.minute
    return any(
        a.hour * 60 + a.minute <= minute < (b.hour * 60 + b.minute or 1440)
        for a, b in cal.week.get(wall.weekday(), [])
    )


@settings(max_examples=60, deadline=None)
@given(
    calendars(
        zones=st.sampled_from(["Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Kolkata"])
        | st.sampled_from(["Europe/Berlin", "America/New_York"]),
        week_strategy=weeks(SETTLED_MINUTES),
    ),
    st.data(),
)
def test_business_time_matches_counting_open_minutes_on_the_wall_clock(cal, data):
    # Interval bounds avoid 01:00–03:00 so no bound sits inside Berlin's or New York's DST hour,
    # where the wall clock alone cannot say which instant is meant.
    near = data.draw(st.sampled_from(transitions(cal.tz)))
    start = near + timedelta(minutes=data.draw(st.integers(-3 * 1440, 1440)))
    minutes = data.draw(st.integers(0, 3 * 1440))
    open_minutes = sum(
        _open_by_wall_clock(cal, start + timedelta(minutes=n)) for n in range(minutes)
    )
    measured = business_time_between(cal, start, start + timedelta(minutes=minutes))
    assert measured == timedelta(minutes=open_minutes)
