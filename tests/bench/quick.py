"""Running a bench script's quick mode on a throwaway SQLite database, as its tests do."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"


def run_quick(script: str, data_dir: Path, timeout: int = 300):
    """Run `bench/<script> --quick`; returns (figures as (name, value) pairs, stderr)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["REGARD_DATA_DIR"] = str(data_dir)
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(BENCH / script), "--quick"],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    figures = [line.split() for line in result.stdout.splitlines()]
    assert all(len(figure) == 2 for figure in figures), result.stdout
    assert not (data_dir / "regard.sqlite3").exists(), "the caller's data folder was written to"
    return figures, result.stderr
