"""Sessions in the database, as Django keeps them, read by a prepared query: every request reads
its session, and building that query's SQL took longer than SQLite takes to answer it."""

from __future__ import annotations

from datetime import datetime

from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from regard.system.prepared import Prepared

CURRENT = Prepared(
    lambda key, now: Session.objects.filter(session_key=key, expire_date__gt=now),
    key=str,
    now=datetime,
)


class SessionStore(DatabaseStore):
    def _get_session_from_db(self):
        found = CURRENT(key=self.session_key, now=timezone.now()) if self.session_key else []
        if not found:
            self._session_key = None  # as Django's store does for a missing or expired session
            return None
        return found[0]
