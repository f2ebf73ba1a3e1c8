"""Fetch-and-check for agents: raise PermissionDenied unless the user may act."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from regard.accounts.permissions import can, role_of


def require(user, capability: str) -> None:
    if not can(user, capability):
        raise PermissionDenied(capability)


def require_agent(user) -> None:
    if role_of(user) is None:
        raise PermissionDenied("agents only")
