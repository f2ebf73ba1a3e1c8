"""The routing benchmark runs end to end on a throwaway SQLite database and prints its figures."""

from tests.bench.quick import run_quick


def test_quick_run_prints_each_figure_once(tmp_path):
    figures, _ = run_quick("service_routing.py", tmp_path)
    assert [name for name, _ in figures] == ["routing_p50_ms", "routing_p99_ms", "routing_queries"]
    assert all(float(value) > 0 for _, value in figures)
