"""Asking customers how we did: who may be asked, sending the survey, and taking the answer.

Consent comes first: nobody who asked for no surveys, has no working address, or was asked within
the interval ever gets one. Answers are single-use (one SurveyAnswer per Survey).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from regard.conversations.choices import ACTIVE_STATUSES, Direction, Status
from regard.conversations.events import record_event
from regard.customers.choices import IdentityKind
from regard.customers.models import Identity
from regard.loyalty import conf
from regard.loyalty.choices import SCALES, LoyaltyEvent, SurveyKind
from regard.loyalty.in_chat import is_chat
from regard.loyalty.models import Survey, SurveyAnswer

NPS_PER_SWEEP = 200


class AlreadyAnswered(Exception):
    """The survey has its answer: a replayed or second click."""


class OutOfRange(ValueError):
    """The score is not on the survey's scale."""


def working_address(customer, conversation=None) -> Identity | None:
    """Where a survey may go: the address they last wrote from, else their oldest e-mail that
    does not bounce. None when every address bounces."""
    if conversation is not None:
        last = (
            conversation.messages.filter(
                direction=Direction.INBOUND, sender__kind=IdentityKind.EMAIL
            )
            .select_related("sender")
            .order_by("-created_at")
            .first()
        )
        if last is not None and last.sender.customer_id == customer.pk:
            return None if last.sender.bouncing else last.sender
    return (
        customer.identities.filter(kind=IdentityKind.EMAIL, bouncing=False).order_by("id").first()
    )


def refusal(customer, now, kind: str, conversation=None) -> str:
    """Why this customer may not be asked now ("" when they may)."""
    if customer.no_surveys:
        return "they asked for no surveys"
    if customer.merged_into_id:
        return "merged into another customer"
    recent = Survey.objects.filter(customer=customer)
    if recent.filter(created_at__gte=now - timedelta(days=conf.survey_interval_days())).exists():
        return f"they had a survey in the last {conf.survey_interval_days()} days"
    nps_days = conf.nps_interval_days()
    if (
        kind == SurveyKind.NPS
        and recent.filter(kind=kind, created_at__gte=now - timedelta(days=nps_days)).exists()
    ):
        return f"they answered NPS in the last {nps_days} days"
    if working_address(customer, conversation) is None and not is_chat(conversation):
        return "their address bounces"
    return ""


@transaction.atomic
def ask(kind: str, customer, *, conversation=None, agent=None, now=None) -> Survey | None:
    """Create the survey if the customer may be asked; the e-mail goes out in a task."""
    from regard.loyalty.tasks import send_survey

    now = now or timezone.now()
    why_not = refusal(customer, now, kind, conversation)
    if why_not:
        if conversation is not None:
            record_event(
                LoyaltyEvent.SURVEY_SKIPPED,
                conversation=conversation,
                at=now,
                reason=why_not,
                summary=f"no survey: {why_not}",
            )
        return None
    survey = Survey.objects.create(
        kind=kind, customer=customer, conversation=conversation, agent=agent, created_at=now
    )
    transaction.on_commit(lambda: send_survey.enqueue(survey.pk))
    return survey


def after_solve(conversation, status: str) -> None:
    """Called by the conversation hooks: a solved conversation gets its survey after commit."""
    if status != Status.SOLVED:
        return
    from regard.loyalty.tasks import survey_after_solve

    transaction.on_commit(lambda: survey_after_solve.enqueue(conversation.pk))


def ask_after_solve(conversation, now=None) -> Survey | None:
    """The after-solve survey, once per conversation, if the policy asks for one and the
    customer actually wrote to us (thank-yous and follow-ups we started are not surveyed)."""
    kind = conf.policy().after_solve
    if kind == "none" or conversation.status not in (Status.SOLVED, Status.CLOSED):
        return None
    if Survey.objects.filter(conversation=conversation).exists():
        return None
    if not conversation.messages.filter(direction=Direction.INBOUND).exists():
        return None
    return ask(
        kind,
        conversation.customer,
        conversation=conversation,
        agent=conversation.assignee,
        now=now,
    )


def ask_due_nps(now=None) -> int:
    """NPS for customers with a finished conversation, none active, and no survey lately."""
    from django.db.models import Exists, OuterRef

    from regard.conversations.models import Conversation
    from regard.customers.models import Customer

    now = now or timezone.now()
    if not conf.policy().nps_enabled:
        return 0
    quiet_since = now - timedelta(days=conf.survey_interval_days())
    nps_since = now - timedelta(days=conf.nps_interval_days())
    conversations = Conversation.objects.filter(customer=OuterRef("pk"))
    due = (
        Customer.objects.filter(no_surveys=False, merged_into__isnull=True)
        .filter(Exists(conversations.filter(status__in=(Status.SOLVED, Status.CLOSED))))
        .exclude(Exists(conversations.filter(status__in=ACTIVE_STATUSES)))
        .exclude(
            Exists(Survey.objects.filter(customer=OuterRef("pk"), created_at__gte=quiet_since))
        )
        .exclude(
            Exists(
                Survey.objects.filter(
                    customer=OuterRef("pk"), kind=SurveyKind.NPS, created_at__gte=nps_since
                )
            )
        )
        .filter(
            Exists(
                Identity.objects.filter(
                    customer=OuterRef("pk"), kind=IdentityKind.EMAIL, bouncing=False
                )
            )
        )
        .order_by("pk")[:NPS_PER_SWEEP]
    )
    return sum(
        ask(SurveyKind.NPS, customer, agent=customer.owner, now=now) is not None for customer in due
    )


def check_score(kind: str, score) -> int:
    low, high, _unhappy = SCALES[kind]
    try:
        value = int(score)
    except (TypeError, ValueError):
        raise OutOfRange(f"the score must be a whole number from {low} to {high}") from None
    if not low <= value <= high:
        raise OutOfRange(f"the score must be from {low} to {high}")
    return value


@transaction.atomic
def answer_survey(survey: Survey, score, *, now=None) -> SurveyAnswer:
    """Record the one answer this survey may have; an unhappy one opens a follow-up."""
    from regard.loyalty.closed_loop import after_answer

    now = now or timezone.now()
    value = check_score(survey.kind, score)
    try:
        with transaction.atomic():
            answer = SurveyAnswer.objects.create(survey=survey, score=value, answered_at=now)
    except IntegrityError:
        raise AlreadyAnswered from None
    low, high, _ = SCALES[survey.kind]
    record_event(
        LoyaltyEvent.SURVEY_ANSWERED,
        conversation=survey.conversation,
        customer=survey.customer,
        at=now,
        survey_id=survey.pk,
        survey=survey.kind,
        score=value,
        scale=f"{low}-{high}",
        summary=f"{survey.get_kind_display()}: {value} of {high}",
    )
    after_answer(answer, now)
    return answer


@transaction.atomic
def add_comment(answer: SurveyAnswer, text: str, *, now=None) -> SurveyAnswer:
    """The customer's words after their score, once."""
    from regard.loyalty.closed_loop import after_comment

    text = text.strip()[:5000]
    if not text:
        raise ValueError("write a few words, or close the page")
    answer = SurveyAnswer.objects.select_for_update().select_related("survey").get(pk=answer.pk)
    if answer.comment:
        raise AlreadyAnswered
    answer.comment = text
    answer.save(update_fields=["comment"])
    record_event(
        LoyaltyEvent.SURVEY_COMMENTED,
        conversation=answer.survey.conversation,
        customer=answer.survey.customer,
        at=now,
        survey_id=answer.survey_id,
        comment=text[:500],
        summary=f"“{text[:300]}”",
    )
    after_comment(answer, now or timezone.now())
    return answer


@transaction.atomic
def decline_surveys(customer, *, now=None) -> bool:
    """The customer's unsubscribe: no survey again. Returns False when it was already so."""
    if customer.no_surveys:
        return False
    customer.no_surveys = True
    customer.save(update_fields=["no_surveys", "updated_at"])
    record_event(
        LoyaltyEvent.SURVEYS_DECLINED, customer=customer, at=now, summary="no more surveys"
    )
    return True
