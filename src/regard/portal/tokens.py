"""The signed token in a magic sign-in link: which PortalLink row, and its nonce.

The signature proves we wrote it, its timestamp makes it expire (`PORTAL_LINK_MAX_AGE`), and the
row's `used_at` makes it single use.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing

LINK_SALT = "regard.portal.link"


class BadLink(Exception):
    """Tampered with, cut short, or not one of ours."""


class ExpiredLink(Exception):
    """Genuine, but older than PORTAL_LINK_MAX_AGE."""


def link_token(link) -> str:
    return signing.dumps({"l": link.pk, "n": link.nonce}, salt=LINK_SALT)


def read_link_token(token: str) -> tuple[int, str]:
    """(link id, nonce); raises BadLink or ExpiredLink."""
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=settings.PORTAL_LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise ExpiredLink from None
    except signing.BadSignature:
        raise BadLink from None
    if not isinstance(data, dict) or not isinstance(data.get("l"), int):
        raise BadLink
    if not isinstance(data.get("n"), str):
        raise BadLink
    return data["l"], data["n"]
