"""Incident statuses and severities, how a customer came to be linked, delivery states, and the
stable codes of the events incidents record."""

from django.db import models


class IncidentStatus(models.TextChoices):
    INVESTIGATING = "investigating", "Investigating"
    IDENTIFIED = "identified", "Identified"
    MONITORING = "monitoring", "Monitoring"
    RESOLVED = "resolved", "Resolved"


OPEN_STATUSES = (IncidentStatus.INVESTIGATING, IncidentStatus.IDENTIFIED, IncidentStatus.MONITORING)


class Severity(models.IntegerChoices):
    MINOR = 1, "Minor"
    MAJOR = 2, "Major"
    CRITICAL = 3, "Critical"


class LinkedBy(models.TextChoices):
    HAND = "hand", "By hand"
    SEARCH = "search", "Saved search"
    ORGANIZATION = "organization", "Organization"
    SUGGESTION = "suggestion", "Suggestion"


class SuggestionState(models.TextChoices):
    PENDING = "pending", "To confirm"
    CONFIRMED = "confirmed", "Confirmed"
    DISMISSED = "dismissed", "Dismissed"


class DeliveryState(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class IncidentEvent(models.TextChoices):
    DECLARED = "incident.declared", "Incident declared"
    EDITED = "incident.edited", "Incident edited"
    STATUS = "incident.status", "Incident status changed"
    LINKED = "incident.linked", "Linked to an incident"
    UNLINKED = "incident.unlinked", "Unlinked from an incident"
    SUGGESTED = "incident.suggested", "Looks related to an incident"
    SUGGESTION_DISMISSED = "incident.suggestion_dismissed", "Incident suggestion dismissed"
    CONCIERGE = "incident.concierge", "Incident concierge assigned"
    UPDATE_QUEUED = "incident.update_queued", "Incident update queued"
    UPDATE_SENT = "incident.update_sent", "Incident update sent"
    UPDATE_FAILED = "incident.update_failed", "Incident update failed"
    UPDATE_OVERDUE = "incident.update_overdue", "Incident update overdue"
    MUTED = "incident.muted", "Asked for no incident updates"
    RESOLVED = "incident.resolved", "Incident resolved"
