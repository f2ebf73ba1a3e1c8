"""`{% incident_banner convo %}`: the open incidents a conversation is part of."""

from django import template
from django.db.models import Q

from regard.incidents.choices import OPEN_STATUSES
from regard.incidents.models import AffectedCustomer

register = template.Library()


@register.inclusion_tag("incidents/_banner.html")
def incident_banner(conversation):
    """Linked by this conversation, or by its customer (a reply may have opened a new one)."""
    links = (
        AffectedCustomer.objects.filter(incident__status__in=OPEN_STATUSES)
        .filter(Q(conversation=conversation) | Q(customer_id=conversation.customer_id))
        .select_related("incident")
    )
    return {"links": links}
