"""The loyalty part of the clock: at most hourly, the radar, NPS, thank-you moments, digests."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from regard.accounts.models import Agent
from regard.accounts.notifications import notify
from regard.loyalty.conf import policy
from regard.loyalty.models import CustomerHealth, LoyaltyPolicy

EVERY = timedelta(hours=1)
AT_RISK = 50


def sweep(now=None) -> dict[str, int]:
    """Run the loyalty jobs if the last run is an hour old; idempotent either way."""
    from regard.loyalty import gratitude, radar, surveys

    now = now or timezone.now()
    rules = policy()
    if rules.swept_at and now - rules.swept_at < EVERY:
        return {}
    LoyaltyPolicy.objects.filter(pk=rules.pk).update(swept_at=now)
    return {
        "radar_customers": radar.recompute(now),
        "nps_asked": surveys.ask_due_nps(now),
        "thanks_drafted": gratitude.sweep(now),
        "radar_digests": send_digests(now),
    }


def send_digests(now=None) -> int:
    """Tell each owner, once a day, which of their customers are drifting away."""
    now = now or timezone.now()
    day = timezone.localdate(now).isoformat()
    rows = (
        CustomerHealth.objects.filter(risk__gte=AT_RISK, customer__owner__isnull=False)
        .annotate(owner_id=F("customer__owner_id"))
        .select_related("customer")
        .order_by("-risk", "-value")
    )
    by_owner: dict[int, list] = {}
    for health in rows:
        by_owner.setdefault(health.owner_id, []).append(health)
    owners = Agent.objects.in_bulk(list(by_owner))
    sent = 0
    for owner_id, healths in by_owner.items():
        named = "; ".join(
            f"{h.customer.name} ({h.reasons[0]['text']})" for h in healths[:3] if h.reasons
        )
        more = f" and {len(healths) - 3} more" if len(healths) > 3 else ""
        count = len(healths)
        text = (
            f"{count} of your customers {'is' if count == 1 else 'are'} drifting away: "
            f"{named}{more}."
        )
        made = notify(
            owners[owner_id],
            "radar_digest",
            text,
            key=f"radar_digest:{owner_id}:{day}",
            url="/loyalty/radar/?mine=1",
            at=now,
        )
        sent += made is not None
    return sent
