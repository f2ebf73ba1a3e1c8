"""Thank-you moments: found by a sweep for every customer alike, each turned into one personal
draft for the customer's owner (or sent, when admins allow it and the customer has not opted out).

A draft must say something only this customer could receive: their name and a detail from their
profile or conversation. Drafts the reply coach finds generic are flagged, never sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import ExtractDay, ExtractMonth
from django.utils import timezone

from regard.conversations.choices import Status
from regard.conversations.models import Conversation
from regard.customers.choices import MomentKind
from regard.customers.models import Moment
from regard.insight.coach import review
from regard.loyalty.choices import SCALES, DraftState, Occasion
from regard.loyalty.conf import policy
from regard.loyalty.models import GratitudeDraft, SurveyAnswer

WINDOW = timedelta(days=7)  # a moment missed by a stopped clock is still caught a week later
RECENT_DRAFTS = 20


@dataclass(frozen=True)
class ThanksDue:
    """One occurrence of a thank-you moment for one customer."""

    occasion: str
    key: str
    customer_id: int
    conversation_id: int | None = None
    answer_id: int | None = None
    years: int = 0


def _solved(now):
    return Conversation.objects.filter(
        status__in=(Status.SOLVED, Status.CLOSED), solved_at__gte=now - WINDOW
    )


def first_conversations(now):
    first = Conversation.objects.filter(customer=OuterRef("customer")).order_by("created_at", "id")
    rows = (
        _solved(now)
        .annotate(first_id=Subquery(first.values("pk")[:1]))
        .filter(pk=F("first_id"))
        .values_list("customer_id", "pk")
    )
    return [ThanksDue(Occasion.FIRST_CONVERSATION, "first_conversation", c, pk) for c, pk in rows]


def feedback_given(now):
    rows = SurveyAnswer.objects.filter(answered_at__gte=now - WINDOW).values_list(
        "pk", "survey_id", "survey__customer_id", "survey__conversation_id", "survey__kind", "score"
    )
    return [
        ThanksDue(Occasion.FEEDBACK_GIVEN, f"feedback:{survey}", customer, conversation, pk)
        for pk, survey, customer, conversation, kind, score in rows
        if score > SCALES[kind][2]  # unhappy answers get a follow-up conversation instead
    ]


def anniversaries(now):
    today = timezone.localdate(now)
    days = [today - timedelta(days=n) for n in range(WINDOW.days)]
    same_day = Q()
    for day in days:
        same_day |= Q(month=day.month, day=day.day)
    rows = (
        Moment.objects.filter(kind=MomentKind.FIRST_CONTACT, date__year__lt=today.year)
        .annotate(month=ExtractMonth("date"), day=ExtractDay("date"))
        .filter(same_day)
        .values_list("customer_id", "date")
    )
    return [
        ThanksDue(Occasion.ANNIVERSARY, f"anniversary:{today.year}", c, years=today.year - d.year)
        for c, d in rows
    ]


def long_waits(now, hours: int):
    rows = _solved(now).filter(solved_at__gte=F("created_at") + timedelta(hours=hours))
    return [
        ThanksDue(Occasion.LONG_WAIT_SOLVED, f"long_wait:{pk}", c, pk)
        for c, pk in rows.values_list("customer_id", "pk")
    ]


def questions_without_purchase(now, rules):
    """Someone asked before buying (a conversation tagged `question_tag`, answered
    `question_days` ago) and no conversation tagged `purchase_tag` has come from them since.
    Regard knows of purchases only through what agents (or an integration) tag."""
    answered = now - timedelta(days=rules.question_days)
    bought = Conversation.objects.filter(
        customer=OuterRef("customer"),
        tags__name=rules.purchase_tag.strip().lower(),
        created_at__gte=OuterRef("created_at"),
    )
    rows = (
        Conversation.objects.filter(
            status__in=(Status.SOLVED, Status.CLOSED),
            tags__name=rules.question_tag.strip().lower(),
            solved_at__lte=answered,
            solved_at__gte=answered - WINDOW,
        )
        .exclude(Exists(bought))
        .values_list("customer_id", "pk")
    )
    return [ThanksDue(Occasion.QUESTION_NO_PURCHASE, f"question:{pk}", c, pk) for c, pk in rows]


def find_moments(now, rules) -> list[ThanksDue]:
    """Every moment of the last week that admins want thanked, the same rules for everyone."""
    finders = {
        Occasion.FIRST_CONVERSATION: lambda: first_conversations(now),
        Occasion.FEEDBACK_GIVEN: lambda: feedback_given(now),
        Occasion.ANNIVERSARY: lambda: anniversaries(now),
        Occasion.LONG_WAIT_SOLVED: lambda: long_waits(now, rules.long_wait_hours),
        Occasion.QUESTION_NO_PURCHASE: lambda: questions_without_purchase(now, rules),
    }
    return [m for occasion, find in finders.items() if rules.thanks_for(occasion) for m in find()]


def sweep(now=None) -> int:
    """Create the drafts of moments not yet thanked; idempotent. Returns how many were made."""
    from regard.customers.models import Customer
    from regard.loyalty.drafts import compose, send_draft

    now = now or timezone.now()
    rules = policy()
    moments = find_moments(now, rules)
    done = set(
        GratitudeDraft.objects.filter(
            customer_id__in={m.customer_id for m in moments},
            occasion_key__in={m.key for m in moments},
        ).values_list("customer_id", "occasion_key")
    )
    todo = [m for m in moments if (m.customer_id, m.key) not in done]
    customers = Customer.objects.select_related("owner").in_bulk({m.customer_id for m in todo})
    made = 0
    for moment in todo:
        customer = customers[moment.customer_id]
        if customer.merged_into_id:
            continue
        draft = create_draft(customer, moment, compose(customer, moment, now), now)
        if draft is None:
            continue
        made += 1
        if rules.send_thanks_automatically and draft.state == DraftState.DRAFT:
            send_draft(None, draft, now=now)
    return made


def generic_reason(text: str, name: str, detail: str, occasion: str, customer_id: int) -> str:
    """Why this draft is not personal enough ("" when it is): no name, no detail, or the coach
    finds it the same as recent drafts for other customers."""
    if not name or name.lower() not in text.lower():
        return "it does not use their name"
    if not detail or detail.lower() not in text.lower():
        return "it says nothing specific to them: add a detail from their profile or conversation"
    recent = list(
        GratitudeDraft.objects.filter(occasion=occasion)
        .exclude(customer_id=customer_id)
        .order_by("-created_at")
        .values_list("text", flat=True)[:RECENT_DRAFTS]
    )
    for finding in review(text, customer_name=name, recent_replies=recent):
        if finding.check == "generic" and not finding.ok:
            return finding.advice
    return ""


def create_draft(customer, moment: ThanksDue, composed, now) -> GratitudeDraft | None:
    text, detail = composed
    name = customer.address_name or customer.name
    reason = generic_reason(text, name, detail, moment.occasion, customer.pk)
    try:
        with transaction.atomic():
            return GratitudeDraft.objects.create(
                customer=customer,
                occasion=moment.occasion,
                occasion_key=moment.key,
                owner=customer.owner,
                text=text,
                detail=detail[:300],
                state=DraftState.FLAGGED if reason else DraftState.DRAFT,
                flag_reason=reason[:300],
                conversation_id=None,
                created_at=now,
            )
    except IntegrityError:
        return None  # another sweep made it meanwhile
