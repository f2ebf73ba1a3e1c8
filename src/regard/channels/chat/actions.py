"""Every change the chat channel makes: sessions, visitor messages, offline mail, transcripts.

Visitor messages go through the same domain actions as e-mail (`open_conversation`,
`receive_message`), so routing, service clocks, emotion and promises work for chats as well.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from regard.accounts.choices import Availability, Role
from regard.accounts.models import Agent, Team
from regard.channels.chat.choices import ChatEvent
from regard.channels.chat.identity import read_identity
from regard.channels.chat.models import ChatSession
from regard.channels.chat.payloads import VISIBLE, message_payload
from regard.channels.chat.pubsub import publish
from regard.conversations.actions import open_conversation, receive_message
from regard.conversations.events import record_event
from regard.conversations.models import Conversation, Message
from regard.customers.actions import resolve_customer
from regard.customers.choices import Channel, IdentityKind
from regard.customers.identities import InvalidIdentity, normalize_email

SUBJECT_WORDS = 8


@dataclass(frozen=True)
class Started:
    session: ChatSession
    identity: str  # "accepted" | "refused" | "none"


def chat_team() -> Team | None:
    """The team that answers new conversations, and so the chat."""
    return Team.objects.filter(receives_new=True).first()


def is_online(team: Team | None = None) -> bool:
    """Somebody who answers customers is available: the team's members, else anyone."""
    agents = Agent.objects.filter(
        availability=Availability.AVAILABLE, user__is_active=True, capacity__gt=0
    ).exclude(role=Role.LIGHT_AGENT)
    if team is not None:
        agents = agents.filter(teams=team)
    return agents.exists()


@transaction.atomic
def start_chat(*, name: str = "", email: str = "", identity_token: str = "") -> Started:
    """A new visitor session: a signed identity from the host site, an e-mail they gave, or
    nobody yet (a chat handle). Raises InvalidIdentity for an e-mail that is not one."""
    state = "none"
    known = False
    if identity_token:
        vouched = read_identity(identity_token, secret=settings.CHAT_IDENTITY_SECRET)
        if vouched is not None and _is_address(vouched.email):
            email, name, known, state = vouched.email, vouched.name or name, True, "accepted"
        else:
            state = "refused"
    if email:
        resolved = resolve_customer(IdentityKind.EMAIL, email, name)
    else:
        resolved = resolve_customer(IdentityKind.CHAT, f"visitor-{secrets.token_hex(8)}", name)
    now = timezone.now()
    session = ChatSession.objects.create(
        customer=resolved.customer,
        identity=resolved.identity,
        name=name or resolved.customer.display_name,
        known=known,
        created_at=now,
        last_seen=now,
    )
    return Started(session, state)


def _is_address(value: str) -> bool:
    try:
        normalize_email(value)
    except InvalidIdentity:
        return False
    return True


def _subject(text: str) -> str:
    words = text.split()
    subject = " ".join(words[:SUBJECT_WORDS])
    return subject + ("…" if len(words) > SUBJECT_WORDS else "")


@transaction.atomic
def post_message(session: ChatSession, text: str, at=None) -> Message:
    """The visitor's message; the first one opens the chat conversation."""
    at = at or timezone.now()
    session = ChatSession.objects.select_for_update().get(pk=session.pk)
    conversation = session.conversation
    if conversation is None:
        # The identity's customer, not the session's: a merge moves identities, not sessions.
        customer = session.identity.customer
        conversation = open_conversation(
            None, customer, subject=_subject(text), channel=Channel.CHAT, at=at
        )
        record_event(ChatEvent.STARTED, conversation=conversation, at=at, known=session.known)
    message = receive_message(
        conversation, text_full=text, sender=session.identity, channel=Channel.CHAT, at=at
    )
    # A closed conversation continues in a linked new one: the chat follows it.
    session.conversation_id = message.conversation_id
    session.typing_at = None
    session.last_seen = at
    session.save(update_fields=["conversation", "typing_at", "last_seen"])
    payload = message_payload(message)  # the visitor's own stream confirms it
    transaction.on_commit(lambda: publish(session.pk, "message", payload, event_id=message.pk))
    return message


def set_visitor_typing(session: ChatSession, typing: bool) -> None:
    """Shown to the agent in the conversation's presence line (see templatetags/chat.py)."""
    now = timezone.now()
    ChatSession.objects.filter(pk=session.pk).update(
        typing_at=now if typing else None, last_seen=now
    )


@transaction.atomic
def leave_offline_message(session: ChatSession, *, email: str, name: str, text: str):
    """Nobody is online: the message becomes an e-mail conversation, answered by e-mail."""
    resolved = resolve_customer(IdentityKind.EMAIL, email, name or session.name)
    conversation = open_conversation(
        None, resolved.customer, subject=_subject(text), channel=Channel.EMAIL
    )
    receive_message(conversation, text_full=text, sender=resolved.identity, channel=Channel.EMAIL)
    record_event(ChatEvent.OFFLINE_MESSAGE, conversation=conversation, chat_session=session.pk)
    return conversation


def transcript_text(session: ChatSession) -> str:
    rows = (
        Message.objects.filter(conversation__chat_sessions=session, direction__in=VISIBLE)
        .select_related("author__agent")
        .order_by("created_at", "pk")
    )
    lines = []
    visitor = session.name or "You"
    for row in rows:
        agent = getattr(row.author, "agent", None) if row.author_id else None
        who = agent.display_name if agent else (visitor if row.direction == "inbound" else "Us")
        when = timezone.localtime(row.created_at).strftime("%-d %b %Y %H:%M")
        lines.append(f"{who}, {when}:\n{row.text_full}\n")
    return "\n".join(lines)


def transcript_address(session: ChatSession, email: str = "") -> str:
    """Where the transcript goes: the address given now, else the visitor's known address."""
    if email:
        return normalize_email(email)
    if session.identity.kind == IdentityKind.EMAIL:
        return session.identity.value
    customer = session.identity.customer  # after a merge, the customer the identity moved to
    known = customer.identities.filter(kind=IdentityKind.EMAIL, bouncing=False).first()
    return known.value if known else ""


def send_transcript(session: ChatSession, address: str) -> str:
    """E-mail the chat so far to `address` and note it on the conversation's timeline."""
    company = settings.COMPANY_NAME
    body = transcript_text(session) or "No messages yet."
    EmailMessage(
        subject=f"Your chat with {company}",
        body=f"Here is your chat with {company}, as you asked.\n\n{body}",
        from_email=f"{company} <{settings.DEFAULT_FROM_EMAIL}>",
        to=[address],
    ).send()
    conversation = Conversation.objects.filter(pk=session.conversation_id).first()
    record_event(
        ChatEvent.TRANSCRIPT_SENT,
        conversation=conversation,
        customer=session.identity.customer,
        sent_to=address,
    )
    return address
