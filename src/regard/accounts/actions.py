"""Creating agents and teams."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction

from regard.accounts.choices import Role
from regard.accounts.models import Agent, Team


@transaction.atomic
def create_agent(
    username: str,
    password: str,
    *,
    display_name: str = "",
    email: str = "",
    role: str = Role.AGENT,
    teams: list[Team] = (),
) -> Agent:
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}: choose one of {', '.join(Role.values)}")
    if User.objects.filter(username=username).exists():
        raise ValueError(f"login {username!r} is taken")
    user = User.objects.create_user(
        username=username,
        password=password,
        email=email,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    agent = Agent.objects.create(user=user, display_name=display_name or username, role=role)
    agent.teams.set(teams)
    return agent
