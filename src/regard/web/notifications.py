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


def unread_for_inbox(agent, limit: int = 5) -> list[Notification]:
    return with_links(unread(agent).order_by("-created_at", "-id")[:limit])


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
