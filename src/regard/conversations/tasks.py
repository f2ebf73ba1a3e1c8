"""Background work for conversations: delivering replies to the customer."""

from __future__ import annotations

from django.utils import timezone

from regard.system.retry import retrying_task


def notify_delivery_failed(message_id: int, *, error: str) -> None:
    """Tell the agent, on the conversation itself, that their reply did not go out."""
    from regard.conversations.actions import report_delivery_failure

    report_delivery_failure(message_id, error)


@retrying_task(on_give_up=notify_delivery_failed)
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
