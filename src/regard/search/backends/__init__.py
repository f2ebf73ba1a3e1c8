"""One module per database vendor, each offering the same candidate queries to `regard.search`."""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from django.db import connection


@dataclass(frozen=True)
class Candidate:
    """A matching message before permissions and final ranking."""

    message_id: int
    conversation_id: int
    age_days: float
    relevance: float
    phrase: bool = False


def backend() -> ModuleType:
    if connection.vendor == "postgresql":
        from regard.search.backends import postgres

        return postgres
    if connection.vendor == "sqlite":
        from regard.search.backends import sqlite

        return sqlite
    raise NotImplementedError(f"search does not support {connection.vendor}")
