"""Admins' forms for calendars and policies in the workspace; the models validate the rest."""

from __future__ import annotations

from datetime import date

from django import forms

from regard.service.choices import WEEKDAY_FIELDS
from regard.service.models import BusinessCalendar, Policy


class PolicyForm(forms.ModelForm):
    class Meta:
        model = Policy
        fields = [
            "name",
            "position",
            "active",
            "min_priority",
            "channel",
            "team",
            "organization",
            "vip_only",
            "upset_only",
            "tag",
            "first_reply_minutes",
            "next_reply_minutes",
            "resolution_minutes",
            "calendar",
            "warn_fraction",
            "supervisor_after_minutes",
            "supervisor",
        ]


class CalendarForm(forms.ModelForm):
    holidays = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One a line: 2026-12-25 Christmas Day",
    )

    class Meta:
        model = BusinessCalendar
        fields = ["name", "team", "time_zone", *WEEKDAY_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["holidays"] = "\n".join(
                f"{h.date.isoformat()} {h.name}".strip() for h in self.instance.holidays.all()
            )

    def clean_holidays(self) -> list[tuple[date, str]]:
        days = {}
        for number, line in enumerate(self.cleaned_data["holidays"].splitlines(), 1):
            if not line.strip():
                continue
            day, _, name = line.strip().partition(" ")
            try:
                days[date.fromisoformat(day)] = name.strip()[:120]
            except ValueError:
                raise forms.ValidationError(
                    f"line {number}: {day!r} is not a date like 2026-12-25"
                ) from None
        return sorted(days.items())
