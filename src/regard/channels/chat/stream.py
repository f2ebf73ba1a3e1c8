"""The visitor's event stream (served by the ASGI process): messages both ways, agent typing.

An async view, so one uvicorn process holds a thousand open streams on one event loop. Each
stream waits on a queue fed by its process's one hub: the shared Redis subscription with
REDIS_URL (pubsub.Hub), else the shared database poller (polling.Poller). A stream itself reads
the database only when it opens (to catch up), after a lost subscription, and, with Redis, once
every CHECK_SECONDS of quiet in case a publication was lost.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from datetime import UTC, datetime

from django.conf import settings
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse

from regard.channels.chat import pubsub
from regard.channels.chat.cors import add_cors
from regard.channels.chat.models import ChatSession
from regard.channels.chat.payloads import messages_after
from regard.channels.chat.polling import in_pool
from regard.channels.chat.tokens import BadVisitorToken, read_visitor_token

KEEPALIVE_SECONDS = 15.0
STREAM_SECONDS = 300.0  # then the browser's EventSource reconnects, with Last-Event-ID
RETRY_MS = 1000
# With Redis, a quiet stream still reads the database this often, in case a publication was
# lost (Redis unreachable for a moment from the web process): late, but never missing.
CHECK_SECONDS = 10.0
LATE_SECONDS = 3.0
log = logging.getLogger("regard.chat")


def _older_than(payload: dict, seconds: float) -> bool:
    at = datetime.fromisoformat(payload["at"])
    return (datetime.now(UTC) - at).total_seconds() > seconds


def _session_exists(session_id: int, nonce: str) -> bool:
    return ChatSession.objects.filter(pk=session_id, nonce=nonce).exists()


def event(kind: str, data: dict, event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {kind}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def _last_id(request) -> int | None:
    value = request.headers.get("Last-Event-ID") or request.GET.get("after") or "0"
    return int(value) if value.isdigit() else None


async def stream(request):
    if request.method == "OPTIONS":
        return add_cors(request, HttpResponse(status=204), "GET, OPTIONS")
    if request.method != "GET":
        return add_cors(request, JsonResponse({"error": "use GET"}, status=405), "GET, OPTIONS")
    after = _last_id(request)
    try:
        session_id, nonce = read_visitor_token(request.GET.get("token", ""))
    except BadVisitorToken as exc:
        return add_cors(request, JsonResponse({"error": str(exc)}, status=401))
    if after is None:
        return add_cors(request, JsonResponse({"error": "after must be a message id"}, status=400))
    if not await in_pool(_session_exists, session_id, nonce):
        error = {"error": "this chat has ended; start a new chat"}
        return add_cors(request, JsonResponse(error, status=401))
    response = StreamingHttpResponse(_events(session_id, after), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # let a proxy pass each event through at once
    return add_cors(request, response, "GET, OPTIONS")


async def _events(session_id: int, after: int):
    hub = await pubsub.hub()
    queue = hub.listen(session_id)  # before reading the database: nothing falls in between
    try:
        yield f"retry: {RETRY_MS}\n\n" + event("ready", {})
        state = _State(after)
        chunk = "".join(state.message(p) for p in await in_pool(messages_after, session_id, after))
        if chunk:
            yield chunk
        async for chunk in _from_queue(queue, session_id, state):
            yield chunk
    finally:
        hub.leave(session_id, queue)


class _State:
    """What this stream has sent: messages by id (a publication and a database read may both
    bring the same one) and the last typing state."""

    def __init__(self, after: int):
        self.after = after
        self.last = after
        self.sent: set[int] = set()
        self.typing: dict | None = None

    def message(self, payload: dict) -> str:
        if payload["id"] <= self.after or payload["id"] in self.sent:
            return ""
        self.sent.add(payload["id"])
        self.last = max(self.last, payload["id"])
        return event("message", payload, payload["id"])

    def typing_changed(self, who: dict | None) -> str:
        if who == self.typing:
            return ""
        previous, self.typing = self.typing, who
        return event("typing", {"typing": who is not None, "author": who or previous})


async def _from_queue(queue: asyncio.Queue, session_id: int, state: _State):
    now = quiet_since = time.monotonic()
    deadline = now + STREAM_SECONDS
    check_at = now + CHECK_SECONDS if settings.REDIS_URL else float("inf")
    while (now := time.monotonic()) < deadline:
        wait = min(deadline, check_at, quiet_since + KEEPALIVE_SECONDS) - now
        try:
            item = await asyncio.wait_for(queue.get(), timeout=max(0.0, wait))
        except TimeoutError:
            item = None
        now = time.monotonic()
        if item is None and now >= check_at:
            check_at = now + CHECK_SECONDS
            item = {"event": "check"}
        chunk = await _handle(item, session_id, state) if item is not None else ""
        if not chunk and now - quiet_since >= KEEPALIVE_SECONDS:
            chunk = ": keep-alive\n\n"
        if chunk:
            quiet_since = now
            yield chunk


async def _handle(item: dict, session_id: int, state: _State) -> str:
    kind, data = item.get("event"), item.get("data")
    if kind == "message" and isinstance(data, dict) and isinstance(data.get("id"), int):
        return state.message(data)
    if kind == "typing" and isinstance(data, dict):
        return state.typing_changed(data.get("author") if data.get("typing") else None)
    if kind in ("resync", "check"):
        payloads = await in_pool(messages_after, session_id, state.last)
        chunk = "".join(state.message(payload) for payload in payloads)
        if kind == "check" and any(_older_than(p, LATE_SECONDS) for p in payloads):
            # (a younger one may simply be between its commit and its publication)
            log.warning("chat stream %s: pub/sub missed a message", session_id)
        return chunk
    return ""
