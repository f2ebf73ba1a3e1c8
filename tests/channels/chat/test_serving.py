"""`regard serve` starts the stream process too, and tells the web app where it is."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import time

from regard.system.workers import stream_command
from tests.channels.servers import free_port, wait_for_port


def test_the_stream_process_is_uvicorn_on_the_asgi_application():
    command = stream_command("127.0.0.1", 8001, 3)
    assert command[1:4] == ["-m", "uvicorn", "regard.asgi:application"]
    assert command[command.index("--port") + 1] == "8001"
    assert command[command.index("--workers") + 1] == "3"


def _post(port: int, path: str, body: dict) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
    response = conn.getresponse()
    assert response.status == 200, response.read()
    return json.loads(response.read())


def test_regard_serve_answers_chat_and_serves_its_streams(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL"} and not k.startswith("REGARD_")
    }
    env["REGARD_DATA_DIR"] = str(tmp_path / "var")
    port, stream_port = free_port(), free_port()
    command = [sys.executable, "-m", "regard.cli", "serve", "--port", str(port), "--no-worker"]
    command += ["--stream-port", str(stream_port), "--web-workers", "1"]
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(  # noqa: S603
        command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
    )
    try:
        wait_for_port(port, timeout=240, process=process)
        wait_for_port(stream_port, timeout=60, process=process)
        started = _post(port, "/chat/start", {"name": "Ana"})
        assert started["stream"] == f"http://127.0.0.1:{stream_port}/chat/stream"
        conn = http.client.HTTPConnection("127.0.0.1", stream_port, timeout=10)
        conn.request("GET", f"/chat/stream?token={started['token']}")
        response = conn.getresponse()
        assert response.status == 200
        deadline, seen = time.monotonic() + 10, b""
        while b"event: ready" not in seen and time.monotonic() < deadline:
            seen += response.read1(4096)
        assert b"event: ready" in seen
        conn.close()
    except BaseException:
        print((tmp_path / "serve.log").read_text()[-3000:])  # noqa: T201 - shown when it failed
        raise
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()
