"""Raw inbound messages, stored byte for byte before anything else happens to them."""

from django.db import models


class RawState(models.TextChoices):
    RECEIVED = "received", "Received, not yet processed"
    PROCESSED = "processed", "Processed"
    FAILED = "failed", "Processing failed"
    QUARANTINED = "quarantined", "Quarantined"


class RawMessage(models.Model):
    channel = models.CharField(max_length=16)
    source = models.CharField(max_length=200, blank=True, help_text="Mailbox or endpoint")
    external_id = models.CharField(max_length=998, blank=True, db_index=True)
    sha256 = models.CharField(max_length=64, unique=True)
    data = models.BinaryField()
    size = models.PositiveBigIntegerField()
    state = models.CharField(max_length=16, choices=RawState.choices, default=RawState.RECEIVED)
    error = models.TextField(blank=True)
    received_at = models.DateTimeField()
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["state", "received_at"], name="raw_state_received")]
