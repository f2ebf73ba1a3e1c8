from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "regard.portal"
    label = "portal"
