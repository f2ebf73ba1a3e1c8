"""Background work for service levels: the agents' e-mail digests."""

from __future__ import annotations

from datetime import datetime

from regard.system.retry import retrying_task


@retrying_task
def send_digest(agent_id: int, now: str) -> int:
    """Mail one agent's waiting notifications; safe to run twice (the second finds none)."""
    from regard.accounts.models import Agent
    from regard.service import digest

    agent = Agent.objects.select_related("user").get(pk=agent_id)
    return digest.send_digest(agent, datetime.fromisoformat(now))
