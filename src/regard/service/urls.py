from django.urls import path

from regard.service import editing, routing_views, views

app_name = "service"
urlpatterns = [
    path("", views.policies, name="policies"),
    path("attainment", views.attainment, name="attainment"),
    path("policies/new", editing.edit_policy, name="policy_new"),
    path("policies/<int:policy_id>", editing.edit_policy, name="policy_edit"),
    path("calendars/new", editing.edit_calendar, name="calendar_new"),
    path("calendars/<int:calendar_id>", editing.edit_calendar, name="calendar_edit"),
    path("availability", routing_views.availability, name="availability"),
    path("routing", routing_views.routing, name="routing"),
    path("routing/teams/<int:team_id>", routing_views.routing_team, name="routing_team"),
    path("routing/agents/<int:agent_id>", routing_views.routing_agent, name="routing_agent"),
]
