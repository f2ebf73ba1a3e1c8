"""Background work: survey e-mails, the after-solve survey, promoter invitations."""

from __future__ import annotations

from regard.system.retry import retrying_task


@retrying_task
def survey_after_solve(conversation_id: int) -> str:
    from regard.conversations.models import Conversation
    from regard.loyalty.surveys import ask_after_solve

    conversation = Conversation.objects.select_related("customer", "assignee").get(
        pk=conversation_id
    )
    survey = ask_after_solve(conversation)
    return f"survey {survey.pk}" if survey else "no survey"


@retrying_task
def send_survey(survey_id: int) -> str:
    """Mail one survey; idempotent once it is sent, and never to an opted-out customer."""
    from regard.loyalty import in_chat
    from regard.loyalty.mail import NoAddress, send_survey_mail
    from regard.loyalty.models import Survey

    survey = Survey.objects.select_related("customer", "conversation", "agent").get(pk=survey_id)
    if survey.sent_at is not None:
        return "already sent"
    if survey.customer.no_surveys:
        return "customer opted out"
    if in_chat.visitor_present(survey.conversation):
        in_chat.send_survey_in_chat(survey)
        return "sent in the chat"
    try:
        send_survey_mail(survey)
    except NoAddress as exc:
        return str(exc)
    return "sent"


@retrying_task
def send_promoter_invitation(answer_id: int) -> str:
    from regard.loyalty.conf import policy
    from regard.loyalty.mail import send_promoter_invitation as send
    from regard.loyalty.models import SurveyAnswer
    from regard.loyalty.surveys import working_address

    answer = SurveyAnswer.objects.select_related("survey__customer", "survey__agent").get(
        pk=answer_id
    )
    customer = answer.survey.customer
    to = working_address(customer)
    if customer.no_marketing or customer.no_surveys or to is None:
        return "not consented"
    send(customer, policy().review_url, to.value, answer.survey.agent)
    return "sent"
