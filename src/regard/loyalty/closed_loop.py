"""What an answer sets in motion: a follow-up conversation for an unhappy one, an invitation for
a promoter, kudos from kind words."""

from __future__ import annotations

from django.db import transaction

from regard.accounts.notifications import notify
from regard.conversations import actions as conversation_actions
from regard.conversations.choices import Priority
from regard.conversations.events import record_event
from regard.customers.choices import Channel
from regard.loyalty.choices import PROMOTER, QUESTIONS, SCALES, LoyaltyEvent, SurveyKind
from regard.loyalty.models import SurveyAnswer

FOLLOW_UP_TAG = "follow-up"


def is_unhappy(kind: str, score: int) -> bool:
    return score <= SCALES[kind][2]


def after_answer(answer: SurveyAnswer, now) -> None:
    survey = answer.survey
    if is_unhappy(survey.kind, answer.score):
        open_follow_up(answer, now)
    elif survey.kind == SurveyKind.NPS and answer.score >= PROMOTER:
        invite_promoter(answer, now)


def after_comment(answer: SurveyAnswer, now) -> None:
    from regard.loyalty.kudos import kudos_from_comment

    if answer.follow_up_id:
        conversation_actions.receive_message(
            answer.follow_up, text_full=answer.comment, channel=answer.follow_up.channel, at=now
        )
    elif not is_unhappy(answer.survey.kind, answer.score):
        kudos_from_comment(answer, now)


def quote(answer: SurveyAnswer) -> str:
    survey = answer.survey
    low, high, _ = SCALES[survey.kind]
    about = f" about “{survey.conversation.subject}”" if survey.conversation else ""
    said = f" and wrote: “{answer.comment}”" if answer.comment else ""
    helper = f" {survey.agent.display_name} helped them." if survey.agent else ""
    return (
        f"{survey.customer.name} answered {answer.score} on the "
        f"{survey.get_kind_display()} scale {low}–{high}{about}{said}.{helper} "
        "Call or write to them: find out what went wrong and put it right."
    )


@transaction.atomic
def open_follow_up(answer: SurveyAnswer, now):
    """A conversation for the customer's person, high priority, tagged and explained."""
    survey = answer.survey
    customer = survey.customer
    earlier = survey.conversation
    assignee = customer.owner or survey.agent
    score = f"{answer.score}/{SCALES[survey.kind][1]}"
    follow_up = conversation_actions.open_conversation(
        None,
        customer,
        subject=f"Follow-up: {survey.get_kind_display()} {score}"
        + (f" on “{earlier.subject}”" if earlier and earlier.subject else ""),
        channel=customer.preferred_channel or (earlier.channel if earlier else Channel.EMAIL),
        priority=Priority.HIGH,
        team=earlier.team if earlier else None,
        assignee=assignee,
        linked_from=earlier,
        at=now,
    )
    # The answer is the customer speaking to us: as their message, it starts the service level
    # clock and the follow-up waits on us like any unanswered message.
    conversation_actions.receive_message(
        follow_up,
        text_full=f"{QUESTIONS[survey.kind]} {score}",
        channel=follow_up.channel,
        subject=follow_up.subject,
        at=now,
    )
    conversation_actions.set_tags(None, follow_up, [FOLLOW_UP_TAG])
    conversation_actions.add_note(None, follow_up, quote(answer), at=now)
    follow_up.refresh_from_db()
    SurveyAnswer.objects.filter(pk=answer.pk).update(follow_up=follow_up)
    answer.follow_up = follow_up
    record_event(
        LoyaltyEvent.FOLLOW_UP_OPENED,
        conversation=earlier or follow_up,
        customer=customer,
        at=now,
        survey_id=survey.pk,
        follow_up_id=follow_up.pk,
        score=answer.score,
        summary=f"#{follow_up.pk} for {assignee.display_name if assignee else 'the team'}",
    )
    if assignee is not None:
        notify(
            assignee,
            "survey_follow_up",
            f"{customer.name} answered {score}: please call or write to them.",
            key=f"survey_follow_up:{answer.pk}",
            url=f"/conversations/{follow_up.pk}/",
            at=now,
        )
    return follow_up


def invite_promoter(answer: SurveyAnswer, now) -> bool:
    """Invite a promoter to refer a friend or review us, only if admins want it and the
    customer accepts marketing and has a working address."""
    from regard.loyalty.conf import policy
    from regard.loyalty.surveys import working_address
    from regard.loyalty.tasks import send_promoter_invitation

    customer = answer.survey.customer
    rules = policy()
    if not rules.invite_promoters or customer.no_marketing or customer.no_surveys:
        return False
    if working_address(customer) is None:
        return False
    record_event(
        LoyaltyEvent.PROMOTER_INVITED,
        customer=customer,
        at=now,
        survey_id=answer.survey_id,
        summary="invited to refer a friend or review us",
    )
    transaction.on_commit(lambda: send_promoter_invitation.enqueue(answer.pk))
    return True
