from django.apps import AppConfig


class HooksConfig(AppConfig):
    name = "regard.hooks"
    label = "hooks"
    verbose_name = "Webhooks"
