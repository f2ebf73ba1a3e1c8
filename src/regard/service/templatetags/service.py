"""`{% service_clocks convo %}`: a conversation's service clocks, for the conversation page."""

from django import template
from django.utils import timezone

from regard.service.display import clocks_for

register = template.Library()


@register.inclusion_tag("service/clocks.html")
def service_clocks(conversation, now=None):
    return {"clocks": clocks_for(conversation, now or timezone.now())}


@register.inclusion_tag("service/due_cell.html")
def due_cell(due, now=None):
    """An inbox cell: 'in 40 minutes', or 'late 2 hours' once the due time has passed."""
    return {"due": due, "late": due is not None and due <= (now or timezone.now())}
