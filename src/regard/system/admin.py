from django.contrib import admin

from regard.channels.models import RawMessage
from regard.system.models import FailedTask


@admin.register(FailedTask)
class FailedTaskAdmin(admin.ModelAdmin):
    list_display = ["task_path", "attempts", "failed_at", "retried_at"]
    readonly_fields = [
        "task_path",
        "args",
        "kwargs",
        "attempts",
        "error",
        "failed_at",
        "retried_at",
    ]


@admin.register(RawMessage)
class RawMessageAdmin(admin.ModelAdmin):
    list_display = ["id", "channel", "source", "external_id", "state", "size", "received_at"]
    list_filter = ["state", "channel"]
    exclude = ["data"]
    readonly_fields = [
        "channel",
        "source",
        "external_id",
        "sha256",
        "size",
        "state",
        "error",
        "received_at",
        "processed_at",
    ]
