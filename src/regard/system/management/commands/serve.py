"""`regard serve`: migrate, then run the web server and a task worker until stopped."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from regard.system.workers import regard_command, stream_command, web_command, worker_command


class Command(BaseCommand):
    help = "Run Regard: the web app, the stream process (chat) and (unless --no-worker) a worker."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--web-workers", type=int, default=2)
        parser.add_argument(
            "--stream-port",
            type=int,
            default=None,
            help="Port of the ASGI stream process for the chat (default: --port + 1; 0: none)",
        )
        parser.add_argument("--no-worker", action="store_true", help="Start no task worker")
        parser.add_argument("--no-migrate", action="store_true")

    def handle(self, *args, host, port, web_workers, stream_port, no_worker, no_migrate, **options):
        if not no_migrate:
            call_command("migrate", verbosity=0, interactive=False)
        stream_port = port + 1 if stream_port is None else stream_port
        agent_stream_port = self.agent_stream_port(stream_port)
        env = {
            **os.environ,
            **self._stream_url(host, stream_port),
            "REGARD_AGENT_STREAM_PORT": str(agent_stream_port),
        }
        # A stream served by the web workers holds a thread while it is open; otherwise one
        # thread a worker serves pages fastest (threads only share one interpreter).
        web = web_command(host, port, web_workers, threads=1 if agent_stream_port else 4)
        helpers = [] if no_worker else [worker_command(), regard_command("clock")]
        if stream_port:
            helpers.insert(0, stream_command(host, stream_port, web_workers))
        self.stdout.write(f"Regard is serving on http://{host}:{port}/ (Ctrl+C stops it)")
        self.stdout.flush()
        running = {tuple(command): subprocess.Popen(command) for command in helpers}  # noqa: S603
        running[tuple(web)] = subprocess.Popen(web, env=env)  # noqa: S603
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while not stopping and running[tuple(web)].poll() is None:
                self._restart_stopped(running, helpers)
                time.sleep(0.5)
        finally:
            self._stop_all(running.values())
        if not stopping:
            self.stderr.write("regard: the web server stopped unexpectedly")

    @staticmethod
    def agent_stream_port(stream_port: int) -> int:
        """The agents' live stream goes to the stream process too (it waits there without
        holding a thread), unless REGARD_AGENT_STREAM_PORT says otherwise (0: the web address)."""
        if "REGARD_AGENT_STREAM_PORT" in os.environ:
            return settings.AGENT_STREAM_PORT
        return stream_port

    @staticmethod
    def _stream_url(host: str, stream_port: int) -> dict[str, str]:
        """Tell the web app where the chat's streams are, unless the setting says already."""
        if not stream_port or os.environ.get("REGARD_CHAT_STREAM_URL"):
            return {}
        if host in ("0.0.0.0", "::", ""):  # noqa: S104 - a wildcard is no address to give out
            host = urlsplit(settings.BASE_URL).hostname or "127.0.0.1"
        host = f"[{host}]" if ":" in host else host
        return {"REGARD_CHAT_STREAM_URL": f"http://{host}:{stream_port}"}

    def _restart_stopped(self, running, helpers) -> None:
        """A worker or the clock that dies is started again; the web server keeps serving."""
        for command in helpers:
            process = running[tuple(command)]
            if process.poll() is not None:
                self.stderr.write(
                    f"regard: {' '.join(command[2:4])} stopped (exit {process.returncode}); "
                    "starting it again"
                )
                running[tuple(command)] = subprocess.Popen(command)  # noqa: S603

    @staticmethod
    def _stop_all(processes) -> None:
        processes = list(processes)
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
