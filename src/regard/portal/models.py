"""One magic sign-in link: the signed token in the e-mail names this row, which makes it single
use (`used_at`). Links are passing state: they last minutes and are not exported."""

import secrets

from django.db import models


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


class PortalLink(models.Model):
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="portal_links"
    )
    identity = models.ForeignKey(
        "customers.Identity", on_delete=models.CASCADE, related_name="portal_links"
    )
    nonce = models.CharField(max_length=32, default=new_nonce)
    requested_ip_hash = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the requesting address, never the address"
    )
    created_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
