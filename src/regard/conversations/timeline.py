"""The conversation timeline: messages and the events between them, in order, in words.

Events that only say a message arrived or was sent are not repeated (the message is shown).
Any other event kind appears with its label and, in words, what its data says. An app that
records its own kind gets a sentence by putting `summary` in the event data (for example
`record_event("routed", conversation=c, summary="assigned to Dana: their person, 3 open")`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format

from regard.conversations.choices import EventKind
from regard.conversations.models import Conversation, Event, Message
from regard.system.prepared import Prepared

SHOWN_AS_MESSAGES = frozenset(
    {EventKind.MESSAGE_RECEIVED, EventKind.REPLY_SENT, EventKind.NOTE_ADDED}
)


EVENTS = Prepared(
    lambda conversation: (
        Event.objects.filter(conversation_id=conversation)
        .exclude(kind__in=SHOWN_AS_MESSAGES)
        .select_related("actor__agent")
        .order_by("created_at", "id")
    ),
    conversation=int,
)


@dataclass(frozen=True)
class Entry:
    at: datetime
    message: Message | None = None
    event: Event | None = None
    text: str = ""


def timeline(conversation: Conversation, messages: list[Message]) -> list[Entry]:
    """Messages and events of the conversation merged by time (two queries in all)."""
    events = EVENTS(conversation=conversation.pk)
    entries = [Entry(m.created_at, message=m) for m in messages]
    entries += [Entry(e.created_at, event=e, text=describe(e)) for e in events]
    return sorted(entries, key=lambda entry: (entry.at, entry.event is not None))


def describe(event: Event) -> str:
    """What happened, in a sentence, from the event's kind and data."""
    data = event.data or {}
    if data.get("summary"):
        return str(data["summary"])
    explain = _WORDS.get(event.kind)
    text = explain(data) if explain else ""
    return text or str(data.get("reason") or data.get("text") or "")


def _when(value) -> str:
    moment = parse_datetime(value) if isinstance(value, str) else None
    return date_format(moment, "D j M, H:i") if moment else ""


def _status(data: dict) -> str:
    text = f"{data.get('from', '?')} → {data.get('to', '?')}"
    return f"{text} ({data['reason']})" if data.get("reason") else text


def _assigned(data: dict) -> str:
    who = data.get("assignee") or "nobody"
    text = f"assigned to {who}" + (f" in {data['team']}" if data.get("team") else "")
    return f"{text}: {data['reason']}" if data.get("reason") else text


def _tagged(data: dict) -> str:
    added = ", ".join(data.get("added") or [])
    removed = ", ".join(data.get("removed") or [])
    return "; ".join(p for p in (added and f"added {added}", removed and f"removed {removed}") if p)


def _promise(data: dict) -> str:
    due = _when(data.get("due_at"))
    text = f"“{data['text']}”" if data.get("text") else ""
    return " ".join(p for p in (text, due and f"due {due}") if p)


_WORDS = {
    EventKind.CONVERSATION_OPENED: lambda d: f"by {d['channel']}" if d.get("channel") else "",
    EventKind.STATUS_CHANGED: _status,
    EventKind.ASSIGNED: _assigned,
    EventKind.TAGGED: _tagged,
    EventKind.SNOOZED: lambda d: f"until {_when(d.get('until'))}" if d.get("until") else "woken",
    EventKind.DELIVERY_FAILED: lambda d: d.get("error", ""),
    EventKind.PROMISE_MADE: _promise,
    EventKind.PROMISE_BROKEN: _promise,
    EventKind.PROMISE_REMINDER: _promise,
    EventKind.PROMISE_RENEGOTIATED: lambda d: " ".join(
        p for p in (f"new due time {_when(d.get('due_at'))}", d.get("reason", "")) if p
    ),
    EventKind.PROMISE_KEPT: lambda d: d.get("how", ""),
    EventKind.MERGE_SUGGESTED: lambda d: f"#{d.get('other_id')}: {d.get('reason', '')}",
    EventKind.CONVERSATIONS_MERGED: lambda d: (
        f"merged into #{d['target_id']}"
        if d.get("target_id")
        else f"#{d.get('source_id')} merged in"
    ),
}
