"""One Customer per person, reached through many identities, with what we know of them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from regard.customers.choices import Channel, IdentityKind, MomentKind


class Organization(models.Model):
    name = models.CharField(max_length=200)
    domain = models.CharField(max_length=200, blank=True, db_index=True)
    notes = models.TextField(blank=True)
    concierge = models.ForeignKey(
        "accounts.Agent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="concierge_organizations",
        help_text="While set, every conversation of its people goes to this agent",
    )
    portal_shared = models.BooleanField(
        default=False,
        help_text="Its people see each other's conversations in the customer portal",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Customer(models.Model):
    display_name = models.CharField(max_length=200, blank=True)
    preferred_name = models.CharField(max_length=120, blank=True)
    pronunciation = models.CharField(
        max_length=200, blank=True, help_text="How to pronounce or address them"
    )
    language = models.CharField(max_length=16, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)
    preferred_channel = models.CharField(max_length=16, choices=Channel.choices, blank=True)
    vip = models.BooleanField(default=False)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="customers"
    )
    owner = models.ForeignKey(
        "accounts.Agent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_customers",
        help_text='"Their person"',
    )
    concierge = models.ForeignKey(
        "accounts.Agent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="concierge_customers",
        help_text="While set, every conversation of theirs goes to this agent",
    )
    no_surveys = models.BooleanField(default=False, help_text="Asked not to receive surveys")
    no_marketing = models.BooleanField(default=False, help_text="Asked not to receive marketing")
    referred_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals"
    )
    needs = models.TextField(blank=True)
    wants = models.TextField(blank=True)
    emotions = models.TextField(blank=True)
    stereotypes_to_avoid = models.TextField(blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["display_name", "id"]
        # The directory walks customers in this order and stops at a page.
        indexes = [
            models.Index(fields=["display_name", "id"], name="customer_name_order"),
            # Likely duplicates: the same name whatever its case.
            models.Index(Lower("display_name"), name="customer_lower_name"),
            # Nearly every customer has neither: once statistics are gathered, SQLite judges
            # the plain foreign-key indexes (all NULL) useless and scans every customer to find
            # those merged into one, or whose person an agent is. These hold only the set ones.
            models.Index(
                fields=["merged_into"],
                condition=Q(merged_into__isnull=False),
                name="customer_merged_into_set",
            ),
            models.Index(
                fields=["owner"], condition=Q(owner__isnull=False), name="customer_owner_set"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return Customer.name_of(self.pk, self.display_name, self.preferred_name)

    @staticmethod
    def name_of(pk: int, display_name: str, preferred_name: str) -> str:
        """`name` from the columns alone (for rows read without their model)."""
        return display_name or preferred_name or f"Customer {pk}"

    @property
    def address_name(self) -> str:
        """The name to greet them by."""
        return self.preferred_name or (self.display_name.split()[0] if self.display_name else "")


class Identity(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(max_length=16, choices=IdentityKind.choices)
    value = models.CharField(max_length=320, help_text="Normalised: compared as is")
    display_value = models.CharField(max_length=320, blank=True)
    verified = models.BooleanField(default=False)
    bouncing = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="identity_unique_value")
        ]
        verbose_name_plural = "identities"

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class CustomerNote(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    text = models.TextField()
    pinned = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pinned", "-created_at"]


class Moment(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="moments")
    kind = models.CharField(max_length=20, choices=MomentKind.choices, default=MomentKind.OTHER)
    label = models.CharField(max_length=200, blank=True)
    date = models.DateField()
    recurring = models.BooleanField(default=False, help_text="Comes back every year")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date"]
