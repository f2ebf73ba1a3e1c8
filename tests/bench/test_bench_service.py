"""The service-levels benchmark runs end to end on a throwaway SQLite database and prints its
figures, the breach sweep reading only through its index."""

from tests.bench.quick import run_quick

NAMES = [
    "breach_sweep_s",
    "breach_sweep_steps",
    "breach_sweep_idle_s",
    "breach_sweep_after_15min_outage_s",
]


def test_quick_run_prints_each_figure_once(tmp_path):
    figures, stderr = run_quick("service.py", tmp_path)
    names = [name for name, _ in figures]
    assert [name for name in names if name in NAMES] == NAMES  # others may add their own
    assert all(float(value) >= 0 for _, value in figures)
    assert "clock_next_step" in stderr, "the sweep should read through its index"
    assert "does not read through the index" not in stderr
