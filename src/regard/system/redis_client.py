"""One Redis client per process and address, shared by every thread.

`functools.cache` is not enough: threads making the first call at once each build a client, and
the ones that lose are garbage-collected, closing a connection pool another thread is using.
"""

from __future__ import annotations

import threading

_clients: dict[str, object] = {}
_lock = threading.Lock()


def redis_client(url: str):
    """A redis.Redis for `url` (short timeouts: Regard waits on Redis only briefly)."""
    client = _clients.get(url)
    if client is None:
        with _lock:
            client = _clients.get(url)
            if client is None:
                import redis

                client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
                _clients[url] = client
    return client
