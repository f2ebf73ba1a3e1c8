"""Telling open streams that something happened: Redis pub/sub when REDIS_URL is set.

Without Redis, `publish` does nothing: a poller reads the database instead (see polling.py).
Each publication carries the whole event, so a stream forwards it without reading the database.
Each stream process holds ONE Redis subscription (a pattern over every chat channel) and fans the
publications out to the streams it serves, so 1,000 streams cost one Redis connection, not 1,000.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from functools import cache

from django.conf import settings

from regard.system.redis_client import redis_client

log = logging.getLogger("regard.chat")

PREFIX = "regard:chat:"
RESYNC = {"event": "resync"}  # the subscription was lost for a moment: read the database again


@cache
def prefix(url: str) -> str:
    """Channels are global to a Redis server, but session ids belong to one installation: the
    database number of REDIS_URL and a digest of the secret key keep installations apart."""
    import redis
    from django.utils.crypto import salted_hmac

    database = redis.connection.parse_url(url).get("db", 0)
    installation = salted_hmac("regard.chat.channel", "").hexdigest()[:12]
    return f"{PREFIX}{database}:{installation}:"


def channel(session_id: int, url: str | None = None) -> str:
    return f"{prefix(url or settings.REDIS_URL)}{session_id}"


def publish(session_id: int, event: str, data: dict, *, event_id: int | None = None) -> None:
    """Hand `event` to the streams of chat session `session_id` (in any process)."""
    if not settings.REDIS_URL:
        return
    body = json.dumps({"event": event, "data": data, "id": event_id})
    try:
        redis_client(settings.REDIS_URL).publish(channel(session_id, settings.REDIS_URL), body)
    except Exception:  # a lost notification costs latency, not data: the stream catches up
        log.warning("could not publish a chat %s event", event, exc_info=True)


class Listeners:
    """The open streams of one process by chat session, each an asyncio queue to fill."""

    def __init__(self):
        self.listeners: dict[int, set[asyncio.Queue]] = {}

    def listen(self, session_id: int) -> asyncio.Queue:
        queue: asyncio.Queue = asyncio.Queue(maxsize=1000)
        self.listeners.setdefault(session_id, set()).add(queue)
        return queue

    def leave(self, session_id: int, queue: asyncio.Queue) -> None:
        queues = self.listeners.get(session_id)
        if queues is not None:
            queues.discard(queue)
            if not queues:
                del self.listeners[session_id]
                self.forget(session_id)

    def forget(self, session_id: int) -> None:
        """The session's last stream closed (for what a subclass keeps per session)."""

    def _deliver(self, session_id: int, event: dict) -> None:
        for queue in self.listeners.get(session_id, ()):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:  # a stuck stream: it reads the database when it wakes
                while not queue.empty():
                    queue.get_nowait()
                queue.put_nowait(RESYNC)


class Hub(Listeners):
    """One Redis pattern subscription per event loop, fanned out to asyncio queues per session."""

    def __init__(self, url: str):
        super().__init__()
        self.url = url
        self.ready = asyncio.Event()
        self.task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        import redis.asyncio as aioredis

        lost = False
        while True:
            client = aioredis.Redis.from_url(self.url)
            try:
                async with client.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.psubscribe(f"{prefix(self.url)}*")
                    self.ready.set()
                    if lost:  # what was published meanwhile is in the database
                        self._deliver_all(RESYNC)
                    async for item in pubsub.listen():
                        self._dispatch(item)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("chat subscription lost; reconnecting", exc_info=True)
            finally:
                self.ready.clear()
                with contextlib.suppress(Exception):
                    await client.aclose()
            lost = True
            await asyncio.sleep(1)

    def _deliver_all(self, event: dict) -> None:
        for session_id in list(self.listeners):
            self._deliver(session_id, event)

    def _dispatch(self, item: dict) -> None:
        if item.get("type") != "pmessage":
            return
        name = item["channel"].decode() if isinstance(item["channel"], bytes) else item["channel"]
        try:
            session_id = int(name[len(prefix(self.url)) :])
            event = json.loads(item["data"])
        except (ValueError, TypeError):
            return
        if isinstance(event, dict) and session_id in self.listeners:
            self._deliver(session_id, event)


_hubs: dict[asyncio.AbstractEventLoop, Hub] = {}


async def hub():
    """This event loop's hub (started on first use): Redis, else the database poller."""
    if not settings.REDIS_URL:
        from regard.channels.chat.polling import poller

        return poller()
    loop = asyncio.get_running_loop()
    current = _hubs.get(loop)
    if current is None or current.url != settings.REDIS_URL or current.task.done():
        current = _hubs[loop] = Hub(settings.REDIS_URL)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(current.ready.wait(), timeout=2)
    return current
