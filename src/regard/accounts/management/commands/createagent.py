"""`regard createagent LOGIN --role ROLE`: add an agent who can log in."""

from __future__ import annotations

import getpass

from django.core.management.base import BaseCommand, CommandError

from regard.accounts.actions import create_agent
from regard.accounts.choices import Role
from regard.accounts.models import Team


class Command(BaseCommand):
    help = "Create an agent (a login with a role)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", choices=Role.values, default=Role.AGENT)
        parser.add_argument("--name", default="", help="Display name shown to customers")
        parser.add_argument("--email", default="")
        parser.add_argument("--team", action="append", default=[], help="Team name (repeatable)")
        parser.add_argument("--password", help="Default: asked for interactively")

    def handle(self, *args, username, role, name, email, team, password, **options):
        if password is None:
            password = getpass.getpass("Password: ")
        if len(password) < 8:
            raise CommandError("the password needs at least 8 characters")
        teams = [Team.objects.get_or_create(name=team_name)[0] for team_name in team]
        try:
            agent = create_agent(
                username, password, display_name=name, email=email, role=role, teams=teams
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"login: {username} role: {agent.role}")
