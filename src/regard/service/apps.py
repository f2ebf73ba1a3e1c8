from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "regard.service"
    label = "service"
