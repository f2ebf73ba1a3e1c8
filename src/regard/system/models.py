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
