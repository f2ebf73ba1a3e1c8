"""The search benchmark runs end to end on a throwaway SQLite database and prints its figures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "search.py"
CLASSES = ["rare", "medium", "common", "two_words", "phrase", "name"]
NAMES = ["search_p50_ms", "search_p99_ms", *(f"search_{kind}_p50_ms" for kind in CLASSES)]


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
    figures = [line.split() for line in result.stdout.splitlines()]
    assert all(len(figure) == 2 for figure in figures), result.stdout
    assert [name for name, _ in figures] == NAMES
    assert all(float(value) > 0 for _, value in figures)
    assert not (tmp_path / "regard.sqlite3").exists(), "the caller's data folder was written to"
