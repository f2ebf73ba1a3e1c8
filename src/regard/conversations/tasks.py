"""Background work for conversations: delivering replies to the customer, and queueing again the
deliveries a killed worker took down with it."""

from __future__ import annotations

from django.utils import timezone

from regard.system.retry import retrying_task
from regard.system.workers import resume_lost


def notify_delivery_failed(message_id: int, *, error: str) -> None:
    """Tell the agent, on the conversation itself, that their reply did not go out."""
    from regard.conversations.actions import report_delivery_failure

    report_delivery_failure(message_id, error)


@retrying_task(on_give_up=notify_delivery_failed)
def deliver_message(message_id: int) -> str:
    """Send one outbound message through its channel, once: safe to run twice, or in two workers
    at the same time (the second finds it claimed or sent)."""
    from regard.conversations.delivery import claim

    with claim(message_id) as claimed:
        if not claimed:
            # Another worker is sending it; should that one die, `resume_stalled` queues it again.
            return "being sent by another worker"
        return _deliver_claimed(message_id)


def _deliver_claimed(message_id: int) -> str:
    from regard.conversations.choices import Delivery
    from regard.conversations.delivery import deliver
    from regard.conversations.models import Message

    # Read after claiming: a worker that sent it before we claimed has marked it sent by now.
    message = Message.objects.select_related("conversation__customer").filter(pk=message_id).first()
    if message is None:  # deleted since it was queued (a redaction, a removed conversation)
        return "gone"
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


def resume_stalled(now=None) -> int:
    """Queue again the replies whose delivery task was lost with a killed worker. A reply that
    went out just before the kill is sent again with the same Message-ID, which the customer's
    mail system files once. Incident updates have their own sweep
    (`incidents.broadcast.resume_stalled`) and are left to it."""
    from regard.conversations.choices import Delivery, Direction
    from regard.conversations.models import Message
    from regard.incidents.models import UpdateDelivery

    owed = Message.objects.filter(direction=Direction.OUTBOUND, delivery=Delivery.QUEUED).exclude(
        pk__in=UpdateDelivery.objects.filter(message__isnull=False).values("message_id")
    )
    owed = owed.values_list("pk", flat=True)
    return resume_lost(owed, "created_at", deliver_message.enqueue, now)
