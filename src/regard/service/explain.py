"""Due times explained in words, in the calendar's zone, for agents and customers to check."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from regard.service.calendar import WEEKDAYS, Calendar, zone
from regard.service.hours import (
    FOREVER,
    Pause,
    as_utc,
    business_time_between,
    merge_pauses,
    paused_time,
)

NAMED_AT_MOST = 3


def explain_due(
    cal: Calendar,
    start: datetime,
    duration: timedelta,
    due: datetime | None,
    *,
    pauses: Sequence[Pause] = (),
) -> str:
    """One line such as 'due Tue 10:00: 4 business hours from Mon 15:00, paused 2 h while
    pending, Sunday and the holiday on 25 Dec skipped'; `due` comes from add_business_time."""
    start, target = as_utc(start, "start"), f"{_business(duration)} from "
    if due is None:
        return _stopped(cal, start, duration, pauses, target)
    due = as_utc(due, "due")
    start_local, due_local = (moment.astimezone(zone(cal.tz)) for moment in (start, due))
    dated = (due_local.date() - start_local.date()).days >= 7
    parts = [f"due {_when(due_local, dated)}: {target}{_when(start_local, dated)}"]
    paused = paused_time(cal, start, due, pauses=pauses)
    if paused:
        parts.append(f"paused {_amount(paused)} while pending")
    skipped = _skipped(cal, start_local.date(), due_local.date())
    if skipped:
        parts.append(f"{_and(skipped)} skipped")
    return ", ".join(parts)


def _stopped(
    cal: Calendar, start: datetime, duration: timedelta, pauses: Sequence[Pause], target: str
) -> str:
    open_pauses = [paused for paused, resumed in merge_pauses(pauses) if resumed == FOREVER]
    if not open_pauses:
        raise ValueError("due is None, yet no pause is still open to explain why")
    stopped = open_pauses[0]
    left = duration - business_time_between(cal, start, stopped, pauses=pauses)
    since, stop = (moment.astimezone(zone(cal.tz)) for moment in (start, stopped))
    dated = (stop.date() - since.date()).days >= 7
    return (
        f"not due yet: {target}{_when(since, dated)}, clock stopped while pending since "
        f"{_when(stop, dated)} with {_amount(left)} left"
    )


def _skipped(cal: Calendar, first: date, last: date) -> list[str]:
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    off = [WEEKDAYS[day.weekday()] for day in days if not cal.hours[day.weekday()]]
    holidays = [day for day in days if cal.hours[day.weekday()] and day in cal.holidays]
    words = off if len(off) <= NAMED_AT_MOST else [f"{len(off)} closed days"]
    if len(holidays) > NAMED_AT_MOST:
        words.append(f"{len(holidays)} holidays")
    elif holidays:
        plural = "s" if len(holidays) > 1 else ""
        words.append(f"the holiday{plural} on {_and([_date(day) for day in holidays])}")
    return words


def _when(moment: datetime, dated: bool) -> str:
    if dated:
        return f"{moment:%a} {_date(moment.date())} {moment:%Y %H:%M}"
    return f"{moment:%a %H:%M}"


def _date(day: date) -> str:
    return f"{day.day} {day:%b}"


def _business(duration: timedelta) -> str:
    hours, rest = divmod(duration, timedelta(hours=1))
    if not rest:
        return f"{hours} business hour{'' if hours == 1 else 's'}"
    return f"{_amount(duration)} of business time"


def _amount(duration: timedelta) -> str:
    seconds = int(duration.total_seconds())
    hours, minutes, seconds = seconds // 3600, seconds // 60 % 60, seconds % 60
    parts = [f"{n} {unit}" for n, unit in ((hours, "h"), (minutes, "min"), (seconds, "s")) if n]
    return " ".join(parts) or "0 min"


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
