"""What one batch of inbound messages reads once: workspace settings that filing a message never
changes (active service policies, open incidents, agents' names, the team taking new work).

`batch_memo()` opens a memo for the length of one transaction (the inbound pipeline's batch);
`remembered(key, read)` answers from it, or calls `read` each time when no batch is open. The
memo is a context variable, so it never outlives its batch nor crosses threads or tasks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")
_memo: ContextVar[dict | None] = ContextVar("regard_batch_memo", default=None)


@contextmanager
def batch_memo() -> Iterator[None]:
    """Remember reads until the block ends; open it inside the batch's transaction."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def remembered(key: str, read: Callable[[], T]) -> T:
    """`read()`, once per batch (callers must not change what it returns)."""
    memo = _memo.get()
    if memo is None:
        return read()
    if key not in memo:
        memo[key] = read()
    return memo[key]
