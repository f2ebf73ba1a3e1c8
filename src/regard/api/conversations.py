"""Conversations through the API: the same fetch-and-check and domain actions as the pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.validators import validate_email
from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status

from regard.accounts.access import require
from regard.accounts.permissions import ASSIGN, CHANGE_STATUS, REPLY
from regard.api.schemas import (
    AssignIn,
    ConversationDetail,
    ConversationIn,
    ConversationOut,
    ConversationPatch,
    MessageOut,
    NoteIn,
    ReplyIn,
)
from regard.channels.web.actions import Submission, receive_web_form
from regard.conversations import actions
from regard.conversations.access import conversation_for, conversations_for
from regard.conversations.models import Conversation, Message
from regard.web.manage import assignable_agents

router = Router(tags=["conversations"])
MESSAGES_SHOWN = 200


class ListQuery(Schema):
    status: str | None = None
    customer_id: int | None = None
    mine: bool = False
    before: int | None = None  # the id of the last conversation of the previous page
    limit: int = 25


def conversation_out(conversation: Conversation) -> dict:
    return {
        "id": conversation.pk,
        "subject": conversation.subject,
        "status": conversation.status,
        "priority": conversation.priority,
        "channel": conversation.channel,
        "customer_id": conversation.customer_id,
        "customer_name": conversation.customer.address_name or conversation.customer.display_name,
        "team": conversation.team.name if conversation.team else None,
        "assignee": conversation.assignee.display_name if conversation.assignee else None,
        "tags": sorted(tag.name for tag in conversation.tags.all()),
        "upset": conversation.upset,
        "waiting_since": conversation.waiting_since,
        "snoozed_until": conversation.snoozed_until,
        "created_at": conversation.created_at,
        "updated_at": conversation.updated_at,
    }


def message_out(message: Message) -> dict:
    return {
        "id": message.pk,
        "direction": message.direction,
        "channel": message.channel,
        "author": message.author.agent.display_name if message.author_id else None,
        "sender_address": message.sender_address,
        "subject": message.subject,
        "text": message.text_full,
        "text_new": message.text_new,
        "emotion": message.emotion,
        "delivery": message.delivery,
        "created_at": message.created_at,
        "attachments": [item.filename for item in message.attachments.all()],
    }


def _load(request: HttpRequest, conversation_id: int) -> Conversation:
    return conversation_for(request.user, conversation_id)


def _detail(conversation: Conversation) -> dict:
    conversation = (
        Conversation.objects.select_related("customer", "team", "assignee")
        .prefetch_related("tags")
        .get(pk=conversation.pk)
    )
    newest = (
        conversation.messages.select_related("author__agent")
        .prefetch_related("attachments")
        .order_by("-created_at", "-pk")[:MESSAGES_SHOWN]
    )
    return {
        **conversation_out(conversation),
        "messages": [message_out(m) for m in reversed(list(newest))],
    }


@router.get("/conversations", response=list[ConversationOut])
def list_conversations(request: HttpRequest, filters: Query[ListQuery]):
    """Newest first, `limit` (at most 100) a page; pass the last id as `before` for the next."""
    found = conversations_for(request.user).select_related("customer", "team", "assignee")
    if filters.status:
        found = found.filter(status=filters.status)
    if filters.customer_id:
        found = found.filter(customer_id=filters.customer_id)
    if filters.mine:
        found = found.filter(assignee=request.user.agent)
    if filters.before:
        found = found.filter(pk__lt=filters.before)
    limit = min(max(filters.limit, 1), 100)
    page = found.prefetch_related(Prefetch("tags")).order_by("-pk")[:limit]
    return [conversation_out(c) for c in page]


@router.get("/conversations/{int:conversation_id}", response=ConversationDetail)
def get_conversation(request: HttpRequest, conversation_id: int):
    """The conversation and its newest 200 messages and notes, oldest first."""
    return _detail(_load(request, conversation_id))


@router.post("/conversations", response={201: ConversationDetail})
def create_conversation(request: HttpRequest, payload: ConversationIn):
    """A customer's message from another system (your shop's form, say): it arrives as a web
    message would, with the same receipt by e-mail."""
    require(request.user, REPLY)
    if "\r" in payload.name or "\n" in payload.name:
        raise ValueError("a name cannot contain line breaks")
    validate_email(payload.email)
    message = receive_web_form(
        Submission(email=payload.email, name=payload.name.strip(), text=payload.text)
    )
    return Status(201, _detail(message.conversation))


@router.post("/conversations/{int:conversation_id}/replies", response={201: MessageOut})
def reply(request: HttpRequest, conversation_id: int, payload: ReplyIn):
    """An agent's reply, delivered to the customer in the conversation's channel."""
    conversation = _load(request, conversation_id)
    require(request.user, REPLY)
    message = actions.send_reply(request.user, conversation, payload.text, status=payload.status)
    return Status(201, message_out(message))


@router.post("/conversations/{int:conversation_id}/notes", response={201: MessageOut})
def note(request: HttpRequest, conversation_id: int, payload: NoteIn):
    """An internal note, never shown to the customer."""
    conversation = _load(request, conversation_id)
    return Status(201, message_out(actions.add_note(request.user, conversation, payload.text)))


@router.patch("/conversations/{int:conversation_id}", response=ConversationDetail)
def update_conversation(request: HttpRequest, conversation_id: int, payload: ConversationPatch):
    """Status, tags (the whole list) and snooze; each change is an event on the timeline."""
    conversation = _load(request, conversation_id)
    require(request.user, CHANGE_STATUS)
    changes = payload.model_dump(exclude_unset=True)
    if changes.get("status"):
        conversation = actions.change_status(request.user, conversation, changes["status"])
    if changes.get("tags") is not None:
        actions.set_tags(request.user, conversation, changes["tags"])
    if "snoozed_until" in changes:
        until = changes["snoozed_until"]
        if until is not None and timezone.is_naive(until):
            raise ValueError("give snoozed_until with its time zone")
        actions.snooze_conversation(request.user, conversation, until)
    return _detail(conversation)


@router.post("/conversations/{int:conversation_id}/assign", response=ConversationDetail)
def assign(request: HttpRequest, conversation_id: int, payload: AssignIn):
    """To an agent of the conversation's team (or nobody, with `assignee_id` null)."""
    conversation = _load(request, conversation_id)
    require(request.user, ASSIGN)
    assignee = None
    if payload.assignee_id is not None:
        assignee = assignable_agents(conversation).filter(pk=payload.assignee_id).first()
        if assignee is None:
            raise PermissionDenied("choose an agent of the conversation's team")
    actions.assign_conversation(request.user, conversation, assignee, reason="assigned by API")
    return _detail(conversation)
