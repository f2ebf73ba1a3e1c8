"""Named queries over conversations."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from regard.conversations.choices import ACTIVE_STATUSES


def teams_of(agent_id: int):
    """The agent's teams' ids, as a subquery (by id, so a prepared query can take it as a slot)."""
    from regard.accounts.models import Team

    return Team.objects.filter(agents__id=agent_id).values("pk")


def team_visible(agent_id: int) -> Q:
    """Conversations of the agent's teams, of no team, or assigned to the agent."""
    return Q(team__in=teams_of(agent_id)) | Q(team__isnull=True) | Q(assignee_id=agent_id)


class ConversationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=ACTIVE_STATUSES)

    def visible_to(self, agent):
        """Conversations an agent may see: all for supervisors and admins, else their teams'."""
        from regard.accounts.permissions import VIEW_ALL_TEAMS, can

        if can(agent.user, VIEW_ALL_TEAMS):
            return self
        return self.filter(team_visible(agent.pk))

    def waiting_longest(self, agent):
        """The agent's active conversations with an unanswered customer message, oldest first."""
        return self.filter(
            assignee=agent, status__in=ACTIVE_STATUSES, waiting_since__isnull=False
        ).order_by(F("waiting_since").asc(), "id")
