from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "regard.incidents"
    label = "incidents"
