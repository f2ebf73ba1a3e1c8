"""Loyalty in the demo: answered surveys (one detractor with its follow-up open), kind comments
that become kudos, a referral, an anniversary; then the radar and the thank-you sweep run."""

from __future__ import annotations

from datetime import timedelta

from regard.conversations.choices import Status
from regard.conversations.models import Conversation
from regard.customers.choices import MomentKind
from regard.customers.models import Moment
from regard.loyalty import gratitude, radar, surveys
from regard.loyalty.choices import SurveyKind
from regard.loyalty.models import Survey

# (kind, score, comment): one CSAT detractor opens the follow-up; the kind words become kudos.
ANSWERS = (
    (SurveyKind.CSAT, 5, "Excellent service, really quick and so friendly."),
    (SurveyKind.CSAT, 4, ""),
    (SurveyKind.NPS, 10, "You were so helpful on the phone, thank you!"),
    (SurveyKind.CSAT, 2, "It took three e-mails before anyone understood the problem."),
    (SurveyKind.NPS, 9, ""),
    (SurveyKind.EFFORT, 5, "Couldn't have asked for better."),
    (SurveyKind.CSAT, 5, ""),
)


def seed_loyalty(now) -> None:
    solved = list(
        Conversation.objects.filter(
            status__in=(Status.SOLVED, Status.CLOSED),
            assignee__isnull=False,
            solved_at__isnull=False,
        )
        .select_related("customer", "assignee")
        .order_by("-solved_at", "id")
    )
    seen, answered = set(), []
    for conversation in solved:
        if conversation.customer_id in seen or len(answered) == len(ANSWERS):
            continue
        seen.add(conversation.customer_id)
        kind, score, comment = ANSWERS[len(answered)]
        at = conversation.solved_at + timedelta(minutes=5)
        survey = Survey.objects.create(
            kind=kind,
            customer=conversation.customer,
            conversation=conversation,
            agent=conversation.assignee,
            created_at=at,
            sent_at=at,
        )
        answer = surveys.answer_survey(survey, score, now=min(now, at + timedelta(hours=3)))
        if comment:
            surveys.add_comment(answer, comment, now=answer.answered_at + timedelta(minutes=1))
        answered.append(answer)
    promoters = [a.survey.customer for a in answered if a.survey.kind == "nps" and a.score >= 9]
    if promoters:
        friend = next(c.customer for c in solved if c.customer_id not in seen)
        friend.referred_by = promoters[0]
        friend.save(update_fields=["referred_by"])
    first = Moment.objects.filter(kind=MomentKind.FIRST_CONTACT).order_by("id").first()
    if first is not None:  # a customer of two years, for the anniversary moment
        first.date = (now - timedelta(days=2 * 365 + 1)).date()
        first.save(update_fields=["date"])
    radar.recompute(now)
    gratitude.sweep(now)
