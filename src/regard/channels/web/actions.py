"""A message from the web form joins the customer's record: one transaction, then a receipt.

The receipt is an automatic outbound message of the conversation, so its Message-ID is known and
the customer's answer to it threads back here like any reply to our mail.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from regard.channels.email.acknowledge import acknowledge
from regard.channels.email.attachments import ParsedAttachment
from regard.channels.email.store import store_attachments
from regard.channels.web.choices import WebFormEvent
from regard.conversations import actions
from regard.conversations.events import record_event
from regard.conversations.models import Message
from regard.customers.actions import resolve_customer
from regard.customers.choices import Channel, IdentityKind

DEFAULT_SUBJECT = "Message from the web form"
SUBJECT_CHARS = 80
QUOTE_CHARS = 3000


@dataclass(frozen=True)
class Submission:
    """What a visitor sent, already validated."""

    email: str
    text: str
    name: str = ""
    answers: list[tuple[str, str]] = field(default_factory=list)
    attachment: ParsedAttachment | None = None


def subject_for(text: str) -> str:
    """The first line of the message, cut at a word near 80 characters."""
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    line = " ".join(line.split())
    if len(line) > SUBJECT_CHARS:
        line = line[:SUBJECT_CHARS].rsplit(" ", 1)[0].rstrip(" ,;:.") + "…"
    return line or DEFAULT_SUBJECT


def message_text(submission: Submission) -> str:
    """The message as agents read it: the text, then each added question with its answer."""
    if not submission.answers:
        return submission.text
    lines = "\n".join(f"{label}: {value}" for label, value in submission.answers)
    return f"{submission.text}\n\n{lines}"


@transaction.atomic
def receive_web_form(submission: Submission) -> Message:
    """Resolve the customer by address, open a web conversation with the message, queue the
    receipt."""
    resolved = resolve_customer(IdentityKind.EMAIL, submission.email, submission.name)
    conversation = actions.open_conversation(
        None,
        resolved.customer,
        subject=subject_for(submission.text),
        channel=Channel.WEB,
        new_customer=resolved.created,
    )
    message = actions.receive_message(
        conversation,
        text_full=message_text(submission),
        sender=resolved.identity,
        sender_address=resolved.identity.value,
        channel=Channel.WEB,
        subject=conversation.subject,
    )
    if submission.attachment is not None:
        store_attachments(message, [submission.attachment])
    filename = submission.attachment.filename if submission.attachment else None
    said = [f"{label}: {value}" for label, value in submission.answers]
    record_event(
        WebFormEvent.SUBMITTED,
        conversation=message.conversation,
        message_id=message.pk,
        answers=[{"label": label, "value": value} for label, value in submission.answers],
        attachment=filename,
        summary="; ".join([*said, *([f"attached {filename}"] if filename else [])]),
    )
    if not resolved.created:  # a new customer has no other conversation
        actions.suggest_duplicate(message.conversation)
    acknowledge(
        message.conversation,
        text=receipt_text(message.conversation, submission.text),
        subject=f"We have your message: {message.conversation.subject}",
    )
    return message


def receipt_text(conversation, text: str) -> str:
    customer = conversation.customer
    greeting = f"Hi {customer.address_name}," if customer.address_name else "Hello,"
    who = customer.owner.display_name if customer.owner else "One of our team"
    quoted = text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS].rstrip() + " […]"
    quoted = "\n".join(f"> {line}" if line else ">" for line in quoted.splitlines())
    return (
        f"{greeting}\n\n"
        f"thank you for writing to us. Your message has reached us safely and is now "
        f"conversation #{conversation.pk}. {who} will read it and answer you personally by "
        f"e-mail, usually within one business day.\n\n"
        f"You wrote:\n\n{quoted}\n\n"
        f"If you want to add anything, just reply to this e-mail; it stays with conversation "
        f"#{conversation.pk}.\n\nKind regards,\n{settings.COMPANY_NAME}"
    )
