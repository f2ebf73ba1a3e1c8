"""The model benchmark runs end to end on a throwaway SQLite database and prints its figures."""

from tests.bench.quick import run_quick

NAMES = ["model_rows_per_s", "inbox_waiting_longest_ms", "inbox_waiting_longest_p99_ms"]


def test_quick_run_prints_each_figure_once(tmp_path):
    figures, _ = run_quick("model.py", tmp_path, timeout=120)
    assert [name for name, _ in figures] == NAMES
    assert all(float(value) > 0 for _, value in figures)
