"""What other apps do when a conversation changes: explicit calls, not signals.

The actions in `conversations.actions` call these inside their transaction, after the change
and its Event are written. Each app adds its own call here, so the whole chain of consequences
of an inbound message or a reply can be read in one place.
"""

from __future__ import annotations


def conversation_opened(conversation, *, new_customer: bool = False) -> None:
    """A new conversation exists (its first message may not be stored yet); `new_customer`: its
    customer was created in the same transaction."""
    from regard.service.routing import route_arrival  # who answers depends on who they are

    route_arrival(conversation, at=conversation.created_at, opened=True, new_customer=new_customer)


def message_received(message, *, opened: bool = False) -> None:
    """A customer's message has joined its conversation (emotion and upset already set);
    `opened`: the conversation was opened for it just now."""
    from regard.service import actions as service  # routed at opening: team decides the policy

    service.on_message_received(message, opened=opened)
    from regard.incidents.suggestions import consider_message  # one query while none is open

    consider_message(message)
    from regard.loyalty.kudos import record_kudos  # a regex first; the database only on praise

    record_kudos(message)


def reply_sent(message) -> None:
    """An agent's reply is stored and queued for delivery."""
    from regard.service import actions as service

    service.on_reply_sent(message)
    if message.channel == "chat":
        from regard.channels.chat.delivery import publish_on_commit  # the visitor sees it at once

        publish_on_commit(message)


def status_changed(conversation, previous: str, status: str, at) -> None:
    """The conversation went from `previous` to `status` (not saved yet: the caller saves)."""
    from regard.service import actions as service

    service.on_status_changed(conversation, previous, status, at)
    from regard.loyalty.surveys import after_solve  # enqueues the survey after commit

    after_solve(conversation, status)
