"""The search benchmark runs end to end on a throwaway SQLite database and prints its figures."""

from tests.bench.quick import run_quick

CLASSES = ["rare", "medium", "common", "two_words", "phrase", "name"]
NAMES = ["search_p50_ms", "search_p99_ms", *(f"search_{kind}_p50_ms" for kind in CLASSES)]


def test_quick_run_prints_each_figure_once(tmp_path):
    figures, _ = run_quick("search.py", tmp_path)
    assert [name for name, _ in figures] == NAMES
    assert all(float(value) > 0 for _, value in figures)
