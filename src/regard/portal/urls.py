from django.urls import path

from regard.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("in/<str:link_token>/", views.landing, name="landing"),
    path("out/", views.sign_out, name="sign_out"),
    path("conversations/<int:conversation_id>/", views.conversation, name="conversation"),
    path("attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path("preferences/", views.preferences, name="preferences"),
]
