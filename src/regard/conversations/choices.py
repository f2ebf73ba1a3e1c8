"""Statuses with their allowed transitions, priorities, directions and delivery states."""

from django.db import models


class Status(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    PENDING = "pending", "Pending on customer"
    ON_HOLD = "on_hold", "On hold"
    SOLVED = "solved", "Solved"
    CLOSED = "closed", "Closed"


# A closed conversation never reopens: a customer's reply starts a linked new one.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.OPEN, Status.PENDING, Status.ON_HOLD, Status.SOLVED}),
    Status.OPEN: frozenset({Status.PENDING, Status.ON_HOLD, Status.SOLVED}),
    Status.PENDING: frozenset({Status.OPEN, Status.ON_HOLD, Status.SOLVED}),
    Status.ON_HOLD: frozenset({Status.OPEN, Status.PENDING, Status.SOLVED}),
    Status.SOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}

ACTIVE_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD)


class Priority(models.IntegerChoices):
    LOW = 1, "Low"
    NORMAL = 2, "Normal"
    HIGH = 3, "High"
    URGENT = 4, "Urgent"


class Direction(models.TextChoices):
    INBOUND = "inbound", "From the customer"
    OUTBOUND = "outbound", "To the customer"
    NOTE = "note", "Internal note"


class Delivery(models.TextChoices):
    NONE = "", "Not sent"
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class EventKind(models.TextChoices):
    CONVERSATION_OPENED = "conversation.opened", "Conversation opened"
    MESSAGE_RECEIVED = "message.received", "Message received"
    REPLY_SENT = "message.replied", "Reply sent"
    NOTE_ADDED = "message.noted", "Internal note added"
    STATUS_CHANGED = "conversation.status", "Status changed"
    ASSIGNED = "conversation.assigned", "Assigned"
    ROUTED = "conversation.routed", "Routed"
    OFFERED_BACK = "conversation.offered_back", "Offered back to the team"
    TAGGED = "conversation.tagged", "Tags changed"
    CUSTOMER_CREATED = "customer.created", "Customer created"
    CUSTOMER_UPDATED = "customer.updated", "Customer profile changed"
    CUSTOMER_NOTED = "customer.noted", "Personal note added"
    CUSTOMERS_MERGED = "customer.merged", "Customers merged"
    CUSTOMERS_UNMERGED = "customer.unmerged", "Customer merge undone"
    IDENTITY_ADDED = "identity.added", "Identity added"
    MOMENT_ADDED = "customer.moment", "Moment added"
    PROMISE_MADE = "promise.made", "Promise made"
    PROMISE_KEPT = "promise.kept", "Promise kept"
    PROMISE_BROKEN = "promise.broken", "Promise broken"
    PROMISE_RENEGOTIATED = "promise.renegotiated", "Promise renegotiated"
    PROMISE_REMINDER = "promise.reminder", "Promise due soon"
    SNOOZED = "conversation.snoozed", "Snoozed"
    DELIVERY_FAILED = "message.failed", "Delivery failed"
    AUTOMATIC_MAIL_CAPPED = "message.auto_capped", "Automatic mail held back (cap reached)"
    MERGE_SUGGESTED = "conversation.merge_suggested", "Looks like a duplicate"
    CONVERSATIONS_MERGED = "conversation.merged", "Conversations merged"
    SERVICE_WARNING = "service.warning", "Service level due soon"
    SERVICE_BREACHED = "service.breached", "Service level breached"
    SERVICE_ESCALATED = "service.escalated", "Service level breach escalated"
