"""Admin views; history (messages, events) is read-only here as everywhere."""

from django.contrib import admin

from regard.conversations.models import Conversation, Event, Message, SavedReply, Tag


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["id", "subject", "customer", "status", "priority", "assignee", "team"]
    list_filter = ["status", "channel", "priority"]
    search_fields = ["subject"]
    raw_id_fields = ["customer", "assignee", "team", "linked_from"]


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["id", "conversation", "direction", "channel", "created_at", "delivery"]
    list_filter = ["direction", "channel", "delivery"]


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "actor", "conversation", "customer", "created_at"]
    list_filter = ["kind"]


admin.site.register(Tag, search_fields=["name"])


admin.site.register(SavedReply, list_display=["title", "team", "updated_at"], list_filter=["team"])
