"""One Redis client per address however many threads ask for it first at once."""

import threading

from regard.system import redis_client as module


def test_threads_asking_at_once_share_one_client(monkeypatch):
    monkeypatch.setattr(module, "_clients", {})
    url = "redis://127.0.0.1:6379/9"
    seen, start = [], threading.Barrier(8)

    def ask():
        start.wait()
        seen.append(module.redis_client(url))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(client) for client in seen}) == 1
    assert module.redis_client("redis://127.0.0.1:6379/10") is not seen[0]
