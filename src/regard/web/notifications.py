"""An agent's notifications (survey follow-ups, incident alerts, service-level warnings): the
newest on a page of their own, the unread ones in the inbox, marked read when the agent says."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from regard.accounts.models import Notification
from regard.accounts.notifications import mark_read, unread
from regard.conversations.access import agent_of
from regard.system.prepared import Prepared

SHOWN = 50


def safe_link(url: str) -> str:
    """Only a path inside Regard becomes a link (never `//host`, a scheme or a stray string)."""
    return url if url.startswith("/") and not url.startswith(("//", "/\\")) else ""


def with_links(notifications) -> list[Notification]:
    """The notifications, each with `link`: its address when that is safe to link, else ""."""
    found = list(notifications)
    for notification in found:
        notification.link = safe_link(notification.url)
    return found


IN_INBOX = 5


def newest_unread(agent, limit: int):
    return unread(agent).order_by("-created_at", "-id")[:limit]


# On every inbox page: built once, then run with the agent's id.
UNREAD_IN_INBOX = Prepared(lambda agent: newest_unread(agent, IN_INBOX), agent=int)


def unread_for_inbox(agent, limit: int = IN_INBOX) -> list[Notification]:
    if limit == IN_INBOX:
        return with_links(UNREAD_IN_INBOX(agent=agent.pk))
    return with_links(newest_unread(agent, limit))


@login_required
def page(request):
    shown = with_links(Notification.objects.filter(recipient=agent_of(request.user))[:SHOWN])
    return render(request, "web/notifications.html", {"notifications": shown})


@login_required
@require_POST
def read_all(request):
    count = mark_read(agent_of(request.user))
    flash.success(request, f"{count} notification{'' if count == 1 else 's'} marked read.")
    return redirect("web:notifications")
