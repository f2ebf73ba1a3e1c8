"""The visitor token: a signed (session id, nonce) the widget keeps and sends as a bearer token."""

from __future__ import annotations

from datetime import timedelta

from django.core import signing

SALT = "regard.chat.visitor"
MAX_AGE = timedelta(days=30)


class BadVisitorToken(Exception):
    """Missing, tampered with, expired, or for a session that no longer exists."""


def visitor_token(session) -> str:
    return signing.dumps({"s": session.pk, "n": session.nonce}, salt=SALT, compress=False)


def read_visitor_token(token: str) -> tuple[int, str]:
    """(session id, nonce) from a token, or BadVisitorToken."""
    if not token or len(token) > 500:
        raise BadVisitorToken("a visitor token is needed")
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        raise BadVisitorToken("this chat token is not valid; start a new chat") from None
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        raise BadVisitorToken("this chat token is not valid; start a new chat")
    return data["s"], str(data.get("n", ""))


def session_for(token: str):
    """The ChatSession a token belongs to, or BadVisitorToken."""
    from regard.channels.chat.models import ChatSession

    session_id, nonce = read_visitor_token(token)
    session = ChatSession.objects.select_related("customer", "identity").filter(pk=session_id)
    session = session.first()
    if session is None or session.nonce != nonce:
        raise BadVisitorToken("this chat has ended; start a new chat")
    return session
