"""Mail that arrives through a provider's inbound webhook joins the one inbound pipeline."""

from __future__ import annotations

from regard.channels.email.inbound import accept_email


def receive_inbound(sender, event, esp_name, **kwargs) -> None:
    """anymail's `inbound` signal: keep the message (as MIME bytes) and process it in a task."""
    accept_email(event.message.as_bytes(), source=f"webhook:{esp_name}"[:200])
