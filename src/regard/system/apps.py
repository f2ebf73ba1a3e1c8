from django.apps import AppConfig


class SystemConfig(AppConfig):
    name = "regard.system"
    label = "system"
