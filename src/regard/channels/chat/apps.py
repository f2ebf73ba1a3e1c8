from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "regard.channels.chat"
    label = "chat"
    verbose_name = "Chat"
