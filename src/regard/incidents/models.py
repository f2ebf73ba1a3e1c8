"""An incident touches many customers at once: who is affected, who speaks to them, what was
sent, and to whom each update was delivered."""

from django.conf import settings
from django.db import models

from regard.incidents.choices import (
    DeliveryState,
    IncidentStatus,
    LinkedBy,
    Severity,
    SuggestionState,
)
from regard.incidents.querysets import IncidentQuerySet


class Incident(models.Model):
    title = models.CharField(max_length=200)
    public_text = models.TextField(
        help_text="What customers see: plain words, active voice", blank=True
    )
    internal_notes = models.TextField(blank=True)
    status = models.CharField(
        max_length=16, choices=IncidentStatus.choices, default=IncidentStatus.INVESTIGATING
    )
    severity = models.PositiveSmallIntegerField(choices=Severity.choices, default=Severity.MAJOR)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    owner = models.ForeignKey(
        "accounts.Agent", on_delete=models.PROTECT, related_name="owned_incidents"
    )
    next_update_due_at = models.DateTimeField(
        null=True, blank=True, help_text="Promised to every affected customer"
    )
    # Words that characterise the incident, with weights, for suggesting related messages.
    profile = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["status"], name="incident_status")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status != IncidentStatus.RESOLVED


class AffectedCustomer(models.Model):
    """One customer touched by the incident, the conversation updates go to, and their concierge."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="affected")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="incident_links"
    )
    conversation = models.ForeignKey(
        "conversations.Conversation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="incident_links",
        help_text="Where their updates go; opened at the first update when empty",
    )
    linked_by = models.CharField(max_length=16, choices=LinkedBy.choices, default=LinkedBy.HAND)
    source = models.CharField(
        max_length=300, blank=True, help_text="The search or organization that linked them"
    )
    note = models.TextField(blank=True, help_text="What it means for them, in their update")
    concierge = models.ForeignKey(
        "accounts.Agent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="incident_customers",
    )
    muted = models.BooleanField(default=False, help_text="Asked for no updates on this incident")
    thank_you_draft = models.TextField(blank=True)
    linked_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "customer"], name="incident_customer_once")
        ]


class GroupConcierge(models.Model):
    """The agent who speaks for the incident to everyone of one organization."""

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="group_concierges"
    )
    organization = models.ForeignKey(
        "customers.Organization", on_delete=models.CASCADE, related_name="+"
    )
    agent = models.ForeignKey("accounts.Agent", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "organization"], name="incident_group_concierge_once"
            )
        ]


class LinkSuggestion(models.Model):
    """An inbound message that looks like the incident; an agent confirms or dismisses it."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="suggestions")
    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="+"
    )
    message = models.ForeignKey(
        "conversations.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    score = models.FloatField()
    words = models.JSONField(default=list, help_text="The shared words behind the score")
    state = models.CharField(
        max_length=16, choices=SuggestionState.choices, default=SuggestionState.PENDING
    )
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "conversation"], name="incident_suggestion_once"
            )
        ]


class IncidentUpdate(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="updates")
    text = models.TextField()
    status = models.CharField(max_length=16, choices=IncidentStatus.choices)
    next_update_due_at = models.DateTimeField(null=True, blank=True)
    closing = models.BooleanField(default=False)
    recipients = models.PositiveIntegerField(default=0)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]


class UpdateDelivery(models.Model):
    """One update to one customer; unique per pair, so nobody gets an update twice."""

    update = models.ForeignKey(IncidentUpdate, on_delete=models.CASCADE, related_name="deliveries")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    affected = models.ForeignKey(
        AffectedCustomer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.ForeignKey(
        "conversations.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    mail_id = models.CharField(max_length=255, help_text="Stable Message-ID of the mail")
    state = models.CharField(
        max_length=16, choices=DeliveryState.choices, default=DeliveryState.QUEUED
    )
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=32, blank=True, help_text="The worker's claim token")
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["update", "customer"], name="update_delivery_once")
        ]
        indexes = [models.Index(fields=["state", "claimed_at"], name="delivery_state_claimed")]
