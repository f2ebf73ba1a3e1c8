"""The ingest benchmark runs end to end on throwaway SQLite databases and prints its figures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "ingest.py"
POSITIVE = [
    "ingest_msgs_per_s",
    "ingest_p99_ms",
    "ingest_peak_rss_mb",
    "ingest_msgs_per_s_preloaded",
]
NAMES = [*POSITIVE, "ingest_slowdown_pct"]


def test_quick_run_prints_each_figure_once(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["REGARD_DATA_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = [line.split() for line in result.stdout.splitlines()]
    assert all(len(line) == 2 for line in lines), result.stdout
    figures = dict(lines)
    assert list(figures) == NAMES, result.stdout
    assert all(float(figures[name]) > 0 for name in POSITIVE)
    float(figures["ingest_slowdown_pct"])  # may be negative: the second pass can be faster
    assert "'processed': 200" in result.stderr, "every generated message should be filed"
    assert not (tmp_path / "regard.sqlite3").exists(), "the caller's data folder was written to"
