"""Operational records admins need to see: tasks that failed for good."""

from django.db import models


class FailedTask(models.Model):
    """A background task that failed on every attempt, kept until someone retries it."""

    task_path = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    attempts = models.PositiveIntegerField()
    error = models.TextField()
    failed_at = models.DateTimeField()
    retried_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-failed_at"]

    def __str__(self) -> str:
        return f"{self.task_path} failed after {self.attempts} attempts"


class RateCounter(models.Model):
    """Hits on one rate-limited key in one time window (used when there is no Redis)."""

    key = models.CharField(max_length=64, help_text="SHA-256 of scope and key: no address kept")
    window = models.BigIntegerField(help_text="Start of the window, in seconds since the epoch")
    hits = models.PositiveIntegerField(default=0)
    expires = models.BigIntegerField(db_index=True, help_text="End of the window")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window"], name="ratecounter_key_window")
        ]

    def __str__(self) -> str:
        return f"{self.key[:8]}… {self.hits} hits"
