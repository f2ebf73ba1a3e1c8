"""The pages benchmark serves a throwaway SQLite database with `regard serve`, requests every page
over HTTP from eight clients and prints each page's figures, with no request failing."""

from tests.bench.quick import run_quick

PAGES = [
    "inbox_mine",
    "inbox_waiting",
    "inbox_team",
    "conversation",
    "customer",
    "customers",
    "search",
]
POSITIVE = ["p50_ms", "p99_ms", "rps", "server_p50_ms", "server_p99_ms", "cpu_ms"]


def test_quick_run_prints_every_page_s_figures_once(tmp_path):
    lines, stderr = run_quick("pages.py", tmp_path, timeout=600)
    figures = dict(lines)
    expected = [
        f"page_{page}_{figure}" for page in PAGES for figure in [*POSITIVE, "failed", "queries"]
    ]
    assert [name for name, _ in lines] == expected
    for page in PAGES:
        assert all(float(figures[f"page_{page}_{figure}"]) > 0 for figure in POSITIVE), page
        assert figures[f"page_{page}_failed"] == "0", stderr
        assert int(figures[f"page_{page}_queries"]) > 0
    assert "8 clients logged in" in stderr
