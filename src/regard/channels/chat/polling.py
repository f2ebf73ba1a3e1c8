"""Without Redis: one database poller per stream process, fanned out to the streams it serves.

Every POLL_SECONDS it asks the database, in two queries for all its streams together, for new
visitor-visible messages in the watched chats and for agents typing in them, and hands each
stream what is its own, in the same shape as a Redis publication (see pubsub.py). So the cost
of the embedded default grows with the messages, not with the number of open streams.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from asgiref.sync import sync_to_async
from django.db import close_old_connections
from django.db.models import Q
from django.utils import timezone

from regard.channels.chat.payloads import VISIBLE, author, message_payload
from regard.channels.chat.pubsub import Listeners

log = logging.getLogger("regard.chat")

POLL_SECONDS = 0.5
TYPING_FRESH = timedelta(seconds=8)
LOOKBACK = timedelta(seconds=5)
BATCH = 500


def _with_fresh_connection(function):
    """Runs in a pool thread: drop a broken or expired connection before and after, as a
    request would."""

    def run(*args):
        close_old_connections()
        try:
            return function(*args)
        finally:
            close_old_connections()

    return run


async def in_pool(function, *args):
    """Database work off the event loop, in the loop's small thread pool: a stream process holds
    no more database connections than that pool has threads, however many streams are open."""
    return await sync_to_async(_with_fresh_connection(function), thread_sensitive=False)(*args)


def latest_message_id() -> int:
    from regard.conversations.models import Message

    return Message.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def changes(session_ids: list[int], after: int) -> tuple[int, list, dict]:
    """(newest message id, [(session id, payload)], {session id: typing author or None})."""
    from regard.channels.chat.models import ChatSession
    from regard.conversations.models import Message, Presence

    newest = latest_message_id()
    chats: dict[int, list[int]] = {}
    for session_id, conversation_id in ChatSession.objects.filter(
        pk__in=session_ids, conversation__isnull=False
    ).values_list("pk", "conversation_id"):
        chats.setdefault(conversation_id, []).append(session_id)
    if not chats:
        return newest, [], {}
    # A message committed late, with an id below one seen already, still turns up (the streams
    # drop what they have sent).
    recent = Q(pk__gt=after) | Q(created_at__gte=timezone.now() - LOOKBACK)
    rows = list(
        Message.objects.filter(recent, conversation_id__in=chats, direction__in=VISIBLE)
        .select_related("author__agent")
        .order_by("pk")[:BATCH]
    )
    if len(rows) == BATCH:
        newest = rows[-1].pk
    messages = [
        (session_id, message_payload(row))
        for row in rows
        for session_id in chats[row.conversation_id]
    ]
    typing: dict[int, dict | None] = {s: None for sessions in chats.values() for s in sessions}
    present = (
        Presence.objects.filter(
            conversation_id__in=chats, typing=True, seen_at__gte=timezone.now() - TYPING_FRESH
        )
        .select_related("agent")
        .order_by("seen_at")
    )
    for presence in present:
        for session_id in chats[presence.conversation_id]:
            typing[session_id] = author(presence.agent)
    return newest, messages, typing


class Poller(Listeners):
    """The database's answer to pubsub.Hub: same listen/leave, same events."""

    def __init__(self):
        super().__init__()
        self.typing: dict[int, dict | None] = {}
        self.after: int | None = None
        self.task = asyncio.get_running_loop().create_task(self._run())

    def forget(self, session_id: int) -> None:
        self.typing.pop(session_id, None)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(POLL_SECONDS)
            try:
                await self._poll()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("chat poll failed; trying again", exc_info=True)

    async def _poll(self) -> None:
        if not self.listeners:
            self.after = None  # a stream that opens reads what it missed itself
            return
        if self.after is None:
            self.after = await in_pool(latest_message_id)
        newest, messages, typing = await in_pool(changes, list(self.listeners), self.after)
        self.after = max(self.after, newest)
        for session_id, payload in messages:
            self._deliver(session_id, {"event": "message", "data": payload, "id": payload["id"]})
        for session_id, who in typing.items():
            if self.typing.get(session_id) != who:
                self.typing[session_id] = who
                data = {"typing": who is not None, "author": who}
                self._deliver(session_id, {"event": "typing", "data": data})


_pollers: dict[asyncio.AbstractEventLoop, Poller] = {}


def poller() -> Poller:
    """This event loop's poller, started on first use."""
    loop = asyncio.get_running_loop()
    current = _pollers.get(loop)
    if current is None or current.task.done():
        current = _pollers[loop] = Poller()
    return current
