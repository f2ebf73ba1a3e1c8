"""The chat benchmark starts the real web and stream processes, holds visitors' streams open and
times messages both ways, printing each figure once, with no stream dropped and nothing lost."""

from tests.bench.quick import run_quick

FIGURES = [
    "chat_connections",
    "chat_rtt_p50_ms",
    "chat_rtt_p99_ms",
    "chat_agent_rtt_p50_ms",
    "chat_agent_rtt_p99_ms",
    "chat_lost",
    "chat_connect_s",
    "chat_messages_per_s",
    "chat_stream_rss_mb",
]


def test_quick_run_prints_each_figure_once(tmp_path):
    lines, stderr = run_quick("chat.py", tmp_path)
    assert [name for name, _ in lines] == FIGURES
    figures = {name: float(value) for name, value in lines}
    assert figures["chat_connections"] == 20, stderr
    assert figures["chat_lost"] == 0, stderr
    for name in ("chat_rtt_p50_ms", "chat_rtt_p99_ms", "chat_agent_rtt_p50_ms"):
        assert 0 < figures[name] < 15_000, name
    assert figures["chat_stream_rss_mb"] > 10  # two uvicorn workers and their parent
    assert "visitor round trips: 20 of 20" in stderr
    assert "agent round trips: 5 of 5" in stderr
