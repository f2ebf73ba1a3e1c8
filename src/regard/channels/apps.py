from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "regard.channels"
    label = "channels"

    def ready(self):
        # anymail hands inbound webhook mail over as a signal; this is the adapter's only entry.
        from anymail.signals import inbound

        from regard.channels.webhooks import receive_inbound

        inbound.connect(receive_inbound, dispatch_uid="regard-inbound-mail")
        from regard.channels.web.choices import WebFormEvent
        from regard.conversations.models import register_event_labels

        register_event_labels(WebFormEvent)
