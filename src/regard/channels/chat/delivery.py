"""Chat replies reach the visitor's stream instead of a mailbox."""

from __future__ import annotations

from django.db import transaction

from regard.channels.chat.models import ChatSession
from regard.channels.chat.payloads import author, message_payload
from regard.channels.chat.pubsub import publish


def sessions_of(conversation_id: int) -> list[int]:
    return list(
        ChatSession.objects.filter(conversation_id=conversation_id).values_list("pk", flat=True)
    )


def publish_message(message) -> None:
    """Every stream of the conversation's chat gets the message (streams drop repeats by id)."""
    payload = message_payload(message)
    for session_id in sessions_of(message.conversation_id):
        publish(session_id, "message", payload, event_id=message.pk)


def publish_on_commit(message) -> None:
    """From `hooks.reply_sent`: the stream hears of the reply as soon as it is saved, not when
    the delivery task runs."""
    transaction.on_commit(lambda: publish_message(message))


def deliver_to_stream(message) -> None:
    """`conversations.delivery.deliver` for a chat: no e-mail; the stream shows the reply.

    Without Redis the stream polls the database and finds the stored message itself."""
    publish_message(message)


def publish_agent_typing(agent, conversation, typing: bool) -> None:
    """The agent typing in a chat conversation (from the workspace's presence heartbeat)."""
    from django.conf import settings

    if not settings.REDIS_URL or conversation.channel != "chat":
        return
    data = {"typing": typing, "author": author(agent)}
    for session_id in sessions_of(conversation.pk):
        publish(session_id, "typing", data)
