"""`regard apitoken LOGIN NAME`: make an API token for an agent (printed once), or
`--revoke KEY_ID`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from regard.accounts.models import Agent
from regard.api.models import ApiToken
from regard.api.tokens import issue_token, revoke_token


class Command(BaseCommand):
    help = "Make an API token for an agent (shown once), or revoke one by its key id."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?")
        parser.add_argument("name", nargs="?", help="What the token is for")
        parser.add_argument("--days", type=int, default=None, help="Default: REGARD_API_TOKEN_DAYS")
        parser.add_argument("--revoke", metavar="KEY_ID")

    def handle(self, *args, username, name, days, revoke, **options):
        if revoke:
            token = ApiToken.objects.filter(key_id=revoke).first()
            if token is None:
                raise CommandError(f"no token with key id {revoke}")
            revoke_token(None, token)
            self.stdout.write(f"revoked {token.key_id}")
            return
        if not username or not name:
            raise CommandError("give the agent's login and what the token is for")
        agent = Agent.objects.filter(user__username=username, user__is_active=True).first()
        if agent is None:
            raise CommandError(f"no active agent with login {username}")
        try:
            issued = issue_token(None, agent, name, days=days)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(issued.secret)
