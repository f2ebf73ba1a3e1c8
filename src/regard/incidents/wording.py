"""The words of one update for one customer: their name, what it means for them, when we write
next (in their time zone), signed by their concierge."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.utils import timezone


def when(moment, tz_name: str) -> str:
    try:
        zone = ZoneInfo(tz_name or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo(settings.TIME_ZONE)
    local = timezone.localtime(moment, zone)
    return f"{local:%A %-d %B at %H:%M} ({local.tzname()})"


def personalise(update, customer, note: str, concierge) -> str:
    name = customer.address_name or customer.name
    parts = [f"Hi {name},", update.text.strip()]
    if note.strip():
        parts.append(f"What this means for you: {note.strip()}")
    if update.closing:
        parts.append("This is my last update on it. If anything still is not right, reply here.")
    elif update.next_update_due_at is not None:
        parts.append(
            f"I'll write to you again by {when(update.next_update_due_at, customer.time_zone)}, "
            "or sooner if anything changes. You can reply to this e-mail; it comes straight to me."
        )
    parts.append(f"{concierge.display_name}\n{settings.COMPANY_NAME}")
    return "\n\n".join(parts)
