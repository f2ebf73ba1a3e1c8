from django.urls import path

from regard.incidents import compose, views

app_name = "incidents"
urlpatterns = [
    path("", views.incident_list, name="list"),
    path("new", views.declare, name="declare"),
    path("<int:incident_id>/", views.detail, name="detail"),
    path("<int:incident_id>/edit", views.edit, name="edit"),
    path("<int:incident_id>/status", views.change_status, name="status"),
    path("<int:incident_id>/link", views.link, name="link"),
    path("<int:incident_id>/link/organization", views.link_organization, name="link_organization"),
    path("<int:incident_id>/link/search", views.link_search, name="link_search"),
    path(
        "<int:incident_id>/suggestions/<int:suggestion_id>",
        views.decide_suggestion,
        name="suggestion",
    ),
    path("<int:incident_id>/affected/<int:affected_id>", views.affected, name="affected"),
    path("<int:incident_id>/concierges", views.group_concierge, name="group_concierge"),
    path("<int:incident_id>/update", compose.compose, name="compose"),
    path("<int:incident_id>/coach", compose.coach, name="coach"),
    path("<int:incident_id>/report", compose.report, name="report"),
]
