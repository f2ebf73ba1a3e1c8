"""The stable codes of the events the portal records on the customer's timeline."""

from django.db import models


class PortalEvent(models.TextChoices):
    LINK_REQUESTED = "portal.link_requested", "Asked for a portal sign-in link"
    SIGNED_IN = "portal.signed_in", "Signed in to the portal"
    SIGNED_OUT = "portal.signed_out", "Signed out of the portal"
