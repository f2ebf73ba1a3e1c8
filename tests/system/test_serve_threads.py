"""`regard serve` sends the agents' live stream to its stream process, and only then runs one
thread a web worker (a stream served by the web workers holds a thread while it is open)."""

from regard.system.management.commands.serve import Command
from regard.system.workers import web_command


def test_the_stream_process_serves_the_agents_stream_unless_the_setting_says(monkeypatch, settings):
    monkeypatch.delenv("REGARD_AGENT_STREAM_PORT", raising=False)
    assert Command.agent_stream_port(8001) == 8001
    assert Command.agent_stream_port(0) == 0  # no stream process: the web address serves it
    monkeypatch.setenv("REGARD_AGENT_STREAM_PORT", "0")  # behind a proxy
    settings.AGENT_STREAM_PORT = 0
    assert Command.agent_stream_port(8001) == 0


def test_web_workers_run_the_threads_asked_for():
    command = web_command("127.0.0.1", 8000, 2, threads=1)
    assert command[command.index("--threads") + 1] == "1"
    assert command[command.index("--workers") + 1] == "2"
