from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "regard.web"
    label = "web"
