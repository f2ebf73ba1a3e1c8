"""API tokens: what an integration presents instead of an agent's password."""

from django.db import models


class ApiToken(models.Model):
    """One token of one agent. Only a digest of its secret is kept: the token is shown once."""

    agent = models.ForeignKey("accounts.Agent", on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(max_length=120, help_text="What it is for, e.g. 'Shop integration'")
    key_id = models.CharField(max_length=16, unique=True, help_text="Public part, to find it")
    digest = models.CharField(max_length=64, help_text="SHA-256 of the secret part")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_id})"
