from django.urls import path

from regard.web import (
    api_tokens,
    customers,
    live,
    manage,
    notifications,
    reports,
    saved_replies,
    search,
    views,
)

app_name = "web"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("reports/promises", reports.promises, name="report_promises"),
    path("search", search.search, name="search"),
    path("stream", live.stream, name="stream"),
    path("conversations/<int:conversation_id>/", views.conversation, name="conversation"),
    path("conversations/<int:conversation_id>/reply", views.reply, name="reply"),
    path("conversations/<int:conversation_id>/assign", manage.assign, name="assign"),
    path("conversations/<int:conversation_id>/presence", manage.presence, name="presence"),
    path("conversations/bulk", manage.bulk, name="bulk"),
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
    path(
        "conversations/<int:conversation_id>/saved-reply",
        saved_replies.insert,
        name="saved_reply_insert",
    ),
    path("saved-replies/", saved_replies.manage, name="saved_replies"),
    path("api-tokens/", api_tokens.manage, name="api_tokens"),
    path("notifications/", notifications.page, name="notifications"),
    path("notifications/read", notifications.read_all, name="notifications_read"),
    path("api-tokens/<int:token_id>/revoke", api_tokens.revoke, name="api_token_revoke"),
    path("saved-replies/<int:saved_id>/delete", saved_replies.delete, name="saved_reply_delete"),
    path("customers/", customers.directory, name="customers"),
    path("customers/export.csv", customers.export_csv, name="customers_csv"),
    path("customers/<int:customer_id>/", customers.profile, name="customer"),
    path("customers/<int:customer_id>/edit", customers.edit_profile, name="customer_edit"),
    path("customers/<int:customer_id>/compass", customers.edit_compass, name="customer_compass"),
    path("customers/<int:customer_id>/notes", customers.add_note, name="customer_note"),
    path("customers/<int:customer_id>/moments", customers.add_moment, name="customer_moment"),
    path(
        "customers/<int:customer_id>/identities", customers.add_identity, name="customer_identity"
    ),
    path("customers/<int:customer_id>/merge", customers.merge, name="customer_merge"),
    path(
        "customers/<int:customer_id>/unmerge/<int:event_id>",
        customers.unmerge,
        name="customer_unmerge",
    ),
]
