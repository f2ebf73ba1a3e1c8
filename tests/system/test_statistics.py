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


@pytest.mark.django_db(transaction=True)
def test_the_clock_folds_the_write_ahead_log_between_sweeps(monkeypatch):
    from regard.system.management.commands import clock as command

    make_conversation()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint")
            assert cursor.fetchone()[0] == 10000  # requests leave the checkpoints to the clock
        assert clock.checkpoint_wal() >= 0
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
            busy, pages, done = cursor.fetchone()
        assert busy == 0 and pages == done  # nothing was left behind
    else:
        assert clock.checkpoint_wal() == 0
    calls = []
    monkeypatch.setattr(command, "CHECKPOINT_EVERY", 0.01)
    monkeypatch.setattr(command, "checkpoint_wal", lambda: calls.append(1) or 0)
    command.Command._wait(0.05)
    assert len(calls) >= 2
