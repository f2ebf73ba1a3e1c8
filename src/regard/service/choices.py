"""What a service clock measures, and the escalation steps it climbs."""

from django.db import models


class Metric(models.TextChoices):
    FIRST_REPLY = "first_reply", "First reply"
    NEXT_REPLY = "next_reply", "Next reply"
    RESOLUTION = "resolution", "Resolution"


REPLY_METRICS = (Metric.FIRST_REPLY, Metric.NEXT_REPLY)


class Step(models.IntegerChoices):
    """How far a clock has escalated; each step happens once per clock."""

    NONE = 0, "On track"
    WARNED = 1, "Assignee warned"
    BREACHED = 2, "Breached: team lead told"
    SUPERVISOR = 3, "Escalated to a supervisor"


# Event kinds on the conversation's timeline, one per step.
STEP_EVENTS = {
    Step.WARNED: "service.warning",
    Step.BREACHED: "service.breached",
    Step.SUPERVISOR: "service.escalated",
}
WEEKDAY_FIELDS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
