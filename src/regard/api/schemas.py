"""What the API reads and writes. Input schemas forbid unknown fields, so a privileged field
(author, team, organization, role…) sent along is refused by name rather than quietly ignored."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class Problem(Schema):
    detail: str


class AgentOut(Schema):
    id: int
    name: str
    role: str
    teams: list[str]


class MessageOut(Schema):
    id: int
    direction: str
    channel: str
    author: str | None
    sender_address: str
    subject: str
    text: str
    text_new: str
    emotion: str
    delivery: str
    created_at: datetime
    attachments: list[str]


class ConversationOut(Schema):
    id: int
    subject: str
    status: str
    priority: int
    channel: str
    customer_id: int
    customer_name: str
    team: str | None
    assignee: str | None
    tags: list[str]
    upset: bool
    waiting_since: datetime | None
    snoozed_until: datetime | None
    created_at: datetime
    updated_at: datetime


class ConversationDetail(ConversationOut):
    messages: list[MessageOut]


class ConversationIn(Strict):
    """A customer's message that reached the business elsewhere (a shop form, a phone call)."""

    email: str = Field(max_length=320)
    name: str = Field("", max_length=200)
    text: str = Field(min_length=1, max_length=100_000)
    channel: Literal["web", "phone"] = "web"


class ReplyIn(Strict):
    text: str = Field(min_length=1, max_length=100_000)
    status: Literal["open", "pending", "on_hold", "solved"] | None = None


class NoteIn(Strict):
    text: str = Field(min_length=1, max_length=100_000)


class ConversationPatch(Strict):
    status: Literal["open", "pending", "on_hold", "solved", "closed"] | None = None
    tags: list[str] | None = Field(None, max_length=50)
    snoozed_until: datetime | None = None


class AssignIn(Strict):
    assignee_id: int | None = None


class CustomerOut(Schema):
    id: int
    display_name: str
    preferred_name: str
    pronunciation: str
    language: str
    time_zone: str
    preferred_channel: str
    vip: bool
    organization: str | None
    owner: str | None
    identities: list[str]
    needs: str
    wants: str
    emotions: str
    stereotypes_to_avoid: str
    created_at: datetime


class CustomerPatch(Strict):
    """What an integration may change; who owns a customer and their organization are set by
    people in Regard."""

    display_name: str | None = Field(None, max_length=200)
    preferred_name: str | None = Field(None, max_length=120)
    pronunciation: str | None = Field(None, max_length=200)
    language: str | None = Field(None, max_length=16)
    time_zone: str | None = Field(None, max_length=64)
    preferred_channel: Literal["", "email", "web", "chat", "phone"] | None = None
    vip: bool | None = None
    needs: str | None = Field(None, max_length=5000)
    wants: str | None = Field(None, max_length=5000)
    emotions: str | None = Field(None, max_length=5000)
    stereotypes_to_avoid: str | None = Field(None, max_length=5000)
