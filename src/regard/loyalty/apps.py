from django.apps import AppConfig


class LoyaltyConfig(AppConfig):
    name = "regard.loyalty"
    label = "loyalty"

    def ready(self):
        from regard.conversations.models import register_event_labels
        from regard.loyalty.choices import LoyaltyEvent

        register_event_labels(LoyaltyEvent)
