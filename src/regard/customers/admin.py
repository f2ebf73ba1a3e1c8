from django.contrib import admin

from regard.customers.models import Customer, CustomerNote, Identity, Moment, Organization


class IdentityInline(admin.TabularInline):
    model = Identity
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["id", "display_name", "preferred_name", "organization", "owner", "vip"]
    search_fields = ["display_name", "preferred_name", "identities__value"]
    list_filter = ["vip"]
    inlines = [IdentityInline]
    raw_id_fields = ["organization", "owner", "merged_into"]


admin.site.register(Organization, search_fields=["name", "domain"])
admin.site.register(CustomerNote, raw_id_fields=["customer", "author"])
admin.site.register(Moment, raw_id_fields=["customer"])
