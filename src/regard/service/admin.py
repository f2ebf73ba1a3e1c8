from django.contrib import admin

from regard.service.models import BusinessCalendar, Holiday, Policy, ServiceClock
from regard.service.policies import conditions_in_words, targets_in_words


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 1


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "time_zone"]
    inlines = [HolidayInline]
    fieldsets = [
        (None, {"fields": ["name", "team", "time_zone"]}),
        (
            "Opening hours (local wall time; empty = closed; 24:00 = midnight)",
            {
                "fields": [
                    "monday",
                    "tuesday",
                    "wednesday",
                    "thursday",
                    "friday",
                    "saturday",
                    "sunday",
                ]
            },
        ),
    ]


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "active", "conditions", "targets", "calendar"]
    list_editable = ["position", "active"]
    list_filter = ["active"]
    fieldsets = [
        (None, {"fields": ["name", "position", "active"]}),
        (
            "Conditions (all must hold; empty matches everything)",
            {
                "fields": [
                    "min_priority",
                    "channel",
                    "team",
                    "organization",
                    "vip_only",
                    "upset_only",
                    "tag",
                ]
            },
        ),
        (
            "Targets in business minutes",
            {"fields": ["first_reply_minutes", "next_reply_minutes", "resolution_minutes"]},
        ),
        (
            "Hours and escalation",
            {"fields": ["calendar", "warn_fraction", "supervisor_after_minutes", "supervisor"]},
        ),
    ]

    @admin.display(description="conditions")
    def conditions(self, policy: Policy) -> str:
        return ", ".join(conditions_in_words(policy))

    @admin.display(description="targets")
    def targets(self, policy: Policy) -> str:
        return "; ".join(targets_in_words(policy))


@admin.register(ServiceClock)
class ServiceClockAdmin(admin.ModelAdmin):
    list_display = ["conversation", "metric", "policy", "started_at", "due_at", "step", "met_at"]
    list_filter = ["metric", "step"]
    raw_id_fields = ["conversation", "policy", "calendar"]
    readonly_fields = [f.name for f in ServiceClock._meta.fields]
