from django.apps import AppConfig


class LoyaltyConfig(AppConfig):
    name = "regard.loyalty"
    label = "loyalty"
