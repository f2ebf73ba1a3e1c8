"""A chat visitor's session: who is typing in the widget, and the conversation they opened."""

import secrets

from django.db import models


def new_nonce() -> str:
    return secrets.token_hex(16)


class ChatSession(models.Model):
    """Passing state, not exported: the conversation and its messages are what lasts."""

    nonce = models.CharField(max_length=32, default=new_nonce, help_text="Revoked by replacing")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="chat_sessions"
    )
    identity = models.ForeignKey(
        "customers.Identity",
        on_delete=models.CASCADE,
        related_name="chat_sessions",
        help_text="Their e-mail identity when known, else a chat handle",
    )
    conversation = models.ForeignKey(
        "conversations.Conversation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chat_sessions",
        help_text="Empty until their first message",
    )
    name = models.CharField(max_length=200, blank=True)
    known = models.BooleanField(default=False, help_text="Signed in on the host site")
    typing_at = models.DateTimeField(null=True, blank=True, help_text="Visitor typing since")
    created_at = models.DateTimeField()
    last_seen = models.DateTimeField()

    def __str__(self) -> str:
        return f"chat {self.pk} ({self.name or 'visitor'})"
