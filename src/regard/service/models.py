"""Business-hours calendars, service-level policies, and the clocks they start on conversations."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from regard.conversations.choices import Priority
from regard.customers.choices import Channel
from regard.service.calendar import Calendar, zone
from regard.service.choices import WEEKDAY_FIELDS, Metric, Step
from regard.service.week import format_day, parse_day


def default_time_zone() -> str:
    return settings.TIME_ZONE


def _weekday(name: str, default: str) -> models.CharField:
    return models.CharField(
        max_length=120, blank=True, default=default, help_text="e.g. 09:00-12:00, 13:00-17:00"
    )


class BusinessCalendar(models.Model):
    """Weekly opening hours in a time zone, with holidays; a team counts service time by it."""

    name = models.CharField(max_length=120, unique=True)
    team = models.OneToOneField(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="business_calendar",
        help_text="The team whose hours these are (policies without a calendar use it)",
    )
    time_zone = models.CharField(max_length=64, default=default_time_zone)
    monday = _weekday("monday", "09:00-17:00")
    tuesday = _weekday("tuesday", "09:00-17:00")
    wednesday = _weekday("wednesday", "09:00-17:00")
    thursday = _weekday("thursday", "09:00-17:00")
    friday = _weekday("friday", "09:00-17:00")
    saturday = _weekday("saturday", "")
    sunday = _weekday("sunday", "")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        try:
            zone(self.time_zone)
        except ValueError as exc:
            errors["time_zone"] = str(exc)
        for name in WEEKDAY_FIELDS:
            try:
                parse_day(getattr(self, name))
            except ValueError as exc:
                errors[name] = str(exc)
        if errors:
            raise ValidationError(errors)
        try:
            self.as_calendar(holidays=())
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    def week(self) -> dict[int, list]:
        return {day: parse_day(getattr(self, name)) for day, name in enumerate(WEEKDAY_FIELDS)}

    def as_calendar(self, holidays=None) -> Calendar:
        """The pure Calendar; pass `holidays` when already fetched (else one query)."""
        if holidays is None:
            holidays = [h.date for h in self.holidays.all()]
        return Calendar(self.time_zone, self.week(), frozenset(holidays))

    def hours_in_words(self) -> list[tuple[str, str]]:
        return [
            (name.title(), format_day(parse_day(getattr(self, name))) or "closed")
            for name in WEEKDAY_FIELDS
        ]


class Holiday(models.Model):
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="holidays"
    )
    date = models.DateField(help_text="A whole local day, closed")
    name = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="holiday_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}".strip()


class Policy(models.Model):
    """Targets in business minutes for the conversations its conditions match; the first active
    policy by position wins."""

    name = models.CharField(max_length=120, unique=True)
    position = models.PositiveIntegerField(default=100, help_text="Lower is tried first")
    active = models.BooleanField(default=True)
    # Conditions; an empty one matches every conversation.
    min_priority = models.PositiveSmallIntegerField(
        choices=Priority.choices, null=True, blank=True, help_text="This priority or higher"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices, blank=True)
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    organization = models.ForeignKey(
        "customers.Organization",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    vip_only = models.BooleanField(default=False, help_text="Only VIP customers")
    upset_only = models.BooleanField(default=False, help_text="Only upset customers")
    tag = models.ForeignKey(
        "conversations.Tag", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # Targets in business minutes; empty means no clock for that metric.
    first_reply_minutes = models.PositiveIntegerField(null=True, blank=True)
    next_reply_minutes = models.PositiveIntegerField(null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(null=True, blank=True)
    calendar = models.ForeignKey(
        BusinessCalendar,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="policies",
        help_text="Empty: the conversation's team's calendar, else around the clock",
    )
    warn_fraction = models.FloatField(
        default=0.75,
        validators=[MinValueValidator(0.05), MaxValueValidator(0.99)],
        help_text="Warn the assignee when this share of the target has run",
    )
    supervisor_after_minutes = models.PositiveIntegerField(
        default=60, help_text="Minutes after a breach before a supervisor is told"
    )
    supervisor = models.ForeignKey(
        "accounts.Agent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty: every supervisor",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = "policies"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not any(self.target(metric) for metric in Metric.values):
            raise ValidationError(
                "give at least one target (first reply, next reply or resolution)"
            )

    def target(self, metric: str) -> int | None:
        return getattr(self, f"{metric}_minutes")


class ServiceClock(models.Model):
    """One target running on one conversation: started, paused while pending, met or breached.

    `next_step_at` is when the sweep must next look at it (warn, breach, supervisor), so the
    sweep reads only the clocks whose moment has come, through one index.
    """

    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="service_clocks"
    )
    metric = models.CharField(max_length=16, choices=Metric.choices)
    policy = models.ForeignKey(
        Policy, null=True, blank=True, on_delete=models.SET_NULL, related_name="clocks"
    )
    calendar = models.ForeignKey(
        BusinessCalendar, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_minutes = models.PositiveIntegerField()
    warn_fraction = models.FloatField(default=0.75)
    started_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True, help_text="Empty while paused")
    warn_at = models.DateTimeField(null=True, blank=True)
    next_step_at = models.DateTimeField(null=True, blank=True)
    pauses = models.JSONField(default=list, blank=True, help_text="[paused, resumed] ISO pairs")
    paused_since = models.DateTimeField(null=True, blank=True)
    met_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    step = models.PositiveSmallIntegerField(choices=Step.choices, default=Step.NONE)

    class Meta:
        ordering = ["started_at", "id"]
        indexes = [
            models.Index(fields=["conversation", "stopped_at"], name="clock_conv_running"),
            models.Index(fields=["due_at"], name="clock_due"),
            models.Index(fields=["next_step_at"], name="clock_next_step"),
            models.Index(fields=["started_at"], name="clock_started"),
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} on #{self.conversation_id}"

    @property
    def running(self) -> bool:
        return self.stopped_at is None
