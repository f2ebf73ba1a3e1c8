from django.contrib import admin

from regard.commitments.models import Commitment


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    list_display = ["text", "agent", "due_at", "state", "has_timeline"]
    list_filter = ["state", "has_timeline"]
    raw_id_fields = ["conversation", "message", "agent"]
