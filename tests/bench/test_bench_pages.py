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


def test_a_kept_database_is_seeded_once_and_only_the_named_pages_are_timed(tmp_path):
    import os
    import subprocess
    import sys

    from tests.bench.quick import BENCH

    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["REGARD_DATA_DIR"] = str(tmp_path / "elsewhere")

    def run(*args):
        command = [sys.executable, str(BENCH / "pages.py"), "--quick", *args]
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)  # noqa: S603

    wrong = run("--pages", "inbox_mine,nope")
    assert wrong.returncode == 2 and "unknown pages: nope" in wrong.stderr
    kept = tmp_path / "kept"
    for reused in (False, True):
        result = run("--data-dir", str(kept), "--pages", "conversation")
        assert result.returncode == 0, result.stderr
        assert ("reusing the seeded database" in result.stderr) is reused
        names = [line.split()[0] for line in result.stdout.splitlines()]
        assert names and all(name.startswith("page_conversation_") for name in names)
    assert (kept / "regard.sqlite3").exists()
