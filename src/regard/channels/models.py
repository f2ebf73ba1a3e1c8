"""Raw inbound messages, stored byte for byte before anything else happens to them."""

from django.db import models


class RawState(models.TextChoices):
    RECEIVED = "received", "Received, not yet processed"
    PROCESSED = "processed", "Processed"
    FAILED = "failed", "Processing failed"
    QUARANTINED = "quarantined", "Quarantined"


class RawMessage(models.Model):
    """Bytes exactly as received; one row per distinct content, however often it arrives."""

    channel = models.CharField(max_length=16)
    source = models.CharField(max_length=200, blank=True, help_text="Mailbox or endpoint")
    external_id = models.CharField(max_length=998, blank=True, db_index=True)
    sha256 = models.CharField(max_length=64, unique=True)
    data = models.BinaryField()
    size = models.PositiveBigIntegerField()
    state = models.CharField(max_length=16, choices=RawState.choices, default=RawState.RECEIVED)
    error = models.TextField(blank=True)
    kind = models.CharField(
        max_length=20, blank=True, help_text="normal, auto_reply, bulk, bounce or feedback_report"
    )
    conversation = models.ForeignKey(
        "conversations.Conversation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="system_mail",
        help_text="Where a bounce or auto-reply was attached",
    )
    received_at = models.DateTimeField()
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["state", "received_at"], name="raw_state_received")]


class ThreadReference(models.Model):
    """A Message-ID that a message refers to, so replies that arrive first find a late parent."""

    message = models.ForeignKey(
        "conversations.Message", on_delete=models.CASCADE, related_name="thread_references"
    )
    ref = models.CharField(max_length=998, db_index=True)


class Mailbox(models.Model):
    """An IMAP mailbox Regard collects customer mail from."""

    name = models.CharField(max_length=120, unique=True)
    address = models.EmailField(help_text="The address customers write to")
    host = models.CharField(max_length=255)
    port = models.PositiveIntegerField(default=993)
    use_ssl = models.BooleanField(default=True)
    username = models.CharField(max_length=255)
    password = models.CharField(max_length=255)
    folder = models.CharField(max_length=255, default="INBOX")
    done_folder = models.CharField(
        max_length=255,
        blank=True,
        help_text="Move stored messages here; empty: leave them and flag them as stored",
    )
    auto_acknowledge = models.BooleanField(
        null=True, blank=True, help_text="Empty: follow REGARD_AUTO_ACKNOWLEDGE"
    )
    active = models.BooleanField(default=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FormFieldKind(models.TextChoices):
    SHORT_TEXT = "short_text", "Short text"
    LONG_TEXT = "long_text", "Long text"
    CHOICE = "choice", "Choice of options"
    CHECKBOX = "checkbox", "Checkbox"


class FormField(models.Model):
    """A question an admin adds to the web form; name, e-mail and message are always there."""

    label = models.CharField(max_length=120, help_text="The question, e.g. “Order number”")
    kind = models.CharField(
        max_length=16, choices=FormFieldKind.choices, default=FormFieldKind.SHORT_TEXT
    )
    options = models.TextField(blank=True, help_text="For a choice: one option a line")
    required = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0, help_text="Lower comes first")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label

    @property
    def choices(self) -> list[str]:
        return [line.strip() for line in self.options.splitlines() if line.strip()]

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.kind == FormFieldKind.CHOICE and len(self.choices) < 2:
            raise ValidationError({"options": "A choice needs at least two options, one a line."})
