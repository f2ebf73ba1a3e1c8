"""Signed links for customers: survey answers (expiring, single-use through the nonce and the one
answer a survey may have), unsubscribing from surveys, and referral links."""

from __future__ import annotations

from django.conf import settings
from django.core import signing

from regard.loyalty.conf import survey_link_days

SURVEY_SALT = "regard.loyalty.survey"
UNSUBSCRIBE_SALT = "regard.loyalty.unsubscribe"
REFERRAL_SALT = "regard.loyalty.referral"


class BadLink(Exception):
    """The link was tampered with or is not one of ours."""


class ExpiredLink(Exception):
    """The link was genuine but is too old."""


def survey_token(survey) -> str:
    return signing.dumps({"s": survey.pk, "n": survey.nonce}, salt=SURVEY_SALT, compress=True)


def read_survey_token(token: str) -> tuple[int, str]:
    """(survey id, nonce) from a token; raises BadLink or ExpiredLink."""
    max_age = survey_link_days() * 86_400
    try:
        data = signing.loads(token, salt=SURVEY_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise ExpiredLink from None
    except signing.BadSignature:
        raise BadLink from None
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        raise BadLink
    return data["s"], str(data.get("n", ""))


def customer_token(customer_id: int, salt: str) -> str:
    return signing.Signer(salt=salt).sign(str(customer_id))


def read_customer_token(token: str, salt: str) -> int:
    try:
        return int(signing.Signer(salt=salt).unsign(token))
    except (signing.BadSignature, ValueError):
        raise BadLink from None


def absolute(path: str) -> str:
    return settings.BASE_URL + path
