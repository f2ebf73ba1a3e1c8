"""Who may do what with incidents: fetch-and-check in one call.

Every agent may see incidents and help link customers; only supervisors and admins (BROADCAST)
and the incident's owner may edit it, speak for it, or resolve it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from regard.accounts.permissions import BROADCAST, REPLY, can, role_of
from regard.incidents.models import Incident


def may_broadcast(user, incident: Incident) -> bool:
    if role_of(user) is None:
        return False
    return can(user, BROADCAST) or incident.owner_id == user.agent.pk


def require_broadcast(user, incident: Incident) -> None:
    if not may_broadcast(user, incident):
        raise PermissionDenied("only supervisors and the incident owner may speak for it")


def require_declare(user) -> None:
    if not can(user, REPLY):
        raise PermissionDenied("only agents who reply to customers may declare incidents")


def require_link(user) -> None:
    if not can(user, REPLY):
        raise PermissionDenied("only agents who reply to customers may link them")


def incidents_for(user):
    if role_of(user) is None:
        raise PermissionDenied("agents only")
    return Incident.objects.all()


def incident_for(user, incident_id) -> Incident:
    try:
        return incidents_for(user).select_related("owner").get(pk=int(incident_id))
    except (Incident.DoesNotExist, ValueError, TypeError):
        raise Http404("No such incident") from None
