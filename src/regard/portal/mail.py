"""The one e-mail the portal sends: the magic sign-in link."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from regard.portal.tokens import link_token


def link_url(link) -> str:
    return settings.BASE_URL + reverse("portal:landing", args=[link_token(link)])


def send_link_mail(link) -> None:
    minutes = int(settings.PORTAL_LINK_MAX_AGE.total_seconds() // 60)
    context = {
        "customer": link.customer,
        "url": link_url(link),
        "minutes": minutes,
        "company": settings.COMPANY_NAME,
    }
    EmailMessage(
        subject=f"Your sign-in link for {settings.COMPANY_NAME}",
        body=render_to_string("portal/mail/link.txt", context),
        from_email=f"{settings.COMPANY_NAME} <{settings.DEFAULT_FROM_EMAIL}>",
        to=[link.identity.display_value or link.identity.value],
        headers={"Auto-Submitted": "auto-generated"},
    ).send()
