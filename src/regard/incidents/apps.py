from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "regard.incidents"
    label = "incidents"

    def ready(self):
        from regard.conversations.models import register_event_labels
        from regard.incidents.choices import IncidentEvent

        register_event_labels(IncidentEvent)
