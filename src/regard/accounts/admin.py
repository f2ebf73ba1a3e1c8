from django.contrib import admin
from django.utils import timezone

from regard.accounts.models import Agent, Notification, Team


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = ["display_name", "user", "role", "availability", "capacity", "skills"]
    list_filter = ["role", "availability", "teams"]
    filter_horizontal = ["teams"]
    readonly_fields = ["availability_changed_at", "last_routed_at"]
    fieldsets = [
        (None, {"fields": ["user", "display_name", "role", "teams", "time_zone"]}),
        (
            "Routing",
            {
                "fields": [
                    "availability",
                    "availability_changed_at",
                    "capacity",
                    "skills",
                    "languages",
                    "last_routed_at",
                ]
            },
        ),
    ]

    def save_model(self, request, obj, form, change):
        if "availability" in form.changed_data:
            obj.availability_changed_at = timezone.now()  # offer-back counts from here
        super().save_model(request, obj, form, change)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "lead", "routing_mode", "offer_back_after", "receives_new"]
    list_filter = ["routing_mode"]
    fields = ["name", "lead", "routing_mode", "offer_back_after", "receives_new"]


admin.site.register(Notification, list_display=["recipient", "kind", "text", "created_at"])
