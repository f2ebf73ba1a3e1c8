from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "regard.demo"
    label = "demo"
