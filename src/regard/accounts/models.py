"""Agents are Django users with a profile; teams group them for routing and visibility."""

from django.conf import settings
from django.db import models

from regard.accounts.choices import Availability, Role, RoutingMode


class Team(models.Model):
    name = models.CharField(max_length=120, unique=True)
    lead = models.ForeignKey(
        "accounts.Agent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    routing_mode = models.CharField(
        max_length=20,
        choices=RoutingMode.choices,
        default=RoutingMode.MANUAL,
        help_text="How new conversations find an agent once nobody they know is free",
    )
    offer_back_after = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Minutes an agent may be away or offline before their open conversations go "
        "back to the team; empty: never",
    )
    receives_new = models.BooleanField(
        default=False,
        help_text="New conversations without a team join this team (one team at most)",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["receives_new"],
                condition=models.Q(receives_new=True),
                name="team_one_receives_new",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Agent(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent"
    )
    display_name = models.CharField(max_length=120)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.AGENT)
    teams = models.ManyToManyField(Team, blank=True, related_name="agents")
    time_zone = models.CharField(max_length=64, blank=True)
    languages = models.CharField(max_length=120, blank=True, help_text="Comma-separated codes")
    availability = models.CharField(
        max_length=20, choices=Availability.choices, default=Availability.AVAILABLE
    )
    availability_changed_at = models.DateTimeField(null=True, blank=True)
    capacity = models.PositiveIntegerField(
        default=20, help_text="Open conversations routing may give them; 0: none"
    )
    skills = models.CharField(
        max_length=500,
        blank=True,
        help_text="Comma-separated tags they know well, matched against conversation tags",
    )
    last_routed_at = models.DateTimeField(
        null=True, blank=True, help_text="When routing last gave them a conversation"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["display_name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def initials(self) -> str:
        return "".join(part[0] for part in self.display_name.split()[:2]).upper()


class Notification(models.Model):
    """Something an agent should know about; `key` makes each notification happen once."""

    recipient = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40, help_text="Open code, e.g. breach_warning")
    text = models.CharField(max_length=500)
    url = models.CharField(max_length=500, blank=True)
    key = models.CharField(max_length=200, help_text="Same recipient and key = one notification")
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True, help_text="Sent in a digest")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once")
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.text
