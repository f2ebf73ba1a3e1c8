"""A promise an agent made to a customer, tracked until it is kept."""

from django.db import models

from regard.commitments.choices import State
from regard.commitments.querysets import CommitmentQuerySet


class Commitment(models.Model):
    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="commitments"
    )
    message = models.ForeignKey(
        "conversations.Message",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commitments",
    )
    agent = models.ForeignKey(
        "accounts.Agent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commitments",
    )
    text = models.TextField(help_text="The promise as written")
    start = models.PositiveIntegerField(default=0)
    end = models.PositiveIntegerField(default=0)
    due_at = models.DateTimeField()
    has_timeline = models.BooleanField(default=True, help_text="False: the reply gave no time")
    state = models.CharField(max_length=16, choices=State.choices, default=State.OPEN)
    kept_how = models.TextField(blank=True)
    maybe_kept_by = models.ForeignKey(
        "conversations.Message",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="A later reply that looks like it keeps this promise",
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["state", "due_at"], name="commitment_state_due")]

    def __str__(self) -> str:
        return self.text
