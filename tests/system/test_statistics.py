"""The clock keeps SQLite's planner statistics, so the inbox walks its indexes."""

import pytest
from django.db import connection

from regard.system import clock
from tests.factories import make_conversation

pytestmark = pytest.mark.django_db


def test_statistics_are_gathered_once_an_hour(monkeypatch):
    if connection.vendor != "sqlite":
        assert clock.refresh_statistics() == 0  # PostgreSQL's autovacuum keeps its own
        return
    monkeypatch.setattr(clock, "_statistics_at", None)
    make_conversation()
    assert clock.refresh_statistics() == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'conversations_conversation'")
        assert cursor.fetchone()[0] > 0
    assert clock.refresh_statistics() == 0  # not again within the hour
    monkeypatch.setattr(clock, "_statistics_at", clock._statistics_at - clock.STATISTICS_EVERY)
    assert clock.refresh_statistics() == 1
