"""Fixed-window rate limits shared by every process: Redis when configured, else the database.

    if not allow("webform-ip", client_ip(request), limit=5, window=600):
        ...  # refuse with 429

Keys are hashed before they are stored, so no address or e-mail is kept by the limiter.
"""

from __future__ import annotations

import hashlib
import math
import time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from regard.system.redis_client import redis_client


def _digest(scope: str, key: str) -> str:
    return hashlib.sha256(f"{scope}\0{key}".encode()).hexdigest()


def allow(scope: str, key: str, *, limit: int, window: int, now: float | None = None) -> bool:
    """Count one hit on `key` in `scope`; False once it has had `limit` hits this window."""
    now = time.time() if now is None else now
    start = int(now // window * window)
    digest = _digest(scope, key)
    if settings.REDIS_URL:
        name = f"regard:rate:{digest}:{start}"
        pipe = redis_client(settings.REDIS_URL).pipeline()
        pipe.incr(name)
        pipe.expire(name, window + 1)
        hits = pipe.execute()[0]
    else:
        hits = _count_in_database(digest, start, window, now)
    return hits <= limit


def seconds_left(window: int, now: float | None = None) -> int:
    """Whole seconds until this window ends (what a `Retry-After` header says), at least 1."""
    now = time.time() if now is None else now
    return max(1, math.ceil((now // window + 1) * window - now))


def _count_in_database(digest: str, start: int, window: int, now: float) -> int:
    from regard.system.models import RateCounter

    with transaction.atomic():
        updated = RateCounter.objects.filter(key=digest, window=start).update(hits=F("hits") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    RateCounter.objects.create(
                        key=digest, window=start, hits=1, expires=start + window
                    )
            except IntegrityError:  # another process created it first
                RateCounter.objects.filter(key=digest, window=start).update(hits=F("hits") + 1)
        hits = RateCounter.objects.filter(key=digest, window=start).values_list("hits", flat=True)
        hits = hits.first() or 1
    # Old windows are of no use; clear them now and then rather than in a separate job.
    if hits == 1:
        RateCounter.objects.filter(expires__lt=int(now)).delete()
    return hits


def client_ip(request) -> str:
    """The caller's address as the server sees it (a proxy in front must set REMOTE_ADDR)."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"
