"""Opening hours as admins type them ("09:00-12:00, 13:00-17:00") and back."""

from __future__ import annotations

import re
from datetime import time

SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–—]\s*(\d{1,2}):(\d{2})\s*$")


def parse_day(text: str) -> list[tuple[time, time]]:
    """Intervals of one day; empty text means closed, `24:00` the midnight ending the day."""
    spans = []
    for part in (text or "").split(","):
        if not part.strip():
            continue
        match = SPAN.match(part)
        if not match:
            raise ValueError(f"{part.strip()!r} is not like 09:00-17:00")
        hours = [int(n) for n in match.groups()]
        spans.append((_wall(hours[0], hours[1], part), _wall(hours[2], hours[3], part)))
    return spans


def _wall(hour: int, minute: int, part: str) -> time:
    if (hour, minute) == (24, 0):
        return time(0)
    if hour > 23 or minute > 59:
        raise ValueError(f"{part.strip()!r} has a time that does not exist")
    return time(hour, minute)


def format_day(spans) -> str:
    """The intervals of one day as text; the closing midnight is written 24:00."""
    return ", ".join(
        f"{opens:%H:%M}-{'24:00' if closes == time(0) else f'{closes:%H:%M}'}"
        for opens, closes in spans
    )
