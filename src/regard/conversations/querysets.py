"""Named queries over conversations."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from regard.conversations.choices import ACTIVE_STATUSES


class ConversationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=ACTIVE_STATUSES)

    def visible_to(self, agent):
        """Conversations an agent may see: all for supervisors and admins, else their teams'."""
        from regard.accounts.permissions import VIEW_ALL_TEAMS, can

        if can(agent.user, VIEW_ALL_TEAMS):
            return self
        return self.filter(Q(team__in=agent.teams.all()) | Q(team__isnull=True) | Q(assignee=agent))

    def waiting_longest(self, agent):
        """The agent's active conversations with an unanswered customer message, oldest first."""
        return self.filter(
            assignee=agent, status__in=ACTIVE_STATUSES, waiting_since__isnull=False
        ).order_by(F("waiting_since").asc(), "id")
