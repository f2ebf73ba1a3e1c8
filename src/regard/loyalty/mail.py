"""The e-mails customers get from this app: a survey with one-click ratings, and the promoter
invitation. Every one carries an unsubscribe link."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from regard.conversations.events import record_event
from regard.loyalty.choices import QUESTIONS, SCALE_WORDS, SCALES, LoyaltyEvent
from regard.loyalty.tokens import (
    REFERRAL_SALT,
    UNSUBSCRIBE_SALT,
    absolute,
    customer_token,
    survey_token,
)


class NoAddress(Exception):
    """The customer has no working e-mail address any more."""


def unsubscribe_url(customer) -> str:
    token = customer_token(customer.pk, UNSUBSCRIBE_SALT)
    return absolute(reverse("loyalty:unsubscribe", args=[token]))


def referral_url(customer) -> str:
    token = customer_token(customer.pk, REFERRAL_SALT)
    return absolute(reverse("loyalty:referral", args=[token]))


def rating_links(survey) -> list[tuple[int, str]]:
    low, high, _ = SCALES[survey.kind]
    token = survey_token(survey)
    return [
        (score, absolute(reverse("loyalty:rate", args=[token, score])))
        for score in range(low, high + 1)
    ]


def _send(subject: str, template: str, context: dict, to: str, customer, sender=None) -> None:
    company = settings.COMPANY_NAME
    from_name = f"{sender.display_name} at {company}" if sender else company
    context = {**context, "company": company, "unsubscribe": unsubscribe_url(customer)}
    mail = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"loyalty/mail/{template}.txt", context),
        from_email=f"{from_name} <{settings.DEFAULT_FROM_EMAIL}>",
        to=[to],
        headers={
            "Auto-Submitted": "auto-generated",
            "List-Unsubscribe": f"<{context['unsubscribe']}>",
        },
    )
    mail.attach_alternative(render_to_string(f"loyalty/mail/{template}.html", context), "text/html")
    mail.send()


def send_survey_mail(survey) -> None:
    """Mail the survey to the customer's working address and note when it went."""
    from regard.loyalty.surveys import working_address

    customer = survey.customer
    to = working_address(customer, survey.conversation)
    if to is None:
        raise NoAddress(f"{customer.name} has no working e-mail address")
    low_word, high_word = SCALE_WORDS[survey.kind]
    context = {
        "name": customer.address_name or customer.name,
        "question": QUESTIONS[survey.kind],
        "links": rating_links(survey),
        "low_word": low_word,
        "high_word": high_word,
        "conversation": survey.conversation,
        "agent": survey.agent,
    }
    subject = (
        f"How did we do with “{survey.conversation.subject}”?"
        if survey.conversation and survey.conversation.subject
        else f"A quick question from {settings.COMPANY_NAME}"
    )
    _send(subject, "survey", context, to.value, customer, survey.agent)
    now = timezone.now()
    type(survey).objects.filter(pk=survey.pk).update(sent_at=now)
    record_event(
        LoyaltyEvent.SURVEY_SENT,
        conversation=survey.conversation,
        customer=customer,
        at=now,
        survey_id=survey.pk,
        survey=survey.kind,
        to=to.value,
        summary=f"{survey.get_kind_display()} to {to.value}",
    )


def send_promoter_invitation(customer, review_url: str, to: str, sender=None) -> None:
    context = {
        "name": customer.address_name or customer.name,
        "referral": referral_url(customer),
        "review_url": review_url,
    }
    subject = f"Thank you, {context['name']}: would you tell a friend?"
    _send(subject, "promoter", context, to, customer, sender)
