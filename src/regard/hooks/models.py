"""Outbound webhooks: where admins want Regard's events sent, and every delivery made."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone

from regard.hooks.choices import DeliveryState
from regard.hooks.dispatch import forget_active_webhooks


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class Webhook(models.Model):
    """One receiver. Deliveries are signed with its secret, so the receiver can trust them."""

    name = models.CharField(max_length=120, help_text="What it is for, e.g. 'CRM sync'")
    url = models.URLField(max_length=500, help_text="https:// address that receives a POST")
    events = models.JSONField(
        default=list,
        blank=True,
        help_text='Event kinds to send, e.g. ["conversation.opened"]; empty: every event',
    )
    secret = models.CharField(max_length=64, default=new_secret, editable=False)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        forget_active_webhooks()

    def delete(self, *args, **kwargs):
        deleted = super().delete(*args, **kwargs)
        forget_active_webhooks()
        return deleted

    def wants(self, kind: str) -> bool:
        return not self.events or kind in self.events


class WebhookDelivery(models.Model):
    """One event sent (or being sent) to one webhook, kept so admins see what left Regard."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    kind = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
    state = models.CharField(
        max_length=16, choices=DeliveryState.choices, default=DeliveryState.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.kind} to {self.webhook}"
