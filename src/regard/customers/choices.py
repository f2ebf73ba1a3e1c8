"""Kinds of identities, channels and moments."""

from django.db import models


class IdentityKind(models.TextChoices):
    EMAIL = "email", "E-mail"
    PHONE = "phone", "Phone"
    CHAT = "chat", "Chat handle"


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    WEB = "web", "Web form"
    CHAT = "chat", "Chat"
    PHONE = "phone", "Phone"


class MomentKind(models.TextChoices):
    FIRST_CONTACT = "first_contact", "First contact"
    BIRTHDAY = "birthday", "Birthday"
    ANNIVERSARY = "anniversary", "Anniversary"
    OTHER = "other", "Other"
