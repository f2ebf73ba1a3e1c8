"""What other apps do when a conversation changes: explicit calls, not signals.

The actions in `conversations.actions` call these inside their transaction, after the change
and its Event are written. Each app adds its own call here, so the whole chain of consequences
of an inbound message or a reply can be read in one place.
"""

from __future__ import annotations


def conversation_opened(conversation) -> None:
    """A new conversation exists (its first message may not be stored yet)."""


def message_received(message) -> None:
    """A customer's message has joined its conversation (emotion and upset already set)."""


def reply_sent(message) -> None:
    """An agent's reply is stored and queued for delivery."""


def status_changed(conversation, previous: str, status: str, at) -> None:
    """The conversation went from `previous` to `status` (not saved yet: the caller saves)."""
