"""Named queries over commitments."""

from __future__ import annotations

from django.db import models
from django.db.models import Count, Q


class CommitmentQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state="open")

    def overdue(self, now):
        return self.filter(state="open", due_at__lt=now)

    def due_within(self, now, delta):
        return self.filter(state="open", due_at__gte=now, due_at__lt=now + delta)

    def follow_through(self, group_by: str | None = None):
        """Kept / (kept + broken), overall or per `group_by` (e.g. "agent", "agent__teams")."""
        counts = {
            "kept": Count("id", filter=Q(state="kept")),
            "broken": Count("id", filter=Q(state="broken")),
        }
        if group_by is None:
            row = self.aggregate(**counts)
            return _rate(row)
        rows = self.values(group_by).annotate(**counts).order_by(group_by)
        return {row[group_by]: _rate(row) for row in rows}


def _rate(row) -> float | None:
    decided = row["kept"] + row["broken"]
    return round(row["kept"] / decided, 3) if decided else None
