"""Sign-in backends: Django's own, with each request's user read in one prepared query together
with their agent profile (every page reads both; two queries built anew cost more than the page's
slowest)."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User

from regard.system.prepared import Prepared

USER_WITH_AGENT = Prepared(lambda pk: User.objects.filter(pk=pk).select_related("agent"), pk=int)


class AgentBackend(ModelBackend):
    def get_user(self, user_id):
        try:
            found = USER_WITH_AGENT(pk=int(user_id))
        except (TypeError, ValueError):
            return None
        user = found[0] if found else None
        return user if user is not None and self.user_can_authenticate(user) else None
