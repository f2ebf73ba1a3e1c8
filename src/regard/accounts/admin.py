from django.contrib import admin

from regard.accounts.models import Agent, Notification, Team


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = ["display_name", "user", "role", "availability", "capacity"]
    list_filter = ["role", "availability", "teams"]
    filter_horizontal = ["teams"]


admin.site.register(Team, list_display=["name", "lead"])
admin.site.register(Notification, list_display=["recipient", "kind", "text", "created_at"])
