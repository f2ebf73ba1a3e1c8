"""Identity tokens from the host site: who a signed-in visitor is, vouched for with an HMAC.

    token = base64url(json({"email", "name", "exp"})) + "." + hex(HMAC-SHA256(secret, payload))

The host site signs with the secret it shares with Regard (REGARD_CHAT_IDENTITY_SECRET); any
token that is malformed, tampered with, expired or signed with another secret reads as None.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from dataclasses import dataclass

MAX_TOKEN_CHARS = 4096


@dataclass(frozen=True)
class VisitorIdentity:
    email: str
    name: str


def _mac(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), payload.encode("ascii"), hashlib.sha256).hexdigest()


def sign_identity(email: str, name: str = "", *, secret: str, ttl: int = 3600) -> str:
    """A token the host site puts in the widget's `data-identity` for a signed-in customer."""
    if not secret:
        raise ValueError("an identity token needs a secret")
    body = json.dumps({"email": email, "name": name, "exp": int(time.time()) + ttl})
    payload = base64.urlsafe_b64encode(body.encode()).rstrip(b"=").decode("ascii")
    return f"{payload}.{_mac(secret, payload)}"


def read_identity(token: str, *, secret: str, now: float | None = None) -> VisitorIdentity | None:
    """The visitor the token vouches for, or None when it cannot be trusted."""
    if not secret or not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS:
        return None
    payload, dot, mac = token.partition(".")
    if not dot or not payload.isascii() or not mac.isascii():
        return None
    if not hmac.compare_digest(_mac(secret, payload), mac.lower()):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (binascii.Error, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    email, name, expires = data.get("email"), data.get("name") or "", data.get("exp")
    if not isinstance(email, str) or not isinstance(name, str):
        return None
    if not isinstance(expires, int | float) or isinstance(expires, bool):
        return None
    if expires < (time.time() if now is None else now):
        return None
    return VisitorIdentity(email=email.strip(), name=name.strip()[:200])
