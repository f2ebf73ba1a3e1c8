"""Live chat: the embeddable widget, its streams, and chats as conversations."""

from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "regard.channels.chat"
    label = "chat"
    verbose_name = "Chat"

    def ready(self):
        from regard.channels.chat.choices import ChatEvent
        from regard.conversations.models import register_event_labels

        register_event_labels(ChatEvent)
