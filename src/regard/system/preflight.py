"""Checks run before any command: each problem becomes one clear line naming the setting."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.db.utils import OperationalError

from regard.config import ConfigError, redact_url


def _first_line(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]


def check_database() -> None:
    try:
        connection.ensure_connection()
    except OperationalError as exc:
        url = settings.ENV["DATABASE_URL"] or f"sqlite:///{settings.DATABASES['default']['NAME']}"
        raise ConfigError(
            f"cannot reach the database at DATABASE_URL={redact_url(url)}: {_first_line(exc)}"
        ) from None


def check_redis() -> None:
    if not settings.REDIS_URL:
        return
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3).ping()
    except (redis.RedisError, OSError) as exc:
        raise ConfigError(
            f"cannot reach Redis at REDIS_URL={redact_url(settings.REDIS_URL)}: {_first_line(exc)}"
        ) from None


def preflight() -> None:
    check_database()
    check_redis()
