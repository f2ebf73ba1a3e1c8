"""Background work for webhooks: each delivery is one retrying task."""

from __future__ import annotations

from regard.system.retry import retrying_task


def delivery_failed(delivery_id: int, *, error: str) -> None:
    from regard.hooks.deliver import give_up

    give_up(delivery_id)


@retrying_task(on_give_up=delivery_failed)
def deliver_webhook(delivery_id: int) -> str:
    """Send one webhook delivery; safe to run again once it is delivered, refused or failed."""
    from regard.hooks.deliver import deliver

    return deliver(delivery_id)
