"""The customer portal."""

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "regard.portal"
    label = "portal"

    def ready(self):
        from regard.conversations.models import register_event_labels
        from regard.portal.choices import PortalEvent

        register_event_labels(PortalEvent)
