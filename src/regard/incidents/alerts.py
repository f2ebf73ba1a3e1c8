"""The promise of a next update, tracked like a commitment: when it passes, the owner hears."""

from __future__ import annotations

from django.urls import reverse

from regard.accounts.notifications import notify
from regard.conversations.events import record_event
from regard.incidents.choices import IncidentEvent
from regard.incidents.models import Incident


def alert_overdue_updates(now) -> int:
    """Notify each open incident's owner once per promised time that passed; returns how many."""
    alerted = 0
    for incident in Incident.objects.overdue(now).select_related("owner"):
        due = incident.next_update_due_at
        notification = notify(
            incident.owner,
            "incident_update_overdue",
            f"The next update on “{incident.title}” was due at {due:%H:%M} UTC: "
            "affected customers are waiting for it.",
            key=f"incident:{incident.pk}:update_due:{due.isoformat()}",
            url=reverse("incidents:compose", kwargs={"incident_id": incident.pk}),
            at=now,
        )
        if notification is not None:
            record_event(
                IncidentEvent.UPDATE_OVERDUE,
                at=now,
                incident_id=incident.pk,
                incident=incident.title,
                due_at=due.isoformat(),
                owner=incident.owner.display_name,
            )
            alerted += 1
    return alerted
