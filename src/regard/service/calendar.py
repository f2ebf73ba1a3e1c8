"""Calendars of business hours in a time zone, and their opening intervals as UTC instants.

Pure Python: no Django, no database, no clock; callers pass every instant in.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ONE_DAY = timedelta(days=1)
MIDNIGHT = time(0)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# One day's opening intervals as (opens, closes); closes is None for the midnight ending the day.
DayHours = tuple[tuple[time, time | None], ...]
Span = tuple[datetime, datetime]
# (opens, closes, business time within): a single interval, or a whole week jumped at once.
Stretch = tuple[datetime, datetime, timedelta]
WEEK = range(7)
ZERO = timedelta(0)


@dataclass(frozen=True)
class Calendar:
    """Weekly opening hours in the IANA zone `tz`, closed all day on `holidays` (local dates).

    `week` maps a weekday (0 = Monday) to opening intervals `(opens, closes)` in local wall time;
    an interval may not cross midnight, and `closes == time(0)` means the midnight ending the day.
    """

    tz: str
    week: dict[int, list[tuple[time, time]]]
    holidays: frozenset[date] = frozenset()
    hours: tuple[DayHours, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        zone(self.tz)
        hours = tuple(_day_hours(self.week.get(day, ()), WEEKDAYS[day]) for day in range(7))
        unknown = set(self.week) - set(range(7))
        if unknown:
            raise ValueError(f"week keys are weekdays 0 (Monday) to 6, not {sorted(unknown)}")
        if not any(hours):
            raise ValueError("a calendar needs at least one opening interval in its week")
        holidays = frozenset(self.holidays)
        if any(isinstance(day, datetime) or not isinstance(day, date) for day in holidays):
            raise ValueError("holidays must be dates (whole local days), not datetimes")
        object.__setattr__(self, "holidays", holidays)
        week = {day: [(o, c or MIDNIGHT) for o, c in h] for day, h in enumerate(hours) if h}
        object.__setattr__(self, "week", week)
        object.__setattr__(self, "hours", hours)

    def __hash__(self) -> int:
        return hash((self.tz, self.hours, self.holidays))

    @classmethod
    def always(cls, tz: str = "UTC") -> Calendar:
        """Open around the clock, every day."""
        return cls(tz, {day: [(MIDNIGHT, MIDNIGHT)] for day in range(7)})

    @classmethod
    def office(
        cls,
        tz: str,
        start: time = time(9),
        end: time = time(17),
        days: Iterable[int] = range(5),
        holidays: Iterable[date] = (),
    ) -> Calendar:
        """Open `start`–`end` on `days` (Monday to Friday unless told), closed on `holidays`."""
        return cls(tz, {day: [(start, end)] for day in days}, frozenset(holidays))


def zone(tz: str) -> ZoneInfo:
    """The ZoneInfo for an IANA name, or ValueError saying the name is unknown."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
        raise ValueError(f"unknown time zone {tz!r}") from error


def _day_hours(intervals: Iterable[tuple[time, time]], weekday: str) -> DayHours:
    hours = []
    for opens, closes in sorted(intervals):
        label = f"{weekday} {_clock(opens)}–{_clock(closes)}"
        if opens.tzinfo or closes.tzinfo:
            raise ValueError(f"{label}: opening hours are local wall times without tzinfo")
        end = None if closes == MIDNIGHT else closes
        if end is not None and end <= opens:
            raise ValueError(
                f"{label} must close after it opens (intervals may not cross midnight)"
            )
        if hours and (hours[-1][1] is None or hours[-1][1] > opens):
            previous = f"{_clock(hours[-1][0])}–{_clock(hours[-1][1] or MIDNIGHT)}"
            raise ValueError(f"{label} overlaps {previous}")
        if hours and hours[-1][1] == opens:
            hours[-1] = (hours[-1][0], end)
        else:
            hours.append((opens, end))
    return tuple(hours)


def _clock(moment: time) -> str:
    return moment.strftime("%H:%M")


def openings(cal: Calendar, since: datetime, *, weeks: bool = True) -> Iterator[Stretch]:
    """Open time from `since` (UTC) on, endless, as (opens, closes, business time within).

    Each opening interval comes clipped to `since`; with `weeks`, a whole week without holidays
    or clock changes comes as one stretch holding the weekly total, so long targets jump it.
    """
    day = since.astimezone(zone(cal.tz)).date() - ONE_DAY
    while True:
        week = plain_week(cal.tz, cal.hours, day) if weeks else None
        if week and week[0] >= since and not _holiday_within(cal, day):
            yield week
            day += 7 * ONE_DAY
            continue
        if day not in cal.holidays and cal.hours[day.weekday()]:
            for opens, closes in day_openings(cal.tz, cal.hours[day.weekday()], day):
                if closes > since:
                    yield max(opens, since), closes, closes - max(opens, since)
        day += ONE_DAY


def _holiday_within(cal: Calendar, first: date) -> bool:
    return bool(cal.holidays) and any(first + n * ONE_DAY in cal.holidays for n in WEEK)


def intervals(cal: Calendar, stretch: Stretch) -> Iterator[Span]:
    """The opening intervals inside one stretch from `openings`."""
    opens, closes, amount = stretch
    if amount == closes - opens:
        yield opens, closes
        return
    for inner_opens, inner_closes, _ in openings(cal, opens, weeks=False):
        if inner_opens >= closes:
            return
        yield inner_opens, inner_closes


@lru_cache(maxsize=4096)
def plain_week(tz: str, hours: tuple[DayHours, ...], first: date) -> Stretch | None:
    """The week of local dates from `first` as one stretch, if one UTC offset holds throughout.

    Assumes no zone changes its offset and back within a week (see docs/service-hours.md).
    """
    place = zone(tz)
    start, end = instant(place, first, MIDNIGHT), instant(place, first + 7 * ONE_DAY, MIDNIGHT)
    start_local, end_local = start.astimezone(place), end.astimezone(place)
    # A midnight inside a gap (even a whole skipped day, Apia 2011) maps elsewhere: walk instead.
    if start_local.replace(tzinfo=None) != datetime.combine(first, MIDNIGHT):
        return None
    if end_local.date() != first + 7 * ONE_DAY or end_local.time() != MIDNIGHT:
        return None
    if start_local.utcoffset() != end_local.utcoffset():
        return None
    return start, end, sum((_length(day) for day in hours), ZERO)


def _length(hours: DayHours) -> timedelta:
    return sum(
        (_at(closes or MIDNIGHT, closes is None) - _at(opens) for opens, closes in hours), ZERO
    )


def _at(wall: time, next_day: bool = False) -> datetime:
    return datetime.combine(date(2000, 1, 1 + next_day), wall)


@lru_cache(maxsize=16384)
def day_openings(tz: str, hours: DayHours, day: date) -> tuple[Span, ...]:
    """One local date's opening intervals as UTC instants; empty ones (a DST gap) dropped."""
    place = zone(tz)
    spans = []
    for opens, closes in hours:
        start = instant(place, day, opens)
        end = (
            instant(place, day + ONE_DAY, MIDNIGHT)
            if closes is None
            else instant(place, day, closes)
        )
        if end > start:
            spans.append((start, end))
    return tuple(spans)


def instant(place: ZoneInfo, day: date, wall: time) -> datetime:
    """The first UTC instant at which the local clock shows `wall` on `day` or later.

    A time repeated when clocks go back means its first occurrence; a time skipped when clocks
    go forward means the moment of the jump, so hours inside the gap count for nothing.
    """
    local = datetime.combine(day, wall, tzinfo=place)
    moment = local.astimezone(UTC)
    if moment.astimezone(place).replace(tzinfo=None) == local.replace(tzinfo=None):
        return moment
    return _jump(place, before=local.replace(fold=1).astimezone(UTC), after=moment)


def _jump(place: ZoneInfo, before: datetime, after: datetime) -> datetime:
    # zoneinfo has no public list of transitions, so bisect to the microsecond between an instant
    # on the old offset and one on the new; this runs only on the rare day a clock jumps forward.
    offset = after.astimezone(place).utcoffset()
    while after - before > timedelta(microseconds=1):
        middle = before + (after - before) // 2
        if middle.astimezone(place).utcoffset() == offset:
            after = middle
        else:
            before = middle
    return after
