"""The shared rate limiter: counts per key and window, on the database and on Redis."""

import uuid

import pytest
from django.db import connection

from regard.system import ratelimit
from regard.system.models import RateCounter

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_keys(monkeypatch):
    """Redis outlives a test: give each test its own key space."""
    run = uuid.uuid4().hex
    allow = ratelimit.allow
    monkeypatch.setattr(ratelimit, "allow", lambda scope, key, **kw: allow(scope, run + key, **kw))


def test_allows_up_to_the_limit_then_refuses_until_the_next_window():
    results = [ratelimit.allow("t", "a@x", limit=3, window=60, now=1000.0) for _ in range(4)]
    assert results == [True, True, True, False]
    assert ratelimit.allow("t", "a@x", limit=3, window=60, now=1021.0)  # next window (1020)


def test_keys_and_scopes_are_counted_apart():
    assert ratelimit.allow("t", "a@x", limit=1, window=60, now=1000.0)
    assert ratelimit.allow("t", "b@x", limit=1, window=60, now=1000.0)
    assert ratelimit.allow("u", "a@x", limit=1, window=60, now=1000.0)
    assert not ratelimit.allow("t", "a@x", limit=1, window=60, now=1000.0)


def test_the_database_keeps_no_address_and_forgets_old_windows(settings):
    if settings.REDIS_URL:
        pytest.skip("this run counts in Redis; the database counter is tested on SQLite")
    ratelimit.allow("t", "someone@example.com", limit=5, window=60, now=1000.0)
    assert "someone" not in str(list(RateCounter.objects.values_list("key", flat=True)))
    ratelimit.allow("t", "other@example.com", limit=5, window=60, now=5000.0)
    assert RateCounter.objects.count() == 1  # the window that ended at 1020 is gone
    assert connection.vendor in ("sqlite", "postgresql")


def test_a_long_window_survives_a_short_ones_cleanup(settings):
    if settings.REDIS_URL:
        pytest.skip("this run counts in Redis; the database counter is tested on SQLite")
    ratelimit.allow("day", "k", limit=1, window=86400, now=90000.0)
    ratelimit.allow("minute", "k", limit=1, window=60, now=90500.0)
    assert not ratelimit.allow("day", "k", limit=1, window=86400, now=90600.0)
