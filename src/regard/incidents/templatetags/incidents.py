"""`{% incident_banner convo %}`: the open incidents a conversation is part of."""

from django import template
from django.db.models import Q

from regard.incidents.choices import OPEN_STATUSES
from regard.incidents.models import AffectedCustomer
from regard.system.prepared import Prepared

register = template.Library()

# On every conversation page: built once, then run with the conversation's ids.
OPEN_LINKS = Prepared(
    lambda conversation, customer: (
        AffectedCustomer.objects.filter(incident__status__in=OPEN_STATUSES)
        .filter(Q(conversation_id=conversation) | Q(customer_id=customer))
        .select_related("incident")
    ),
    conversation=int,
    customer=int,
)


@register.inclusion_tag("incidents/_banner.html")
def incident_banner(conversation):
    """Linked by this conversation, or by its customer (a reply may have opened a new one)."""
    links = OPEN_LINKS(conversation=conversation.pk, customer=conversation.customer_id)
    return {"links": links}
