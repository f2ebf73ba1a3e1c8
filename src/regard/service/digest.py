"""E-mail digests: each agent gets one mail listing the notifications they have not read, once
they have stayed unread for a while; every notification goes out in at most one digest."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction

from regard.accounts.models import Agent, Notification

UNREAD_FOR = timedelta(minutes=30)
LISTED_AT_MOST = 20


def waiting(now):
    """Notifications due in a digest: unread, not mailed, older than UNREAD_FOR, to an active
    agent with an address."""
    return Notification.objects.filter(
        read_at__isnull=True,
        emailed_at__isnull=True,
        created_at__lte=now - UNREAD_FOR,
        recipient__user__is_active=True,
    ).exclude(recipient__user__email="")


def queue_digests(now) -> int:
    """One digest task per agent with notifications waiting; returns how many were queued."""
    from regard.service.tasks import send_digest

    agents = list(waiting(now).order_by().values_list("recipient_id", flat=True).distinct())
    for agent_id in agents:
        transaction.on_commit(
            lambda agent_id=agent_id: send_digest.enqueue(agent_id, now.isoformat())
        )
    return len(agents)


@transaction.atomic
def send_digest(agent: Agent, now) -> int:
    """Mail the agent their waiting notifications and mark them mailed; 0 if none (again)."""
    pending = list(
        waiting(now).filter(recipient=agent).select_for_update().order_by("created_at", "id")
    )
    if not pending:
        return 0
    count = len(pending)
    lines = [
        f"- {n.text}\n  {settings.BASE_URL}{n.url}" if n.url else f"- {n.text}"
        for n in pending[:LISTED_AT_MOST]
    ]
    if count > LISTED_AT_MOST:
        lines.append(f"… and {count - LISTED_AT_MOST} more in Regard.")
    plural = "" if count == 1 else "s"
    body = (
        f"Hello {agent.display_name},\n\n"
        f"{count} notification{plural} in Regard {'is' if count == 1 else 'are'} still unread:"
        "\n\n" + "\n".join(lines) + "\n"
    )
    EmailMessage(
        subject=f"{count} unread notification{plural}: {pending[0].text}"[:150],
        body=body,
        from_email=f"Regard at {settings.COMPANY_NAME} <{settings.DEFAULT_FROM_EMAIL}>",
        to=[agent.user.email],
        headers={"Auto-Submitted": "auto-generated"},
    ).send()
    Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=now)
    return count
