from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "regard.channels"
    label = "channels"
