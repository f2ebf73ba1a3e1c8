"""Who is signed in to the portal, and what they may see: every portal page asks here.

A customer sees their own conversations, and their organization's when the organization shares
them (`Organization.portal_shared`). Everything else a page shows (messages, attachments,
promises, incident updates) is reached through `visible_conversations`. Anything outside it is a
404, never a 403: the portal does not confirm that someone else's record exists.
"""

from __future__ import annotations

from functools import wraps

from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect

from regard.conversations.choices import Direction
from regard.conversations.models import Attachment, Conversation
from regard.customers.models import Customer

# Separate from Django's auth keys: an agent login grants nothing here, and a portal sign-in
# grants nothing in the agent workspace.
SESSION_KEY = "regard_portal_customer"


def surviving(customer: Customer | None) -> Customer | None:
    """The customer a merged one now lives on (merges may chain)."""
    seen = set()
    while customer is not None and customer.merged_into_id and customer.pk not in seen:
        seen.add(customer.pk)
        customer = Customer.objects.filter(pk=customer.merged_into_id).first()
    return customer


def portal_customer(request) -> Customer | None:
    """The signed-in customer, or None."""
    customer_id = request.session.get(SESSION_KEY)
    if not isinstance(customer_id, int):
        return None
    customer = Customer.objects.select_related("organization").filter(pk=customer_id).first()
    return surviving(customer)


def customer_required(view):
    """The view gets `request.portal_customer`; signed-out visitors go to the sign-in page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        customer = portal_customer(request)
        if customer is None:
            return redirect("portal:home")
        request.portal_customer = customer
        return view(request, *args, **kwargs)

    return wrapper


def visible_conversations(customer: Customer):
    shared = customer.organization_id is not None and customer.organization.portal_shared
    if shared:
        return Conversation.objects.filter(
            Q(customer=customer) | Q(customer__organization_id=customer.organization_id)
        )
    return Conversation.objects.filter(customer=customer)


def conversation_for(customer: Customer, conversation_id: int) -> Conversation:
    conversation = visible_conversations(customer).filter(pk=conversation_id).first()
    if conversation is None:
        raise Http404("No such conversation")
    return conversation


def attachment_for(customer: Customer, attachment_id: int) -> Attachment:
    """An attachment of a message the customer may read: never on a note, never blocked."""
    item = (
        Attachment.objects.filter(
            pk=attachment_id,
            blocked=False,
            message__conversation__in=visible_conversations(customer),
        )
        .exclude(message__direction=Direction.NOTE)
        .first()
    )
    if item is None:
        raise Http404("No such file")
    return item
