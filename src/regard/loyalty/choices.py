"""Kinds of surveys and their scales, risk levels, thank-you moments, draft states, event codes."""

from django.db import models


class SurveyKind(models.TextChoices):
    CSAT = "csat", "Satisfaction (CSAT)"
    NPS = "nps", "Would recommend (NPS)"
    EFFORT = "effort", "Effort (CES)"


# (lowest, highest, at or below this the answer is unhappy and closes the loop)
SCALES: dict[str, tuple[int, int, int]] = {
    SurveyKind.CSAT: (1, 5, 2),
    SurveyKind.NPS: (0, 10, 6),
    SurveyKind.EFFORT: (1, 5, 2),
}
PROMOTER = 9  # NPS at or above this is a promoter

QUESTIONS = {
    SurveyKind.CSAT: "How happy are you with the help you got?",
    SurveyKind.NPS: "How likely are you to recommend us to a friend or colleague?",
    SurveyKind.EFFORT: "How easy was it to get this sorted out?",
}
SCALE_WORDS = {
    SurveyKind.CSAT: ("very unhappy", "very happy"),
    SurveyKind.NPS: ("not at all likely", "extremely likely"),
    SurveyKind.EFFORT: ("very hard", "very easy"),
}


class Occasion(models.TextChoices):
    """Moments worth a personal thank-you, plus the radar's reach-out."""

    FIRST_CONVERSATION = "first_conversation", "First conversation"
    FEEDBACK_GIVEN = "feedback_given", "Feedback given"
    ANNIVERSARY = "anniversary", "Customer anniversary"
    LONG_WAIT_SOLVED = "long_wait_solved", "Solved after a long wait"
    QUESTION_NO_PURCHASE = "question_no_purchase", "Asked, and did not buy"
    REACH_OUT = "reach_out", "Reaching out (radar)"


class DraftState(models.TextChoices):
    DRAFT = "draft", "Ready for the owner"
    FLAGGED = "flagged", "Too generic: rewrite"
    OPENED = "opened", "Opened as a conversation"
    SENT = "sent", "Sent"
    DISMISSED = "dismissed", "Dismissed"


class Risk(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


def risk_level(points: int) -> str:
    return Risk.HIGH if points >= 50 else Risk.MEDIUM if points >= 25 else Risk.LOW


class LoyaltyEvent(models.TextChoices):
    """Timeline event codes of this app (Event.kind is an open code)."""

    SURVEY_SENT = "survey.sent", "Survey sent"
    SURVEY_SKIPPED = "survey.skipped", "Survey not sent"
    SURVEY_ANSWERED = "survey.answered", "Survey answered"
    SURVEY_COMMENTED = "survey.commented", "Survey comment"
    SURVEYS_DECLINED = "survey.unsubscribed", "Asked for no more surveys"
    FOLLOW_UP_OPENED = "survey.follow_up", "Follow-up opened for an unhappy answer"
    PROMOTER_INVITED = "survey.promoter_invited", "Invited to refer or review"
    KUDOS = "kudos.received", "Compliment for an agent"
    GRATITUDE_SENT = "gratitude.sent", "Thank-you sent"
    REACHED_OUT = "radar.reached_out", "Reached out (radar)"
