"""Background work for conversations: delivering replies to the customer."""

from __future__ import annotations

from django.utils import timezone

from regard.system.retry import retrying_task


@retrying_task
def deliver_message(message_id: int) -> str:
    """Send one outbound message through its channel; idempotent once it is sent."""
    from regard.conversations.choices import Delivery
    from regard.conversations.delivery import deliver
    from regard.conversations.models import Message

    message = Message.objects.select_related("conversation__customer").get(pk=message_id)
    if message.delivery == Delivery.SENT:
        return "already sent"
    try:
        deliver(message)
    except Exception as exc:
        Message.objects.filter(pk=message_id).update(
            delivery=Delivery.FAILED, delivery_error=str(exc)[:2000]
        )
        raise
    Message.objects.filter(pk=message_id).update(
        delivery=Delivery.SENT, sent_at=timezone.now(), delivery_error=""
    )
    return "sent"
