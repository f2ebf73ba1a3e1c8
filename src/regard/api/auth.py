"""Who is calling the API, and how often: a bearer token or an agent's session, each limited to
`API_REQUESTS_PER_MINUTE` (429 with `Retry-After` beyond it)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from regard.accounts.permissions import role_of
from regard.api.tokens import check_token
from regard.system.ratelimit import allow, seconds_left

WINDOW = 60


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        super().__init__(f"too many requests; try again in {retry_after} s")
        self.retry_after = retry_after


def _within_limit(scope: str, key: str) -> None:
    if not allow(scope, key, limit=settings.API_REQUESTS_PER_MINUTE, window=WINDOW):
        raise RateLimited(seconds_left(WINDOW))


class TokenAuth(HttpBearer):
    """`Authorization: Bearer rgd_…`: the token's agent acts, as if logged in."""

    def authenticate(self, request: HttpRequest, token: str):
        found = check_token(token)
        if found is None or role_of(found.agent.user) is None:
            return None
        _within_limit("api-token", found.key_id)
        request.user = found.agent.user
        request.api_token = found
        return found.agent.user


class AgentSession(SessionAuth):
    """An agent logged in to Regard (CSRF-checked for writes, as ninja's session auth does)."""

    def authenticate(self, request: HttpRequest, key: str | None):
        user = super().authenticate(request, key)
        if user is None or role_of(user) is None:
            return None
        _within_limit("api-session", str(user.pk))
        return user
