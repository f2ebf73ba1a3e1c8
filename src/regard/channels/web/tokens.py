"""Signed values the web form hands out: when a form was served, and what its confirmation shows.

The stamp is not secret (anyone may fetch a fresh form); its signature only stops a script from
inventing one, so a form posted at once, from long ago or with a forged time is asked again.
"""

from __future__ import annotations

import time

from django.core import signing

from regard.channels.web.choices import MIN_SECONDS_TO_FILL, STAMP_MAX_AGE

STAMP_SALT = "regard.contact.stamp"
THANKS_SALT = "regard.contact.thanks"
THANKS_MAX_AGE = 3600


class StaleForm(ValueError):
    """The form's stamp is missing, forged, too fresh or too old; the text says which."""


def form_stamp(now: float | None = None) -> str:
    return signing.dumps({"t": round(time.time() if now is None else now, 3)}, salt=STAMP_SALT)


def check_stamp(value: str, now: float | None = None) -> None:
    now = time.time() if now is None else now
    try:
        served = float(signing.loads(value or "", salt=STAMP_SALT)["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise StaleForm(
            "This form could not be checked (it may be an old copy). We have kept your text: "
            "please send it again."
        ) from None
    age = now - served
    if age < MIN_SECONDS_TO_FILL:
        raise StaleForm(
            "That was very quick, so we could not tell you from a robot. We have kept your "
            "text: please press Send again."
        )
    if age > STAMP_MAX_AGE:
        raise StaleForm(
            "This page was open for more than a day. We have kept your text: please send it again."
        )


def thanks_token(message_id: int | None, *, name: str = "", email: str = "") -> str:
    """What the confirmation page may show: a stored message, or (for a robot) nothing stored."""
    data = {"m": message_id} if message_id else {"m": 0, "n": name[:200], "e": email[:254]}
    return signing.dumps(data, salt=THANKS_SALT, compress=True)


def read_thanks_token(value: str) -> dict | None:
    try:
        data = signing.loads(value or "", salt=THANKS_SALT, max_age=THANKS_MAX_AGE)
    except signing.BadSignature:
        return None
    return data if isinstance(data, dict) and "m" in data else None
