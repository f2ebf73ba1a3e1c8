"""The radar benchmark runs end to end on a throwaway SQLite database and prints its figures."""

from tests.bench.quick import run_quick


def test_quick_run_prints_each_figure_once(tmp_path):
    figures, stderr = run_quick("radar.py", tmp_path)
    assert [name for name, _ in figures] == ["radar_seconds", "radar_customers_at_risk"]
    values = dict(figures)
    assert 0 < float(values["radar_seconds"]) < 60
    assert int(values["radar_customers_at_risk"]) > 0, "the data should put some at risk"
    assert "of 1000 customers with a reason for concern" in stderr
