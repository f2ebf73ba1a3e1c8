"""Attainment: the share of service targets met on time, per policy, team or agent, per metric.

A clock counts once it is decided: met (a reply, or the resolution) without a breach, or late
(breached, or past due and still running). Clocks that ended without a reply (solved first)
and clocks still on time are left out. One aggregate query per grouping.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from regard.service.choices import Metric
from regard.service.models import ServiceClock

GROUPINGS = {
    "policy": ("policy_id", "policy__name"),
    "team": ("conversation__team_id", "conversation__team__name"),
    "agent": ("conversation__assignee_id", "conversation__assignee__display_name"),
}


@dataclass(frozen=True)
class Rate:
    met: int
    late: int

    @property
    def decided(self) -> int:
        return self.met + self.late

    @property
    def share(self) -> float | None:
        return self.met / self.decided if self.decided else None


@dataclass(frozen=True)
class Row:
    name: str
    rates: dict[str, Rate]  # metric -> Rate, plus "all"

    @property
    def in_order(self) -> list[Rate]:
        return [self.rates[key] for key in (*Metric.values, "all")]


def _conditions(now) -> tuple[Q, Q]:
    late = Q(breached_at__isnull=False) | Q(stopped_at__isnull=True, due_at__lt=now)
    met = Q(met_at__isnull=False, breached_at__isnull=True)
    return met, late


def _counts(now) -> dict:
    met, late = _conditions(now)
    counts = {"all_met": Count("id", filter=met), "all_late": Count("id", filter=late)}
    for metric in Metric.values:
        counts[f"{metric}_met"] = Count("id", filter=met & Q(metric=metric))
        counts[f"{metric}_late"] = Count("id", filter=late & Q(metric=metric))
    return counts


def _rates(values: dict) -> dict[str, Rate]:
    return {
        key: Rate(values[f"{key}_met"], values[f"{key}_late"]) for key in (*Metric.values, "all")
    }


def clocks_started(start, end):
    return ServiceClock.objects.filter(started_at__gte=start, started_at__lt=end)


def attainment(start, end, now) -> dict:
    """{"overall": Row, "policy": [Row…], "team": [...], "agent": [...]} for clocks started in
    [start, end)."""
    clocks = clocks_started(start, end)
    counts = _counts(now)
    result = {"overall": Row("All", _rates(clocks.aggregate(**counts)))}
    for grouping, (key, name) in GROUPINGS.items():
        rows = clocks.values(key, name).annotate(**counts).order_by(name)
        result[grouping] = [
            Row(row[name] or f"(no {grouping})", _rates(row))
            for row in rows
            if row["all_met"] or row["all_late"]
        ]
    return result
