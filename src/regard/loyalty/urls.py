from django.urls import path

from regard.loyalty import public, views

app_name = "loyalty"
urlpatterns = [
    path("radar/", views.radar, name="radar"),
    path("radar/<int:customer_id>/reach-out", views.reach_out, name="reach_out"),
    path("thanks/", views.gratitude, name="gratitude"),
    path("thanks/<int:draft_id>/open", views.open_draft, name="open_draft"),
    path("thanks/<int:draft_id>/dismiss", views.dismiss_draft, name="dismiss_draft"),
    path("advocates/", views.advocates, name="advocates"),
    path("kudos/", views.kudos, name="kudos"),
    # Public pages, reached from our e-mails through signed links.
    path("s/<str:survey_token>/<int:score>", public.rate, name="rate"),
    path("s/<str:survey_token>/comment", public.comment, name="comment"),
    path("unsubscribe/<str:unsubscribe_token>", public.unsubscribe, name="unsubscribe"),
    path("r/<str:referral_token>", public.referral, name="referral"),
]
