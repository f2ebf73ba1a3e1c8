"""Live updates over server-sent events: what changed in the conversations an agent may see.

Each stream lives a short while and ends; the browser's EventSource reconnects on its own and
sends `Last-Event-ID`, so nothing is missed in between. Events come from the timeline (the
Event table), polled every POLL_SECONDS with one indexed query: no extra broker needed, the same
on SQLite and PostgreSQL.

The stream is served where it costs least. On the ASGI stream process (`regard serve` starts it
on the next port and tells the pages, `REGARD_AGENT_STREAM_PORT`) it waits without holding a
thread, so the web workers need only one thread each and never share the interpreter with a
sleeping stream. Served by the web workers themselves (no stream process), it holds one of their
threads while it is open.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from urllib.parse import urlsplit

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET

from regard.channels.chat.polling import in_pool
from regard.conversations.access import agent_of, conversations_for
from regard.conversations.choices import EventKind
from regard.conversations.models import Event

LIVE_KINDS = (
    EventKind.CONVERSATION_OPENED,
    EventKind.MESSAGE_RECEIVED,
    EventKind.REPLY_SENT,
    EventKind.NOTE_ADDED,
    EventKind.ASSIGNED,
    EventKind.STATUS_CHANGED,
    "conversation.routed",
)
POLL_SECONDS = 2.0
STREAM_SECONDS = 30.0
RETRY_MS = 2000
BATCH = 50


async def stream(request):
    """The agent's stream; the pages may open it from another port of their host (the stream
    process's), so it answers their origin's preflight and lets it send the session cookie."""
    if request.method == "OPTIONS":  # a preflight carries no cookie: nothing to log in
        return _allow_page_origin(request, HttpResponse(status=204))
    return _allow_page_origin(request, await _stream(request))


@login_required
@require_GET
async def _stream(request):
    user = await request.auser()
    await sync_to_async(agent_of)(user)  # agents only
    since = _last_id(request)
    if isinstance(request, ASGIRequest):
        events = _waiting_events(user, since, STREAM_SECONDS)
    else:
        events = _events(user, since, STREAM_SECONDS)
    response = StreamingHttpResponse(events, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # let a proxy pass each event through at once
    return response


def stream_origin(request) -> str | None:
    """Where this request's page reaches the stream process: its own host at
    `REGARD_AGENT_STREAM_PORT`; None when the web address serves the stream itself."""
    port = settings.AGENT_STREAM_PORT
    if not port:
        return None
    host = urlsplit(f"//{request.get_host()}").hostname or "127.0.0.1"
    host = f"[{host}]" if ":" in host else host
    return f"{request.scheme}://{host}:{port}"


def _allow_page_origin(request, response):
    """Credentials for the pages of this host on any port (the web app beside this process),
    and for the configured address; never for another site."""
    response["Vary"] = "Origin"
    origin = request.headers.get("Origin", "")
    if origin and (
        urlsplit(origin).hostname == urlsplit(f"//{request.get_host()}").hostname
        or origin.rstrip("/") == settings.BASE_URL
    ):
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Credentials"] = "true"
        response["Access-Control-Allow-Methods"] = "GET, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Last-Event-ID"
    return response


def _last_id(request) -> int | None:
    value = request.headers.get("Last-Event-ID") or request.GET.get("since", "")
    return int(value) if value.isdigit() else None


def changes(user, since: int, limit: int = BATCH) -> list[dict]:
    """Timeline events after `since` on conversations `user` may see, oldest first."""
    rows = (
        Event.objects.filter(
            pk__gt=since,
            kind__in=LIVE_KINDS,
            conversation__in=conversations_for(user).values("pk"),
        )
        .order_by("pk")
        .values("pk", "kind", "conversation_id", "created_at")[:limit]
    )
    return [
        {
            "id": row["pk"],
            "kind": row["kind"],
            "conversation": row["conversation_id"],
            "at": row["created_at"].isoformat(),
        }
        for row in rows
    ]


def latest_id() -> int:
    last = Event.objects.order_by("-pk").values_list("pk", flat=True).first()
    return last or 0


def _events(user, since: int | None, seconds: float) -> Iterator[str]:
    yield f"retry: {RETRY_MS}\n\n"
    if since is None:
        since = latest_id()  # a new page already shows everything up to now
        yield _ready(since)
    deadline = time.monotonic() + seconds
    while True:
        for change in changes(user, since):
            since = change["id"]
            yield _change(change)
        if time.monotonic() >= deadline:
            return
        yield ": keep-alive\n\n"
        time.sleep(POLL_SECONDS)


async def _waiting_events(user, since: int | None, seconds: float) -> AsyncIterator[str]:
    """`_events` on the stream process: the database in its small pool, the waits on the loop."""
    yield f"retry: {RETRY_MS}\n\n"
    if since is None:
        since = await in_pool(latest_id)
        yield _ready(since)
    deadline = time.monotonic() + seconds
    while True:
        for change in await in_pool(changes, user, since):
            since = change["id"]
            yield _change(change)
        if time.monotonic() >= deadline:
            return
        yield ": keep-alive\n\n"
        await asyncio.sleep(POLL_SECONDS)


def _ready(since: int) -> str:
    return f"id: {since}\nevent: ready\ndata: {{}}\n\n"


def _change(change: dict) -> str:
    return f"id: {change['id']}\nevent: change\ndata: {json.dumps(change)}\n\n"
