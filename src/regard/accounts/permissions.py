"""What each role may do: the one table every permission check in Regard reads."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User

from regard.accounts.choices import Role

VIEW_ALL_TEAMS = "view_all_teams"
REPLY = "reply"
ADD_NOTE = "add_note"
ASSIGN = "assign"
CHANGE_STATUS = "change_status"
EDIT_CUSTOMER = "edit_customer"
MERGE_CUSTOMERS = "merge_customers"
EXPORT_DATA = "export_data"
ADMINISTER = "administer"
BROADCAST = "broadcast"
MANAGE_ROUTING = "manage_routing"  # team routing modes, agent capacity and skills

CAPABILITIES: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(
        {
            VIEW_ALL_TEAMS,
            REPLY,
            ADD_NOTE,
            ASSIGN,
            CHANGE_STATUS,
            EDIT_CUSTOMER,
            MERGE_CUSTOMERS,
            EXPORT_DATA,
            ADMINISTER,
            BROADCAST,
            MANAGE_ROUTING,
        }
    ),
    Role.SUPERVISOR: frozenset(
        {
            VIEW_ALL_TEAMS,
            REPLY,
            ADD_NOTE,
            ASSIGN,
            CHANGE_STATUS,
            EDIT_CUSTOMER,
            MERGE_CUSTOMERS,
            BROADCAST,
            MANAGE_ROUTING,
        }
    ),
    Role.AGENT: frozenset({REPLY, ADD_NOTE, ASSIGN, CHANGE_STATUS, EDIT_CUSTOMER}),
    Role.LIGHT_AGENT: frozenset({ADD_NOTE}),
}


def role_of(user: User | AnonymousUser | None) -> str | None:
    """The user's role, or None for anyone who is not an active agent."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    agent = getattr(user, "agent", None)
    return agent.role if agent is not None else None


def can(user: User | AnonymousUser | None, capability: str) -> bool:
    role = role_of(user)
    return role is not None and capability in CAPABILITIES[role]
