"""Issuing, checking and revoking API tokens.

A token reads `rgd_<key_id>_<secret>`: the key id finds the row, the secret (256 random bits)
is compared with the stored SHA-256 digest in constant time. A slow password hash would add
nothing for a secret this long and would cost every request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from regard.api.models import ApiToken
from regard.conversations.events import record_event

PREFIX = "rgd"
# Writing last_used_at on every request would make every API read a write.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Issued:
    token: ApiToken
    secret: str  # the whole token string; shown to its owner once, never stored


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(actor, agent, name: str, *, days: int | None = None, at=None) -> Issued:
    """A new token for `agent`; only `agent` themself or an admin may ask (checked by callers)."""
    name = " ".join(name.split())[:120]
    if not name:
        raise ValueError("give the token a name that says what it is for")
    at = at or timezone.now()
    days = settings.API_TOKEN_DAYS if days is None else days
    if days < 1:
        raise ValueError("a token must live at least one day")
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        agent=agent,
        name=name,
        key_id=key_id,
        digest=_digest(secret),
        created_at=at,
        expires_at=at + timedelta(days=days),
    )
    record_event("api_token.issued", actor=actor, agent=agent.pk, key_id=key_id, name=name)
    return Issued(token, f"{PREFIX}_{key_id}_{secret}")


def revoke_token(actor, token: ApiToken, at=None) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = at or timezone.now()
        token.save(update_fields=["revoked_at"])
        record_event("api_token.revoked", actor=actor, agent=token.agent_id, key_id=token.key_id)
    return token


def check_token(presented: str, at=None) -> ApiToken | None:
    """The live token `presented` names, with its agent's user loaded; None for anything else."""
    parts = presented.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1] or not parts[2]:
        return None
    token = (
        ApiToken.objects.select_related("agent__user")
        .filter(key_id=parts[1], revoked_at__isnull=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.digest, _digest(parts[2])):
        return None
    at = at or timezone.now()
    if token.expires_at <= at or not token.agent.user.is_active:
        return None
    if token.last_used_at is None or at - token.last_used_at >= TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=at)
    return token
