"""Delivering an update to its recipients: claim rows, write each message into the customer's
own conversation from their concierge, send it with a stable Message-ID, mark it sent.

Rows are claimed by one atomic UPDATE with a fresh token, so two workers never send the same
row; a worker killed after claiming leaves its rows for `broadcast.resume_stalled`, which sends
them again with the same Message-ID (a mail system drops a copy with an id it already has).
"""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from regard.conversations import hooks
from regard.conversations.actions import assign_conversation, open_conversation
from regard.conversations.choices import Delivery, Direction, EventKind, Status
from regard.conversations.delivery import (
    Undeliverable,
    recipient,
    reply_address,
    subject_with_token,
    thread_headers,
)
from regard.conversations.events import record_event
from regard.conversations.models import Conversation, Event, Message
from regard.customers.choices import Channel
from regard.incidents.broadcast import LEASE
from regard.incidents.choices import DeliveryState, IncidentEvent
from regard.incidents.models import AffectedCustomer, GroupConcierge, UpdateDelivery
from regard.incidents.wording import personalise

CLAIM_CHUNK = 50
log = logging.getLogger("regard.incidents")


def claim(ids: list[int], now) -> list[UpdateDelivery]:
    """Take the rows no other worker holds; returns them loaded with what sending needs."""
    token = uuid.uuid4().hex
    claimable = Q(state=DeliveryState.QUEUED) | Q(
        state=DeliveryState.SENDING, claimed_at__lt=now - LEASE
    )
    UpdateDelivery.objects.filter(pk__in=ids).filter(claimable).update(
        state=DeliveryState.SENDING, claimed_at=now, claimed_by=token, attempts=F("attempts") + 1
    )
    return list(
        UpdateDelivery.objects.filter(pk__in=ids, claimed_by=token, state=DeliveryState.SENDING)
        .select_related(
            "affected__customer__organization__concierge",
            "affected__customer__concierge",
            "affected__concierge",
            "affected__conversation",
        )
        .order_by("pk")
    )


def concierge_of(link, incident, groups: dict | None = None):
    """Who speaks to this customer: the agent named for them, for their organization in this
    incident, their own concierge, their organization's, else the incident owner.
    `groups` ({organization id: agent}) saves the lookup when the caller has them all."""
    customer = link.customer
    if link.concierge is not None:
        return link.concierge
    if customer.organization_id:
        if groups is None:
            groups = group_concierges(incident)
        if customer.organization_id in groups:
            return groups[customer.organization_id]
    if customer.concierge is not None:
        return customer.concierge
    organization = customer.organization
    if organization is not None and organization.concierge is not None:
        return organization.concierge
    return incident.owner


def group_concierges(incident) -> dict:
    found = GroupConcierge.objects.filter(incident=incident).select_related("agent")
    return {g.organization_id: g.agent for g in found}


def send_rows(update, ids: list[int], connection=None, *, raise_errors: bool = False) -> dict:
    """Send `update` to the rows `ids` (those still to send), a chunk of claims at a time.

    Returns {outcome: count} with outcomes sent, failed, retry and (in `retry_ids`) the rows
    whose send failed and should be tried again later; `raise_errors` re-raises instead.
    """
    incident = update.incident
    groups = group_concierges(incident)
    done: dict = {"sent": 0, "failed": 0, "retry_ids": []}
    for start in range(0, len(ids), CLAIM_CHUNK):
        rows = claim(ids[start : start + CLAIM_CHUNK], timezone.now())
        _assign_to_concierges(rows, incident, groups)
        for row in rows:
            row.update = update
            try:
                done[_send(row, incident, groups, connection)] += 1
            except Exception as exc:
                UpdateDelivery.objects.filter(pk=row.pk).update(
                    state=DeliveryState.QUEUED, error=f"{type(exc).__name__}: {exc}"[:2000]
                )
                if raise_errors:
                    raise
                log.warning("incident update %s to row %s failed: %s", update.pk, row.pk, exc)
                done["retry_ids"].append(row.pk)
    return done


@transaction.atomic
def _assign_to_concierges(rows, incident, groups) -> None:
    """Give each linked conversation to its concierge, a chunk at a time: their replies then
    reach the person who wrote to them. Recorded like `assign_conversation` does."""
    moves: dict = {}
    for row in rows:
        conversation = row.affected.conversation if row.affected else None
        if row.message_id is not None or conversation is None:
            continue
        concierge = concierge_of(row.affected, incident, groups)
        if conversation.status != Status.CLOSED and conversation.assignee_id != concierge.pk:
            moves.setdefault(concierge, []).append(conversation)
    reason = f"concierge for incident “{incident.title}”"
    now = timezone.now()
    for concierge, conversations in moves.items():
        Conversation.objects.filter(pk__in=[c.pk for c in conversations]).update(
            assignee=concierge, updated_at=now
        )
        Event.objects.bulk_create(
            Event(
                kind=EventKind.ASSIGNED,
                conversation_id=c.pk,
                customer_id=c.customer_id,
                data={"assignee": concierge.display_name, "reason": reason},
                created_at=now,
            )
            for c in conversations
        )
        for c in conversations:
            c.assignee_id = concierge.pk


def _send(row, incident, groups, connection) -> str:
    try:
        message, address = _written_message(row, incident, groups)
    except Undeliverable as exc:
        _fail(row, str(exc))
        return "failed"
    if address:
        _mail(message, address, connection).send()
    sent_at = timezone.now()
    UpdateDelivery.objects.filter(pk=row.pk).update(
        state=DeliveryState.SENT, sent_at=sent_at, error=""
    )
    Message.objects.filter(pk=message.pk).update(delivery=Delivery.SENT, sent_at=sent_at)
    return "sent"


@transaction.atomic
def _written_message(row, incident, groups) -> tuple[Message, str]:
    """The outbound message in the customer's conversation; written once, reused on retries."""
    if row.message_id is not None:
        message = Message.objects.select_related("conversation", "author__agent").get(
            pk=row.message_id
        )
        return message, _address(message)
    link = row.affected
    concierge = concierge_of(link, incident, groups)
    now = timezone.now()
    conversation = _their_conversation(link, incident, concierge, now)
    message = Message(
        conversation=conversation,
        direction=Direction.OUTBOUND,
        # A chat customer reads it in their chat (and by e-mail too when we have an address:
        # they may have left the page); everyone else by e-mail.
        channel=Channel.CHAT if conversation.channel == Channel.CHAT else Channel.EMAIL,
        author_id=concierge.user_id,
        subject=f"Update: {incident.title}",
        text_full=personalise(row.update, link.customer, link.note, concierge),
        delivery=Delivery.QUEUED,
        external_id=row.mail_id,
        created_at=now,
    )
    message.text_new = message.text_full
    address = _address(message)  # raises Undeliverable before anything is written
    message.save()
    message.concierge = concierge
    first_reply = {"first_reply_at": now} if conversation.first_reply_at is None else {}
    Conversation.objects.filter(pk=conversation.pk).update(
        waiting_since=None, updated_at=now, **first_reply
    )
    UpdateDelivery.objects.filter(pk=row.pk).update(message=message)
    record_event(
        IncidentEvent.UPDATE_SENT,
        conversation=conversation,
        actor=concierge.user,
        at=now,
        incident_id=incident.pk,
        incident=incident.title,
        update_id=row.update_id,
        message_id=message.pk,
    )
    hooks.reply_sent(message)
    return message, address


def _address(message: Message) -> str:
    """Where to e-mail the update; "" for a chat customer we know no address of."""
    try:
        return recipient(message).value
    except Undeliverable:
        if message.channel == Channel.CHAT:
            return ""
        raise


def _their_conversation(link, incident, concierge, now) -> Conversation:
    """The linked conversation, or a new one; assigned to the concierge so replies reach them."""
    conversation = link.conversation
    if conversation is None or conversation.status == Status.CLOSED:
        conversation = open_conversation(
            None,
            link.customer,
            subject=incident.title,
            channel=Channel.EMAIL,
            assignee=concierge,
            linked_from=conversation,
            at=now,
        )
        AffectedCustomer.objects.filter(pk=link.pk).update(conversation=conversation)
    elif conversation.assignee_id != concierge.pk:
        conversation = assign_conversation(
            None, conversation, concierge, reason=f"concierge for incident “{incident.title}”"
        )
    return conversation


def _mail(message: Message, address: str, connection) -> EmailMultiAlternatives:
    conversation = message.conversation
    agent = getattr(message, "concierge", None) or message.author.agent
    first_name = agent.display_name.split()[0] if agent.display_name else "Your concierge"
    return EmailMultiAlternatives(
        subject=subject_with_token(message.subject, conversation),
        body=message.text_full,
        from_email=f"{first_name} from {settings.COMPANY_NAME} <{settings.DEFAULT_FROM_EMAIL}>",
        to=[address],
        reply_to=[reply_address(conversation)],
        headers=thread_headers(message),
        connection=connection,
    )


def _fail(row, error: str) -> None:
    """The row failed for good: the agent sees it on the incident and on the conversation."""
    UpdateDelivery.objects.filter(pk=row.pk).update(state=DeliveryState.FAILED, error=error[:2000])
    message = Message.objects.filter(pk=row.message_id).select_related("conversation").first()
    if message is not None:
        Message.objects.filter(pk=message.pk).update(
            delivery=Delivery.FAILED, delivery_error=error[:2000]
        )
    incident = row.update.incident
    record_event(
        IncidentEvent.UPDATE_FAILED,
        customer=row.customer,
        conversation=message.conversation if message else None,
        incident_id=incident.pk,
        incident=incident.title,
        update_id=row.update_id,
        error=error[:500],
    )


def give_up(delivery_id: int, *, error: str) -> None:
    """The last retry failed: keep the row as failed, with its error."""
    row = UpdateDelivery.objects.select_related("update__incident", "customer").get(pk=delivery_id)
    if row.state != DeliveryState.SENT:
        _fail(row, error)
