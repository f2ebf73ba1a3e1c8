"""Live updates over server-sent events: what changed in the conversations an agent may see.

Each stream lives a short while and ends; the browser's EventSource reconnects on its own and
sends `Last-Event-ID`, so nothing is missed in between. Events come from the timeline (the
Event table), polled every POLL_SECONDS with one indexed query: no extra broker needed, the same
on SQLite and PostgreSQL. A stream holds one server thread while it is open (`regard serve` runs
threaded workers); at scale, streams belong on a process of their own (see docs/workspace.md).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.views.decorators.http import require_GET

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


@login_required
@require_GET
def stream(request):
    agent_of(request.user)  # agents only
    since = _last_id(request)
    response = StreamingHttpResponse(
        _events(request.user, since, STREAM_SECONDS), content_type="text/event-stream"
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # let a proxy pass each event through at once
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
        yield f"id: {since}\nevent: ready\ndata: {{}}\n\n"
    deadline = time.monotonic() + seconds
    while True:
        for change in changes(user, since):
            since = change["id"]
            yield f"id: {since}\nevent: change\ndata: {json.dumps(change)}\n\n"
        if time.monotonic() >= deadline:
            return
        yield ": keep-alive\n\n"
        time.sleep(POLL_SECONDS)
