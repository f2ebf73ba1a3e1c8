from django.db import models


class DeliveryState(models.TextChoices):
    QUEUED = "queued", "Queued"
    DELIVERED = "delivered", "Delivered"
    RETRYING = "retrying", "Failed, will retry"
    FAILED = "failed", "Failed"
    REFUSED = "refused", "Refused (address not allowed)"
