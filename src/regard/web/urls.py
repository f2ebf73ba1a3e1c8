from django.urls import path

from regard.web import views

app_name = "web"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("conversations/<int:conversation_id>/", views.conversation, name="conversation"),
    path("conversations/<int:conversation_id>/reply", views.reply, name="reply"),
    path("conversations/<int:conversation_id>/coach", views.coach, name="coach"),
    path(
        "conversations/<int:conversation_id>/attachments/<int:attachment_id>",
        views.attachment,
        name="attachment",
    ),
    path("conversations/<int:conversation_id>/snooze", views.snooze, name="snooze"),
    path(
        "conversations/<int:conversation_id>/promises/<int:commitment_id>/keep",
        views.keep_promise,
        name="keep_promise",
    ),
    path(
        "conversations/<int:conversation_id>/raw/<int:message_id>",
        views.raw_source,
        name="raw_source",
    ),
]
