"""The broadcast benchmark runs end to end (2 real workers, an SMTP sink) and prints its figures."""

from tests.bench.quick import run_quick


def test_quick_run_prints_each_figure_once(tmp_path):
    figures, stderr = run_quick("broadcast.py", tmp_path)
    assert [name for name, _ in figures] == ["broadcast_queue_s", "broadcast_delivered_per_s"]
    assert all(float(value) > 0 for _, value in figures)
    assert "delivery states: {'sent': 200}" in stderr
