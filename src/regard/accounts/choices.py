"""Roles and availability of agents, and how a team routes new conversations."""

from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    SUPERVISOR = "supervisor", "Supervisor"
    AGENT = "agent", "Agent"
    LIGHT_AGENT = "light_agent", "Light agent"


class Availability(models.TextChoices):
    AVAILABLE = "available", "Available"
    AWAY = "away", "Away"
    OFFLINE = "offline", "Offline"


class RoutingMode(models.TextChoices):
    MANUAL = "manual", "Manual: the team assigns by hand"
    ROUND_ROBIN = "round_robin", "Round-robin: each available agent in turn"
    LEAST_LOADED = "least_loaded", "Least loaded: fewest open, weighted by priority"
    SKILLS = "skills", "Skills and language: best match, then least loaded"
