"""Which conversation an inbound e-mail belongs to, whatever order the mail arrives in.

In order: the References chain against every Message-ID we sent or received; replies that
arrived before this (late) parent; siblings that share a reference; the per-conversation reply
address (support+TOKEN@...); the ticket token in the subject ([#1234]) from the same customer.
"""

from __future__ import annotations

import re

from regard.channels.models import ThreadReference
from regard.conversations.models import Conversation, Message

_SUBJECT_TOKEN = re.compile(r"\[#(\d{1,12})\]")
_PLUS_TOKEN = re.compile(r"^[^@+]+\+([0-9a-f]{20})@", re.IGNORECASE)


def thread_refs(parsed) -> list[str]:
    """The Message-IDs this mail refers to, nearest parent first, without duplicates."""
    ordered = [*parsed.in_reply_to, *reversed(parsed.references)]
    return list(dict.fromkeys(ref for ref in ordered if ref and ref != parsed.message_id))[:100]


def known_messages(parsed) -> dict[str, tuple[int, str]]:
    """Our messages with this mail's Message-ID or one it refers to: {id: (conversation, way)}.

    One query serves both the duplicate check and threading by references.
    """
    ids = [*thread_refs(parsed), *([parsed.message_id] if parsed.message_id else [])]
    if not ids:
        return {}
    rows = Message.objects.filter(external_id__in=ids).values_list(
        "external_id", "conversation_id", "direction"
    )
    known = {}
    for external_id, conversation_id, direction in rows:
        # The same Message-ID inbound wins: that is what marks a duplicate.
        if external_id not in known or direction == "inbound":
            known[external_id] = (conversation_id, direction)
    return known


def find_conversation(parsed, customer, known=None) -> tuple[Conversation | None, str]:
    """The conversation this mail continues, and how it was found (for the timeline)."""
    refs = thread_refs(parsed)
    known = known_messages(parsed) if known is None else known
    for ref in refs:
        if ref in known:
            found = Conversation.objects.get(pk=known[ref][0])
            return found, "references a message of this conversation"
    if parsed.message_id:
        child = ThreadReference.objects.filter(ref=parsed.message_id).select_related("message")
        child = child.order_by("id").first()
        if child:
            return child.message.conversation, "a reply to it arrived first"
    if refs:
        sibling = ThreadReference.objects.filter(ref__in=refs).select_related("message")
        sibling = sibling.order_by("id").first()
        if sibling:
            return sibling.message.conversation, "shares a thread with an earlier message"
    found = _by_reply_token(parsed)
    if found:
        return found, "sent to the conversation's reply address"
    found = _by_subject_token(parsed.subject, customer)
    if found:
        return found, "ticket number in the subject"
    return None, ""


def _by_reply_token(parsed) -> Conversation | None:
    for _name, address in [*parsed.to, *parsed.cc]:
        match = _PLUS_TOKEN.match(address or "")
        if match:
            found = Conversation.objects.filter(reply_token=match.group(1).lower()).first()
            if found:
                return found
    return None


def _by_subject_token(subject: str, customer) -> Conversation | None:
    match = _SUBJECT_TOKEN.search(subject or "")
    if not match:
        return None
    conversation = Conversation.objects.filter(pk=int(match.group(1))).first()
    if conversation is None:
        return None
    # A ticket number is easy to guess: only its own customer or participants may use it.
    if (
        conversation.customer_id == customer.pk
        or conversation.participants.filter(customer=customer).exists()
    ):
        return conversation
    return None
