"""`{% service_clocks convo %}`: a conversation's service clocks, for the conversation page."""

from django import template
from django.utils import timezone

from regard.service.display import clocks_for

register = template.Library()


@register.inclusion_tag("service/clocks.html")
def service_clocks(conversation, now=None):
    return {"clocks": clocks_for(conversation, now or timezone.now())}
