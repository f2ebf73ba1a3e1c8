"""Handing an outbound message to its channel, with headers that thread in any mail client."""

from __future__ import annotations

from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from regard.conversations.choices import Direction
from regard.customers.choices import IdentityKind


class Undeliverable(Exception):
    """The customer has no address this channel can reach."""


def _domain() -> str:
    return settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1]


def new_message_id() -> str:
    return make_msgid(domain=_domain())[1:-1]


def reply_address(conversation) -> str:
    local, domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)
    return f"{local}+{conversation.reply_token}@{domain}"


def subject_with_token(subject: str, conversation) -> str:
    token = f"[#{conversation.pk}]"
    return subject if token in subject else f"{subject} {token}"


def recipient(message):
    """The address the customer last wrote from, else their oldest working e-mail address."""
    conversation = message.conversation
    last = (
        conversation.messages.filter(
            direction=Direction.INBOUND, sender__bouncing=False, sender__kind=IdentityKind.EMAIL
        )
        .select_related("sender")
        .order_by("-created_at")
        .first()
    )
    if last is not None and last.sender.customer_id == conversation.customer_id:
        return last.sender
    identity = (
        conversation.customer.identities.filter(kind=IdentityKind.EMAIL, bouncing=False)
        .order_by("id")
        .first()
    )
    if identity is None:
        raise Undeliverable(f"{conversation.customer.name} has no working e-mail address")
    return identity


def thread_headers(message) -> dict[str, str]:
    """Message-ID, and In-Reply-To the customer's latest mail, with the thread in References."""
    earlier = list(
        message.conversation.messages.exclude(external_id="")
        .exclude(pk=message.pk)
        .filter(created_at__lte=message.created_at)
        .exclude(direction=Direction.NOTE)
        .order_by("created_at", "id")
        .values_list("external_id", "direction")
    )
    headers = {"Message-ID": f"<{message.external_id}>"}
    if earlier:
        inbound = [ref for ref, direction in earlier if direction == Direction.INBOUND]
        refs = [ref for ref, _direction in earlier]
        headers["In-Reply-To"] = f"<{(inbound or refs)[-1]}>"
        chain = dict.fromkeys([refs[0], *refs[-19:]])
        headers["References"] = " ".join(f"<{ref}>" for ref in chain)
    return headers


def deliver(message) -> None:
    conversation = message.conversation
    if message.channel == "chat":
        from regard.channels.chat.delivery import deliver_to_stream  # a chat is not mailed

        deliver_to_stream(message)
        return
    to = recipient(message)
    agent = getattr(message.author, "agent", None)
    company = settings.COMPANY_NAME
    from_name = f"{agent.display_name} at {company}" if agent else company
    cc = [i.value for i in conversation.participants.filter(bouncing=False)]
    mail = EmailMultiAlternatives(
        subject=subject_with_token(message.subject, conversation),
        body=message.text_full,
        from_email=f"{from_name} <{settings.DEFAULT_FROM_EMAIL}>",
        to=[to.value],
        cc=cc,
        reply_to=[reply_address(conversation)],
        headers=thread_headers(message),
    )
    if message.author_id is None:
        # RFC 3834: automatic mail says so, so that other robots do not answer it.
        mail.extra_headers["Auto-Submitted"] = "auto-replied"
        mail.extra_headers["X-Auto-Response-Suppress"] = "All"
    if message.html:
        mail.attach_alternative(message.html, "text/html")
    mail.send()
