"""Timeline events of the chat channel."""

from django.db import models


class ChatEvent(models.TextChoices):
    STARTED = "chat.started", "Chat started"
    OFFLINE_MESSAGE = "chat.offline", "Chat left as an e-mail (nobody was online)"
    TRANSCRIPT_SENT = "chat.transcript", "Chat transcript e-mailed"
