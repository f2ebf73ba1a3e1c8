"""Loyalty on other apps' pages: the customer card's health and answers, and a draft waiting in
the composer."""

from django import template

from regard.loyalty.choices import SCALES
from regard.loyalty.drafts import draft_for
from regard.loyalty.models import CustomerHealth, Kudos, SurveyAnswer

register = template.Library()


def _answers(answers):
    return [(a, SCALES[a.survey.kind][1]) for a in answers]


@register.inclusion_tag("loyalty/_card.html")
def loyalty_card(customer):
    answers = SurveyAnswer.objects.filter(survey__customer=customer).select_related("survey")[:3]
    return {
        "customer": customer,
        "health": CustomerHealth.objects.filter(customer=customer).first(),
        "answers": _answers(answers),
        "kudos": Kudos.objects.filter(customer=customer).count(),
    }


@register.simple_tag
def composer_draft(conversation) -> str:
    return draft_for(conversation)
