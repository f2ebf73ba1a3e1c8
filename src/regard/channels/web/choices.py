"""The web form's timeline event and its limits against spam, in one place."""

from django.db import models


class WebFormEvent(models.TextChoices):
    SUBMITTED = "webform.submitted", "Sent through the web form"


MESSAGE_MAX_CHARS = 20_000
NAME_MAX_CHARS = 200
# A person needs more than this to type a message; a script posting at once does not.
MIN_SECONDS_TO_FILL = 2
# A form left open longer than this is served again rather than trusted.
STAMP_MAX_AGE = 24 * 3600
PER_IP_LIMIT, PER_IP_WINDOW = 10, 600
PER_ADDRESS_LIMIT, PER_ADDRESS_WINDOW = 5, 3600
