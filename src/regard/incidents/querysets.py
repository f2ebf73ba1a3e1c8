"""Named queries over incidents."""

from django.db import models

from regard.incidents.choices import OPEN_STATUSES


class IncidentQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, now):
        """Open incidents whose promised next update time has passed."""
        return self.open().filter(next_update_due_at__lt=now)
