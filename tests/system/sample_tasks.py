"""Tasks used by the retry tests; module-level so a worker (maybe a forked one) can import them.

Each call appends a line to a log file, because RQ runs jobs in a forked process.
"""

from pathlib import Path

from regard.system.retry import retrying_task


def _log_call(log: str, marker: int) -> int:
    path = Path(log)
    with path.open("a") as handle:
        handle.write(f"{marker}\n")
    return path.read_text().split().count(str(marker))


def calls(log: str) -> list[int]:
    path = Path(log)
    return [int(line) for line in path.read_text().split()] if path.exists() else []


@retrying_task(attempts=3)
def always_fails(marker: int, log: str) -> None:
    _log_call(log, marker)
    raise RuntimeError(f"boom {marker}")


@retrying_task(attempts=3)
def fails_once(marker: int, log: str) -> str:
    if _log_call(log, marker) == 1:
        raise RuntimeError("first attempt fails")
    return "ok"
