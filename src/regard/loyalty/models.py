"""Surveys and their answers, health scores, personal drafts, kudos, and the workspace policy."""

import secrets

from django.db import models

from regard.loyalty.choices import DraftState, Occasion, SurveyKind


class LoyaltyPolicy(models.Model):
    """What admins decide about surveys and thank-yous; one row (see `policy()`)."""

    after_solve = models.CharField(
        max_length=16,
        choices=[("csat", "CSAT"), ("effort", "Effort score"), ("none", "No survey")],
        default="csat",
        help_text="The survey sent when a conversation is solved",
    )
    nps_enabled = models.BooleanField(default=True, help_text="Ask NPS on a schedule")
    invite_promoters = models.BooleanField(
        default=False, help_text="Invite promoters (NPS 9–10) to refer a friend or review us"
    )
    review_url = models.URLField(blank=True, help_text="Where promoters may write a review")
    thank_first_conversation = models.BooleanField(default=True)
    thank_feedback = models.BooleanField(default=True)
    thank_anniversary = models.BooleanField(default=True)
    thank_long_wait = models.BooleanField(default=True)
    long_wait_hours = models.PositiveIntegerField(default=72)
    thank_question_without_purchase = models.BooleanField(
        default=False,
        help_text="Thank customers who asked a question (tagged below) and have not bought since",
    )
    question_tag = models.CharField(
        max_length=64,
        default="pre-sales",
        help_text="Tag of conversations where someone asked before buying",
    )
    purchase_tag = models.CharField(
        max_length=64,
        default="order",
        help_text="Tag of conversations that show they bought (about an order)",
    )
    question_days = models.PositiveIntegerField(
        default=14, help_text="Days after the question's answer without a purchase"
    )
    send_thanks_automatically = models.BooleanField(
        default=False, help_text="Send thank-yous without the owner (never to opted-out customers)"
    )
    silence_days = models.PositiveIntegerField(
        default=60, help_text="Radar: valued customers without a personal message this long"
    )
    swept_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name_plural = "loyalty policy"

    def __str__(self) -> str:
        return "Loyalty policy"

    def thanks_for(self, occasion: str) -> bool:
        return {
            Occasion.FIRST_CONVERSATION: self.thank_first_conversation,
            Occasion.FEEDBACK_GIVEN: self.thank_feedback,
            Occasion.ANNIVERSARY: self.thank_anniversary,
            Occasion.LONG_WAIT_SOLVED: self.thank_long_wait,
            Occasion.QUESTION_NO_PURCHASE: self.thank_question_without_purchase,
        }.get(occasion, False)


def new_nonce() -> str:
    return secrets.token_urlsafe(12)


class Survey(models.Model):
    """One question asked of one customer; its link is signed, expires and works once."""

    kind = models.CharField(max_length=16, choices=SurveyKind.choices)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="surveys"
    )
    conversation = models.ForeignKey(
        "conversations.Conversation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="surveys",
    )
    agent = models.ForeignKey(
        "accounts.Agent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="surveys",
        help_text="The agent who helped",
    )
    nonce = models.CharField(max_length=32, unique=True, default=new_nonce)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["customer", "created_at"], name="survey_customer_created")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.customer_id}"


class SurveyAnswer(models.Model):
    """The answer: one per survey, so a replayed link can never answer twice."""

    survey = models.OneToOneField(Survey, on_delete=models.CASCADE, related_name="answer")
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    answered_at = models.DateTimeField()
    follow_up = models.ForeignKey(
        "conversations.Conversation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Opened because the answer was unhappy",
    )

    class Meta:
        ordering = ["-answered_at"]


class CustomerHealth(models.Model):
    """The radar's last reading of one customer, rewritten in bulk by `radar.recompute`."""

    customer = models.OneToOneField(
        "customers.Customer", on_delete=models.CASCADE, primary_key=True, related_name="health"
    )
    score = models.PositiveSmallIntegerField(help_text="100 is healthy")
    risk = models.PositiveSmallIntegerField(help_text="Points of the reasons, at most 100")
    value = models.PositiveSmallIntegerField(help_text="How much they matter: VIP, history")
    reasons = models.JSONField(default=list, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["-risk", "-value"]
        indexes = [models.Index(fields=["risk", "value"], name="health_risk_value")]
        verbose_name_plural = "customer health"


class GratitudeDraft(models.Model):
    """A personal message for the customer's owner to send: a thank-you or a radar reach-out."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="gratitude_drafts"
    )
    occasion = models.CharField(max_length=24, choices=Occasion.choices)
    occasion_key = models.CharField(
        max_length=80, help_text="One draft per customer and occurrence of the moment"
    )
    owner = models.ForeignKey(
        "accounts.Agent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="gratitude_drafts",
    )
    text = models.TextField()
    detail = models.CharField(max_length=300, blank=True, help_text="What makes it theirs")
    state = models.CharField(max_length=16, choices=DraftState.choices, default=DraftState.DRAFT)
    flag_reason = models.CharField(max_length=300, blank=True)
    conversation = models.ForeignKey(
        "conversations.Conversation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="gratitude_drafts",
    )
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "occasion_key"], name="gratitude_once_per_occasion"
            )
        ]


class Kudos(models.Model):
    """A customer's compliment for an agent, in their own words."""

    agent = models.ForeignKey("accounts.Agent", on_delete=models.CASCADE, related_name="kudos")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="kudos"
    )
    message = models.ForeignKey(
        "conversations.Message",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="kudos",
    )
    survey = models.ForeignKey(
        Survey, null=True, blank=True, on_delete=models.SET_NULL, related_name="kudos"
    )
    quote = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "kudos"
        indexes = [models.Index(fields=["agent", "created_at"], name="kudos_agent_created")]
