from django.contrib import admin

from regard.loyalty.models import (
    CustomerHealth,
    GratitudeDraft,
    Kudos,
    LoyaltyPolicy,
    Survey,
    SurveyAnswer,
)


@admin.register(LoyaltyPolicy)
class LoyaltyPolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "after_solve", "nps_enabled", "send_thanks_automatically"]

    def has_add_permission(self, request):
        return not LoyaltyPolicy.objects.exists()


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "customer", "agent", "created_at", "sent_at"]
    list_filter = ["kind"]
    raw_id_fields = ["customer", "conversation", "agent"]


@admin.register(SurveyAnswer)
class SurveyAnswerAdmin(admin.ModelAdmin):
    list_display = ["survey", "score", "answered_at"]
    raw_id_fields = ["survey", "follow_up"]


@admin.register(CustomerHealth)
class CustomerHealthAdmin(admin.ModelAdmin):
    list_display = ["customer", "score", "risk", "value", "computed_at"]
    raw_id_fields = ["customer"]


@admin.register(GratitudeDraft)
class GratitudeDraftAdmin(admin.ModelAdmin):
    list_display = ["customer", "occasion", "state", "owner", "created_at"]
    list_filter = ["occasion", "state"]
    raw_id_fields = ["customer", "owner", "conversation"]


@admin.register(Kudos)
class KudosAdmin(admin.ModelAdmin):
    list_display = ["agent", "customer", "created_at"]
    raw_id_fields = ["agent", "customer", "message", "survey"]
