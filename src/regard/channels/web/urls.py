"""The web form: a hosted page and an embeddable form that open a conversation."""

from django.urls import path

from regard.channels.web import views

app_name = "contact"
urlpatterns = [
    path("", views.contact, name="form"),
    path("thanks/", views.thanks, name="thanks"),
    path("embed/", views.embed, name="embed"),
    path("embed/thanks/", views.embed_thanks, name="embed_thanks"),
]
