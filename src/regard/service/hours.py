"""Business-time arithmetic: when a target of business time falls due, and how much has elapsed.

Pure functions over a `Calendar`; pauses (pending on customer) stop the clock.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta

from regard.service.calendar import Calendar, Span, Stretch, intervals, openings

__all__ = ["Calendar", "Pause", "add_business_time", "business_time_between", "paused_time"]

# (paused at, resumed at); resumed None means still paused.
Pause = tuple[datetime, datetime | None]
FOREVER = datetime.max.replace(tzinfo=UTC)
ZERO = timedelta(0)


def add_business_time(
    cal: Calendar, start: datetime, duration: timedelta, *, pauses: Sequence[Pause] = ()
) -> datetime | None:
    """The first instant (in UTC) by which `duration` of business time has run since `start`.

    Closed hours, holidays and pauses do not count, so a target ending exactly at closing time
    is due at closing time. Returns None when a pause still open (resumed None) stops the clock
    before the target is used up: there is no due time until the customer replies.
    """
    start = as_utc(start, "start")
    if duration < ZERO:
        raise ValueError(f"duration must not be negative, got {duration}")
    if not duration:
        return start
    remaining = duration
    for stretch in running(cal, start, pauses):
        if stretch[2] < remaining:
            remaining -= stretch[2]
            continue
        for opens, closes in intervals(cal, stretch):
            if closes - opens >= remaining:
                return opens + remaining
            remaining -= closes - opens
    return None


def business_time_between(
    cal: Calendar, start: datetime, end: datetime, *, pauses: Sequence[Pause] = ()
) -> timedelta:
    """Business time that ran from `start` to `end`, pauses excluded; zero if end <= start."""
    start, end = as_utc(start, "start"), as_utc(end, "end")
    elapsed = ZERO
    if end <= start:
        return elapsed
    for stretch in running(cal, start, pauses):
        if stretch[0] >= end:
            break
        if stretch[1] <= end:
            elapsed += stretch[2]
            continue
        for opens, closes in intervals(cal, stretch):
            if opens >= end:
                break
            elapsed += min(closes, end) - opens
    return elapsed


def paused_time(
    cal: Calendar, start: datetime, end: datetime, *, pauses: Sequence[Pause] = ()
) -> timedelta:
    """Business time between `start` and `end` that the pauses took off the clock."""
    everything = business_time_between(cal, start, end)
    return everything - business_time_between(cal, start, end, pauses=pauses)


def running(cal: Calendar, start: datetime, pauses: Sequence[Pause]) -> Iterator[Stretch]:
    """Stretches of open time from `start` on with the pauses cut out; ends if one never ends."""
    stops, index = merge_pauses(pauses), 0
    for stretch in openings(cal, start):
        while index < len(stops) and stops[index][1] <= stretch[0]:
            index += 1
        if index == len(stops) or stops[index][0] >= stretch[1]:
            yield stretch
            continue
        for span in intervals(cal, stretch):
            pieces, index, stopped = _cut(span, stops, index)
            yield from ((opens, closes, closes - opens) for opens, closes in pieces)
            if stopped:
                return


def _cut(span: Span, stops: list[Span], index: int) -> tuple[list[Span], int, bool]:
    """The parts of `span` outside the pauses, the next pause to look at, and whether one never
    ends (so the clock stops for good)."""
    opens, closes = span
    pieces = []
    while opens < closes:
        while index < len(stops) and stops[index][1] <= opens:
            index += 1
        if index == len(stops) or stops[index][0] >= closes:
            pieces.append((opens, closes))
            break
        paused, resumed = stops[index]
        if paused > opens:
            pieces.append((opens, paused))
        if resumed == FOREVER:
            return pieces, index, True
        opens = resumed
    return pieces, index, False


def merge_pauses(pauses: Sequence[Pause]) -> list[Span]:
    """Pauses as sorted, non-overlapping UTC spans; a pause still open runs to FOREVER."""
    spans = []
    for number, (paused, resumed) in enumerate(pauses):
        paused = as_utc(paused, f"pauses[{number}] start")
        resumed = FOREVER if resumed is None else as_utc(resumed, f"pauses[{number}] end")
        if resumed < paused:
            raise ValueError(f"pauses[{number}] ends before it starts")
        spans.append((paused, resumed))
    merged: list[Span] = []
    for paused, resumed in sorted(spans):
        if merged and paused <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], resumed))
        else:
            merged.append((paused, resumed))
    return merged


def as_utc(moment: datetime, name: str) -> datetime:
    """`moment` in UTC, or ValueError naming the argument `name` when it is naive."""
    if not isinstance(moment, datetime):
        raise ValueError(f"{name} must be a datetime, got {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {moment.isoformat()}")
    # Arithmetic stays in UTC: Python subtracts datetimes sharing a tzinfo by wall clock.
    return moment.astimezone(UTC)
