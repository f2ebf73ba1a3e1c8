"""The ingest benchmark runs end to end on throwaway SQLite databases and prints its figures."""

from tests.bench.quick import run_quick

POSITIVE = [
    "ingest_msgs_per_s",
    "ingest_p99_ms",
    "ingest_peak_rss_mb",
    "ingest_msgs_per_s_preloaded",
]
NAMES = [*POSITIVE, "ingest_slowdown_pct"]


def test_quick_run_prints_each_figure_once(tmp_path):
    lines, stderr = run_quick("ingest.py", tmp_path)
    figures = dict(lines)
    assert list(figures) == NAMES
    assert all(float(figures[name]) > 0 for name in POSITIVE)
    float(figures["ingest_slowdown_pct"])  # may be negative: the second pass can be faster
    assert "'processed': 200" in stderr, "every generated message should be filed"
