"""Loyalty on other apps' pages: the customer card's health and answers, and a draft waiting in
the composer."""

from django import template

from regard.loyalty.choices import SCALES
from regard.loyalty.drafts import draft_for
from regard.loyalty.models import CustomerHealth, Kudos, SurveyAnswer
from regard.system.prepared import Prepared, PreparedCount

register = template.Library()

# The customer card is on every conversation page: these are built once, then run with the
# customer's id.
HEALTH = Prepared(  # .first(): the model's ordering, then one row
    lambda customer: CustomerHealth.objects.filter(customer_id=customer)[:1], customer=int
)
ANSWERS = Prepared(
    lambda customer: SurveyAnswer.objects.filter(survey__customer_id=customer).select_related(
        "survey"
    )[:3],
    customer=int,
)
KUDOS = PreparedCount(Kudos, "customer_id")


def _answers(answers):
    return [(a, SCALES[a.survey.kind][1]) for a in answers]


@register.inclusion_tag("loyalty/_card.html")
def loyalty_card(customer):
    health = HEALTH(customer=customer.pk)
    return {
        "customer": customer,
        "health": health[0] if health else None,
        "answers": _answers(ANSWERS(customer=customer.pk)),
        "kudos": KUDOS(customer.pk),
    }


@register.simple_tag
def composer_draft(conversation) -> str:
    return draft_for(conversation)
