"""Filing a parsed e-mail: who sent it, which conversation, and what kind of mail it is."""

from __future__ import annotations

import re

from django.conf import settings
from django.utils import timezone

from regard.channels.email import kinds
from regard.channels.email.acknowledge import acknowledge, should_acknowledge
from regard.channels.email.threading import find_conversation, thread_clues, thread_refs
from regard.channels.models import ThreadReference
from regard.conversations import actions
from regard.conversations.choices import Delivery, Direction
from regard.conversations.feelings import emotion_fields
from regard.conversations.models import Attachment, Conversation, Message
from regard.conversations.rows import insert_rows
from regard.conversations.storage import store_blob
from regard.customers.actions import resolve_customer
from regard.customers.choices import Channel, IdentityKind
from regard.customers.identities import InvalidIdentity, normalize_email
from regard.customers.models import Identity

_NO_REPLY = re.compile(r"^(no-?reply|do-?not-?reply|mailer-daemon|postmaster)\b", re.IGNORECASE)


class Unfileable(ValueError):
    """The message names nobody we could answer."""


def store_parsed(raw, parsed, *, live: bool = False, feelings: dict | None = None):
    """File the message; returns the conversation it joined (None for unthreaded system mail).

    `feelings`: what `message_feelings` read from it, when the caller read it already."""
    if parsed.kind == kinds.BOUNCE:
        return _file_bounce(parsed)
    if parsed.kind == kinds.FEEDBACK_REPORT:
        return None
    address, name = customer_address(parsed)
    resolved = resolve_customer(IdentityKind.EMAIL, address, name)
    clues = thread_clues(parsed)
    duplicate = clues.known.get(parsed.message_id) if parsed.message_id else None
    if duplicate is not None and duplicate[1] == Direction.INBOUND:
        return Conversation.objects.get(pk=duplicate[0])
    conversation, how = find_conversation(parsed, resolved.customer, clues)
    if parsed.kind == kinds.AUTO_REPLY:
        if conversation is not None:
            text = parsed.text_new or parsed.text
            actions.add_note(None, conversation, f"Automatic reply from {address}:\n\n{text}")
        return conversation
    now = timezone.now()
    opened = conversation is None
    if opened:
        conversation = actions.open_conversation(
            None,
            resolved.customer,
            subject=parsed.subject or "(no subject)",
            channel=Channel.EMAIL,
            at=now,
            new_customer=resolved.created,
        )
    message = actions.receive_message(
        conversation,
        text_full=parsed.text,
        text_new=parsed.text_new,
        html=parsed.html,
        sender=resolved.identity,
        sender_address=address,
        channel=Channel.EMAIL,
        subject=parsed.subject,
        external_id=parsed.message_id or "",
        raw=raw,
        at=now,
        locked=True,  # created just now, or found and locked by find_conversation
        opened=opened,
        feelings=feelings,
    )
    if parsed.attachments:  # bulk_create costs even with nothing to write
        store_attachments(message, parsed.attachments)
    refs = thread_refs(parsed)
    insert_rows([ThreadReference(message=message, ref=r) for r in refs])
    _add_participants(message.conversation, parsed, exclude=address)
    if opened and not resolved.created:  # a new customer has no other conversation
        actions.suggest_duplicate(message.conversation)
    if opened and live and should_acknowledge(raw, parsed, address):
        acknowledge(message.conversation)
    return message.conversation


def message_feelings(parsed) -> dict | None:
    """The emotion fields of a mail that is filed as a customer's message (None for the rest).

    Pure work on the text: callers do it before their transaction, where it holds no lock."""
    if parsed.kind in (kinds.BOUNCE, kinds.FEEDBACK_REPORT, kinds.AUTO_REPLY):
        return None
    return emotion_fields(parsed.text_new)


def customer_address(parsed) -> tuple[str, str]:
    """The address to answer: From, unless it is a no-reply address and Reply-To exists."""
    candidates = []
    if parsed.from_address and not _NO_REPLY.match(parsed.from_address):
        candidates.append((parsed.from_address, parsed.from_name))
    candidates += [(address, name) for name, address in parsed.reply_to]
    if parsed.sender:
        candidates.append((parsed.sender, ""))
    if parsed.from_address:
        candidates.append((parsed.from_address, parsed.from_name))
    for address, name in candidates:
        try:
            return normalize_email(address), name or ""
        except InvalidIdentity:
            continue
    raise Unfileable("no usable sender address (From, Reply-To and Sender are missing or invalid)")


def store_attachments(message, attachments) -> None:
    """Keep each file once in the content-addressed store; blocked types are kept, flagged."""
    Attachment.objects.bulk_create(
        Attachment(
            message=message,
            filename=item.filename,
            content_type=item.content_type[:255],
            size=item.size,
            sha256=store_blob(item.data),
            inline=item.inline,
            content_id=(item.content_id or "")[:255],
            blocked=item.blocked,
        )
        for item in attachments
    )


def _add_participants(conversation, parsed, exclude: str) -> None:
    ours = set(settings.SUPPORT_ADDRESSES)
    for name, address in parsed.cc:
        try:
            value = normalize_email(address)
        except InvalidIdentity:
            continue
        if value == exclude or value in ours or value.split("+")[0] in ours:
            continue
        identity = resolve_customer(IdentityKind.EMAIL, value, name).identity
        conversation.participants.add(identity)


def _file_bounce(parsed):
    """Mark the bounced message failed and its recipient bouncing; None when we cannot tell."""
    if not parsed.bounced_message_id:
        return None
    bounced = (
        Message.objects.filter(external_id=parsed.bounced_message_id, direction=Direction.OUTBOUND)
        .select_related("conversation")
        .first()
    )
    if bounced is None:
        return None
    reason = (parsed.text_new or parsed.text or "bounced").strip()[:2000]
    Message.objects.filter(pk=bounced.pk).update(
        delivery=Delivery.FAILED, delivery_error=f"Bounced: {reason}"
    )
    recipients = []
    for address in parsed.bounced_recipients:
        try:
            recipients.append(normalize_email(address))
        except InvalidIdentity:
            continue
    Identity.objects.filter(kind=IdentityKind.EMAIL, value__in=recipients).update(bouncing=True)
    actions.add_note(
        None,
        bounced.conversation,
        f"A reply could not be delivered to {', '.join(recipients) or 'the customer'}.",
    )
    return bounced.conversation
