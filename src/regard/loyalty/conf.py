"""The loyalty settings from the environment (see regard.config) and the admins' policy row."""

from __future__ import annotations

from django.conf import settings


def _env(name: str, attribute: str) -> int:
    # Tests override the attribute; otherwise the parsed environment value is used.
    return getattr(settings, attribute, None) or settings.ENV[name]


def survey_interval_days() -> int:
    return _env("REGARD_SURVEY_INTERVAL_DAYS", "SURVEY_INTERVAL_DAYS")


def nps_interval_days() -> int:
    return _env("REGARD_NPS_INTERVAL_DAYS", "NPS_INTERVAL_DAYS")


def survey_link_days() -> int:
    return _env("REGARD_SURVEY_LINK_DAYS", "SURVEY_LINK_DAYS")


def policy():
    """The one LoyaltyPolicy row, created with its defaults the first time it is needed."""
    from regard.loyalty.models import LoyaltyPolicy

    return LoyaltyPolicy.objects.order_by("pk").first() or LoyaltyPolicy.objects.create()
