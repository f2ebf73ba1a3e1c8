"""The date range a figures page covers, read from `?from=YYYY-MM-DD&to=YYYY-MM-DD`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def since(self) -> datetime:
        """The first instant of `start`, in the current time zone."""
        return datetime.combine(self.start, time.min, timezone.get_current_timezone())

    @property
    def until(self) -> datetime:
        """The first instant after `end` (exclusive bound)."""
        following = self.end + timedelta(days=1)
        return datetime.combine(following, time.min, timezone.get_current_timezone())


def _day(value: str | None, fallback: date) -> date:
    try:
        return date.fromisoformat(value) if value else fallback
    except ValueError:
        return fallback


def period_from_query(query, days: int = 30) -> Period:
    """The range asked for; the last `days` days by default; swapped ends put right."""
    today = timezone.localdate()
    start = _day(query.get("from"), today - timedelta(days=days))
    end = _day(query.get("to"), today)
    return Period(*sorted((start, end)))
