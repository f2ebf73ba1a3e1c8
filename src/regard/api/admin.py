from django.contrib import admin

from regard.api.models import ApiToken
from regard.api.tokens import revoke_token


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Admins see every agent's tokens and revoke them; tokens are made by their owners."""

    list_display = ["name", "agent", "key_id", "created_at", "last_used_at", "expires_at"]
    list_filter = ["revoked_at"]
    exclude = ["digest"]
    readonly_fields = [
        "agent",
        "name",
        "key_id",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            revoke_token(request.user, token)
