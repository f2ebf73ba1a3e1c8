"""Every change to conversations and messages; each records an Event on the timeline."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from regard.conversations import hooks
from regard.conversations.choices import (
    ACTIVE_STATUSES,
    TRANSITIONS,
    Delivery,
    Direction,
    EventKind,
    Priority,
    Status,
)
from regard.conversations.events import record_event
from regard.conversations.feelings import emotion_fields, is_upset
from regard.conversations.models import Conversation, Message, Tag
from regard.conversations.rows import insert_row, update_row
from regard.customers.choices import MomentKind
from regard.customers.models import Customer, Moment
from regard.system.prepared import Prepared


def one_line(text: str) -> str:
    """A subject on one line: CR, LF and other control characters could forge mail headers."""
    return " ".join((text or "").split())


class InvalidTransition(ValueError):
    """The conversation cannot go from its status to the one asked for."""


FIRST_CONTACT = Prepared(
    lambda customer: Moment.objects.filter(
        customer_id=customer, kind=MomentKind.FIRST_CONTACT
    ).values("pk")[:1],
    customer=int,
)
# Every new mail of a known customer asks (`suggest_duplicate`).
NEARBY = Prepared(
    lambda customer, conversation, start, end: (
        Conversation.objects.filter(
            customer_id=customer,
            status__in=ACTIVE_STATUSES,
            created_at__gte=start,
            created_at__lte=end,
        )
        .exclude(pk=conversation)
        .order_by("created_at")
        .values_list("pk", "subject", "created_at")
    ),
    customer=int,
    conversation=int,
    start=datetime,
    end=datetime,
)


# For the actions an inbound message runs inside another transaction (the pipeline files each
# mail in a savepoint of its own): nested, they add no savepoint of their own, since a failure
# rolls back the caller's savepoint anyway; called alone, each is one transaction as before.
def nested_atomic(func):
    return transaction.atomic(savepoint=False)(func)


@nested_atomic
def open_conversation(
    actor,
    customer: Customer,
    *,
    subject: str,
    channel: str,
    priority: int = Priority.NORMAL,
    team=None,
    assignee=None,
    linked_from: Conversation | None = None,
    at=None,
    new_customer: bool = False,
) -> Conversation:
    """A new conversation; `new_customer` (created just now) skips looking for a first contact."""
    at = at or timezone.now()
    conversation = Conversation(
        customer=customer,
        subject=one_line(subject)[:500],
        channel=channel,
        priority=priority,
        team=team,
        assignee=assignee,
        linked_from=linked_from,
        created_at=at,
    )
    insert_row(conversation)
    first = new_customer or not FIRST_CONTACT(customer=customer.pk)
    if first:
        moment = Moment(
            customer=customer,
            kind=MomentKind.FIRST_CONTACT,
            date=at.date(),
            label=f"First contact: {conversation.subject}"[:200],
        )
        insert_row(moment)
    record_event(
        EventKind.CONVERSATION_OPENED,
        actor=actor,
        conversation=conversation,
        at=at,
        channel=channel,
        linked_from=linked_from.pk if linked_from else None,
    )
    hooks.conversation_opened(conversation, new_customer=new_customer)
    return conversation


@nested_atomic
def receive_message(
    conversation: Conversation,
    *,
    text_full: str,
    text_new: str | None = None,
    html: str = "",
    sender=None,
    sender_address: str = "",
    channel: str = "",
    subject: str = "",
    external_id: str = "",
    raw=None,
    at=None,
    locked: bool = False,
    opened: bool = False,
    feelings: dict | None = None,
) -> Message:
    """A customer's message joins the conversation; a closed one is continued in a linked one.

    `locked`: the caller fetched `conversation` fresh with select_for_update (or created it) in
    this transaction, so it is not read again. `opened`: the caller opened it just now for this
    message, so it holds nothing yet (no clocks to look for). `feelings`: `emotion_fields` of
    the message's new text, when the caller read it already (outside the transaction).
    """
    at = at or timezone.now()
    if not locked:
        conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if conversation.status == Status.CLOSED:
        opened = True
        conversation = open_conversation(
            None,
            conversation.customer,
            subject=subject or conversation.subject,
            channel=channel or conversation.channel,
            priority=conversation.priority,
            team=conversation.team,
            assignee=conversation.assignee,
            linked_from=conversation,
            at=at,
        )
    if feelings is None:
        feelings = emotion_fields(text_full if text_new is None else text_new)
    message = Message(
        **feelings,
        conversation=conversation,
        direction=Direction.INBOUND,
        channel=channel or conversation.channel,
        sender=sender,
        sender_address=sender_address or (sender.value if sender else ""),
        subject=one_line(subject)[:500],
        text_full=text_full,
        text_new=text_full if text_new is None else text_new,
        html=html,
        external_id=external_id,
        raw=raw,
        created_at=at,
    )
    insert_row(message)  # `rows`: the inbound pipeline's hottest statements skip query building
    conversation.emotion = feelings["emotion"]
    conversation.emotion_intensity = feelings["emotion_intensity"]
    conversation.upset = is_upset(
        feelings["emotion"], feelings["emotion_intensity"], feelings["signals"]
    )
    fields = ["updated_at", "emotion", "emotion_intensity", "upset"]
    if conversation.waiting_since is None:
        conversation.waiting_since = at
        fields.append("waiting_since")
    if conversation.status in (Status.SOLVED, Status.PENDING):
        _set_status(None, conversation, Status.OPEN, at, reason="customer replied")
        fields += ["status", "solved_at"]
    update_row(conversation, fields)
    record_event(
        EventKind.MESSAGE_RECEIVED, conversation=conversation, at=at, message_id=message.pk
    )
    hooks.message_received(message, opened=opened)
    return message


@transaction.atomic
def send_reply(
    actor,
    conversation: Conversation,
    text: str,
    *,
    html: str = "",
    status: str | None = None,
    at=None,
) -> Message:
    """An agent answers the customer; delivery happens in a task after commit."""
    from regard.commitments.actions import record_commitments, suggest_kept
    from regard.conversations.delivery import new_message_id
    from regard.conversations.tasks import deliver_message

    text = text.strip()
    if not text:
        raise ValueError("a reply needs some text")
    at = at or timezone.now()
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if conversation.status == Status.CLOSED:
        raise InvalidTransition("this conversation is closed; open a follow-up instead")
    message = Message.objects.create(
        conversation=conversation,
        direction=Direction.OUTBOUND,
        channel=conversation.channel,
        author=actor,
        subject=_reply_subject(conversation),
        text_full=text,
        text_new=text,
        html=html,
        delivery=Delivery.QUEUED,
        external_id=new_message_id(),
        created_at=at,
    )
    conversation.waiting_since = None
    if conversation.first_reply_at is None:
        conversation.first_reply_at = at
    if conversation.status == Status.NEW and status is None:
        status = Status.OPEN
    if status and status != conversation.status:
        _set_status(actor, conversation, status, at)
    conversation.save()
    record_event(
        EventKind.REPLY_SENT, actor=actor, conversation=conversation, at=at, message_id=message.pk
    )
    suggest_kept(message)
    record_commitments(message)
    hooks.reply_sent(message)
    transaction.on_commit(lambda: deliver_message.enqueue(message.pk))
    return message


def _reply_subject(conversation: Conversation) -> str:
    subject = conversation.subject or "Your message"
    return subject if subject.lower().startswith("re:") else f"Re: {subject}"


def add_note(actor, conversation: Conversation, text: str, at=None) -> Message:
    text = text.strip()
    if not text:
        raise ValueError("a note needs some text")
    return _add_note(actor, conversation, text, at)


@nested_atomic
def _add_note(actor, conversation: Conversation, text: str, at=None) -> Message:
    at = at or timezone.now()
    note = Message.objects.create(
        conversation=conversation,
        direction=Direction.NOTE,
        channel=conversation.channel,
        author=actor,
        text_full=text,
        text_new=text,
        created_at=at,
    )
    record_event(
        EventKind.NOTE_ADDED, actor=actor, conversation=conversation, at=at, message_id=note.pk
    )
    return note


@transaction.atomic
def change_status(actor, conversation: Conversation, status: str, at=None) -> Conversation:
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    _set_status(actor, conversation, status, at or timezone.now())
    conversation.save()
    return conversation


def _set_status(actor, conversation: Conversation, status: str, at, reason: str = "") -> None:
    if status not in Status.values:
        raise InvalidTransition(f"unknown status {status!r}")
    if status not in TRANSITIONS[conversation.status]:
        raise InvalidTransition(
            f"cannot go from {Status(conversation.status).label.lower()} "
            f"to {Status(status).label.lower()}"
        )
    previous = conversation.status
    conversation.status = status
    if status == Status.SOLVED:
        conversation.solved_at = at
        conversation.waiting_since = None
    elif status == Status.CLOSED:
        conversation.closed_at = at
        conversation.waiting_since = None
    elif previous == Status.SOLVED:
        conversation.solved_at = None
    record_event(
        EventKind.STATUS_CHANGED,
        actor=actor,
        conversation=conversation,
        at=at,
        **{"from": previous, "to": status, "reason": reason},
    )
    hooks.status_changed(conversation, previous, status, at)


@transaction.atomic
def assign_conversation(
    actor, conversation: Conversation, assignee=None, team=None, reason: str = ""
) -> Conversation:
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    before = (conversation.assignee_id, conversation.team_id)
    conversation.assignee = assignee
    if team is not None:
        conversation.team = team
    if before != (conversation.assignee_id, conversation.team_id):
        conversation.save(update_fields=["assignee", "team", "updated_at"])
        record_event(
            EventKind.ASSIGNED,
            actor=actor,
            conversation=conversation,
            assignee=assignee.display_name if assignee else None,
            team=conversation.team.name if conversation.team else None,
            reason=reason,
        )
    return conversation


@transaction.atomic
def set_tags(actor, conversation: Conversation, names: list[str]) -> list[str]:
    cleaned = sorted({name.strip().lower()[:64] for name in names if name.strip()})
    tags = [Tag.objects.get_or_create(name=name)[0] for name in cleaned]
    before = sorted(conversation.tags.values_list("name", flat=True))
    if before != cleaned:
        conversation.tags.set(tags)
        record_event(
            EventKind.TAGGED,
            actor=actor,
            conversation=conversation,
            added=sorted(set(cleaned) - set(before)),
            removed=sorted(set(before) - set(cleaned)),
        )
    return cleaned


@transaction.atomic
def snooze_conversation(actor, conversation: Conversation, until) -> Conversation:
    """Hide the conversation from the inbox until `until` (None wakes it now)."""
    if until is not None and until <= timezone.now():
        raise ValueError("snooze until a time in the future")
    conversation.snoozed_until = until
    conversation.save(update_fields=["snoozed_until", "updated_at"])
    record_event(
        EventKind.SNOOZED,
        actor=actor,
        conversation=conversation,
        until=until.isoformat() if until else None,
    )
    return conversation


@transaction.atomic
def report_delivery_failure(message_id: int, error: str) -> Message:
    """A reply failed for good: mark it, and leave a note the agent will see on the timeline."""
    message = Message.objects.select_related("conversation").get(pk=message_id)
    Message.objects.filter(pk=message_id).update(
        delivery=Delivery.FAILED, delivery_error=error[:2000]
    )
    note = add_note(
        None,
        message.conversation,
        f"This reply could not be delivered: {error[:500]}. "
        "Check the customer's address, or reach them another way.",
    )
    record_event(
        EventKind.DELIVERY_FAILED,
        conversation=message.conversation,
        message_id=message_id,
        error=error[:500],
    )
    return note


def subject_key(subject: str) -> str:
    """A subject without reply/forward prefixes, ticket tokens and case, for comparison."""
    text = re.sub(r"\[#\d+\]", "", subject or "")
    text = re.sub(r"^\s*((re|fwd?|aw|wg|sv|vs)\s*:\s*)+", "", text, flags=re.IGNORECASE)
    return " ".join(text.lower().split())


def suggest_duplicate(conversation: Conversation, window=timedelta(minutes=30)):
    """Another open conversation of the same customer with the same subject, minutes apart."""
    key = subject_key(conversation.subject)
    if not key:
        return None
    nearby = NEARBY(
        customer=conversation.customer_id,
        conversation=conversation.pk,
        start=conversation.created_at - window,
        end=conversation.created_at + window,
    )
    for pk, subject, created_at in nearby:
        if subject_key(subject) == key:
            minutes = abs((conversation.created_at - created_at).total_seconds()) // 60
            record_event(
                EventKind.MERGE_SUGGESTED,
                conversation=conversation,
                other_id=pk,
                reason=f"same customer and subject, {int(minutes)} min apart",
            )
            return Conversation.objects.get(pk=pk)
    return None


@transaction.atomic
def merge_conversations(actor, source: Conversation, target: Conversation) -> Conversation:
    """Move every message and promise of `source` into `target`; `source` closes, linked."""
    if source.pk == target.pk:
        raise ValueError("a conversation cannot be merged into itself")
    if source.customer_id != target.customer_id:
        raise ValueError("only conversations of the same customer can be merged")
    moved = list(source.messages.values_list("pk", flat=True))
    Message.objects.filter(pk__in=moved).update(conversation=target)
    source.commitments.update(conversation=target)
    if source.waiting_since and (
        target.waiting_since is None or source.waiting_since < target.waiting_since
    ):
        target.waiting_since = source.waiting_since
        target.save(update_fields=["waiting_since", "updated_at"])
    Conversation.objects.filter(pk=source.pk).update(
        status=Status.CLOSED, closed_at=timezone.now(), waiting_since=None, linked_from=target
    )
    record_event(
        EventKind.CONVERSATIONS_MERGED,
        actor=actor,
        conversation=target,
        source_id=source.pk,
        message_ids=moved,
    )
    record_event(
        EventKind.CONVERSATIONS_MERGED,
        actor=actor,
        conversation=source,
        target_id=target.pk,
        message_ids=moved,
    )
    return target
