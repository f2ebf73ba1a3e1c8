from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "regard.conversations"
    label = "conversations"
