"""The personal acknowledgement of a new e-mail conversation, and when not to send one."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from regard.channels.email import kinds
from regard.conversations.choices import Delivery, Direction, EventKind
from regard.conversations.delivery import new_message_id
from regard.conversations.events import record_event
from regard.conversations.models import Message

log = logging.getLogger("regard.mail")
_AUTOMATED_SENDER = re.compile(
    r"^(no-?reply|do-?not-?reply|mailer-daemon|postmaster|bounces?|notifications?)[+@.-]",
    re.IGNORECASE,
)


def should_acknowledge(raw, parsed, address: str) -> bool:
    if parsed.kind != kinds.NORMAL or _AUTOMATED_SENDER.match(address):
        return False
    from regard.channels.models import Mailbox

    override = (
        Mailbox.objects.filter(name=raw.source).values_list("auto_acknowledge", flat=True).first()
    )
    return settings.AUTO_ACKNOWLEDGE if override is None else override


def recent_automatic_mail(customer) -> int:
    since = timezone.now() - timedelta(hours=1)
    return Message.objects.filter(
        conversation__customer=customer,
        direction=Direction.OUTBOUND,
        author__isnull=True,
        created_at__gte=since,
    ).count()


def acknowledgement_text(conversation) -> str:
    customer = conversation.customer
    greeting = f"Hi {customer.address_name}," if customer.address_name else "Hello,"
    owner = customer.owner.display_name if customer.owner else "one of our team"
    return (
        f"{greeting}\n\n"
        f"thank you for writing to us about \u201c{conversation.subject}\u201d. "
        f"Your message is with {owner}, who will reply personally within one business day.\n\n"
        f"If you want to add anything, just answer this mail; it stays with conversation "
        f"#{conversation.pk}.\n\nKind regards,\nSupport"
    )


def acknowledge(conversation, *, text: str = "", subject: str = "") -> Message | None:
    """Queue the acknowledgement (or another automatic `text`, such as the web form's receipt),
    unless this customer already got too much automatic mail."""
    from regard.conversations.tasks import deliver_message

    if recent_automatic_mail(conversation.customer) >= settings.AUTOMATIC_MAIL_PER_HOUR:
        log.warning(
            "no acknowledgement for conversation %s: automatic mail cap reached", conversation.pk
        )
        record_event(
            EventKind.AUTOMATIC_MAIL_CAPPED,
            conversation=conversation,
            cap_per_hour=settings.AUTOMATIC_MAIL_PER_HOUR,
        )
        alert_admins_of_cap(conversation)
        return None
    text = text or acknowledgement_text(conversation)
    message = Message.objects.create(
        conversation=conversation,
        direction=Direction.OUTBOUND,
        channel=conversation.channel,
        subject=subject or f"Re: {conversation.subject}",
        text_full=text,
        text_new=text,
        delivery=Delivery.QUEUED,
        external_id=new_message_id(),
        created_at=timezone.now(),
    )
    transaction.on_commit(lambda: deliver_message.enqueue(message.pk))
    return message


def alert_admins_of_cap(conversation) -> int:
    """Tell every admin, once an hour per customer, that automatic mail to them was held back:
    the usual cause is another system answering our mail, which a person should look at."""
    from regard.accounts.choices import Role
    from regard.accounts.models import Agent
    from regard.accounts.notifications import notify

    now = timezone.now()
    customer = conversation.customer
    text = (
        f"Automatic mail to {customer.name} held back: {settings.AUTOMATIC_MAIL_PER_HOUR} an "
        "hour reached. Is another system answering our mail?"
    )
    admins = Agent.objects.filter(role=Role.ADMIN, user__is_active=True)
    return sum(
        notify(
            admin,
            "automatic_mail_capped",
            text,
            key=f"automatic_mail_capped:{customer.pk}:{now:%Y%m%d%H}",
            url=f"/conversations/{conversation.pk}/",
            at=now,
        )
        is not None
        for admin in admins
    )
