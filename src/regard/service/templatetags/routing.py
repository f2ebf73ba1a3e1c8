"""`{% availability_form %}`: the top bar's availability switch (and the routing page link)."""

from django import template

from regard.accounts.choices import Availability
from regard.accounts.permissions import MANAGE_ROUTING, can, role_of

register = template.Library()


@register.inclusion_tag("service/_availability.html", takes_context=True)
def availability_form(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if role_of(user) is None:
        return {"agent": None}
    return {
        "agent": user.agent,
        "choices": Availability.choices,
        "csrf_token": context.get("csrf_token"),
        "next": request.get_full_path(),
        "can_manage": can(user, MANAGE_ROUTING),
    }
