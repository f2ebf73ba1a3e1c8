"""A conversation is one matter with one customer, told in messages and a timeline of events."""

import secrets

from django.conf import settings
from django.db import models

from regard.conversations.choices import Delivery, Direction, EventKind, Priority, Status
from regard.conversations.querysets import ConversationQuerySet
from regard.customers.choices import Channel


class Tag(models.Model):
    name = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def new_reply_token() -> str:
    """An unguessable token for the per-conversation reply address (support+TOKEN@...)."""
    return secrets.token_hex(10)


class Conversation(models.Model):
    # No single-column indexes for customer, assignee and team: Meta's composite indexes lead
    # with each, and every index is one more write for each conversation stored.
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="conversations",
        db_index=False,
    )
    subject = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.EMAIL)
    assignee = models.ForeignKey(
        "accounts.Agent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conversations",
        db_index=False,
    )
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conversations",
        db_index=False,
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="conversations")
    participants = models.ManyToManyField(
        "customers.Identity",
        blank=True,
        related_name="participations",
        help_text="Others copied in (CC) who also hear from us",
    )
    reply_token = models.CharField(max_length=32, unique=True, default=new_reply_token)
    linked_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
        help_text="The closed conversation this one continues",
    )
    # Oldest customer message still without an answer; null when the business spoke last.
    waiting_since = models.DateTimeField(null=True, blank=True)
    snoozed_until = models.DateTimeField(null=True, blank=True)
    # The customer's mood from their latest message (see regard.insight.emotion).
    emotion = models.CharField(max_length=16, blank=True)
    emotion_intensity = models.FloatField(null=True, blank=True)
    upset = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)
    first_reply_at = models.DateTimeField(null=True, blank=True)
    solved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ConversationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["assignee", "waiting_since"], name="conv_assignee_wait"),
            models.Index(fields=["team", "waiting_since"], name="conv_team_wait"),
            models.Index(fields=["status", "waiting_since"], name="conv_status_wait"),
            models.Index(fields=["customer", "created_at"], name="conv_customer_created"),
            models.Index(fields=["upset", "waiting_since"], name="conv_upset_wait"),
            # The inbox walks these in order and stops at a page (see regard.web.inbox).
            models.Index(fields=["waiting_since"], name="conv_waiting"),
            models.Index(fields=["snoozed_until"], name="conv_snoozed"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"


class Message(models.Model):
    # Indexed by Meta's (conversation, created_at), which leads with it.
    conversation = models.ForeignKey(
        Conversation, on_delete=models.PROTECT, related_name="messages", db_index=False
    )
    direction = models.CharField(max_length=16, choices=Direction.choices)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text="The agent who wrote it; empty for customer messages",
    )
    sender = models.ForeignKey(
        "customers.Identity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text="The customer identity it came from",
    )
    sender_address = models.CharField(max_length=320, blank=True)
    subject = models.CharField(max_length=500, blank=True)
    text_full = models.TextField(blank=True)
    text_new = models.TextField(blank=True, help_text="Without quoted history or signature")
    html = models.TextField(blank=True, help_text="Sanitised HTML as shown to agents")
    raw = models.ForeignKey(
        "channels.RawMessage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
        help_text="The source exactly as received",
    )
    external_id = models.CharField(max_length=998, blank=True, db_index=True)
    emotion = models.CharField(max_length=16, blank=True)
    emotion_intensity = models.FloatField(null=True, blank=True)
    complaint = models.BooleanField(default=False)
    signals = models.JSONField(default=list, blank=True)
    evidence = models.JSONField(default=list, blank=True, help_text="Spans behind the findings")
    delivery = models.CharField(max_length=16, choices=Delivery.choices, blank=True)
    delivery_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["conversation", "created_at"], name="msg_conv_created")]


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=255, default="application/octet-stream")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    inline = models.BooleanField(default=False)
    content_id = models.CharField(max_length=255, blank=True)
    blocked = models.BooleanField(default=False, help_text="Dangerous type: stored, not served")

    class Meta:
        ordering = ["id"]


# Every app's event codes and their labels; apps add theirs with `register_event_labels`.
EVENT_LABELS: dict[str, str] = dict(EventKind.choices)


def register_event_labels(choices: type[models.TextChoices]) -> None:
    EVENT_LABELS.update(choices.choices)


class Event(models.Model):
    """The timeline and the audit log: append-only."""

    kind = models.CharField(max_length=40, help_text="A stable code from EventKind")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # Indexed by Meta's (conversation, created_at) and (customer, created_at), which lead with
    # them; an inbound mail writes two or three events, each paying for every index.
    conversation = models.ForeignKey(
        Conversation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        db_index=False,
    )
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        db_index=False,
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["conversation", "created_at"], name="event_conv_created"),
            models.Index(fields=["customer", "created_at"], name="event_customer_created"),
            # The inbox's "needs your attention": the last days' events of a few kinds.
            models.Index(fields=["kind", "created_at"], name="event_kind_created"),
        ]

    @property
    def label(self) -> str:
        return EVENT_LABELS.get(self.kind, self.kind)


class SavedReply(models.Model):
    """A reply agents reuse; placeholders such as {name} are filled for each customer."""

    title = models.CharField(max_length=120)
    text = models.TextField(
        help_text="Placeholders: {name}, {full_name}, {agent}, {company}, {ticket}, "
        "{organization}, {subject}"
    )
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="saved_replies",
        help_text="Empty: for every team",
    )
    created_by = models.ForeignKey(
        "accounts.Agent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        verbose_name_plural = "saved replies"

    def __str__(self) -> str:
        return self.title


class Presence(models.Model):
    """Who has a conversation open right now, and who is typing in it: lasts seconds, so it
    is not exported."""

    agent = models.ForeignKey("accounts.Agent", on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    typing = models.BooleanField(default=False)
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "agent"], name="presence_once")
        ]
