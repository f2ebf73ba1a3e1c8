"""Hold many chat streams open against the real processes and time messages end to end.

Starts gunicorn (the JSON API, `--web-workers`) and uvicorn (the streams, `--stream-workers`) on a
throwaway database, starts `--connections` visitors with `POST /chat/start` (each from its own
loopback address, as real visitors come from their own), opens each one's event stream, then:

- visitor round trips: a visitor posts a message; the time until it arrives on that visitor's own
  stream (database, publish on commit, Redis or the database poll, the stream process);
- agent round trips: a logged-in agent replies through the workspace form; the time until the
  reply arrives on the visitor's stream.

Prints `name value` lines: `chat_connections` (streams still open at the end), `chat_rtt_p50_ms`,
`chat_rtt_p99_ms`, `chat_agent_rtt_p50_ms`, `chat_agent_rtt_p99_ms`, `chat_lost` (messages that
never arrived), `chat_connect_s` (time to start and connect every visitor),
`chat_messages_per_s` (the visitors' pace) and `chat_stream_rss_mb` (memory of the stream
processes with every stream open). Exits non-zero when a stream dropped or a message was lost.
Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from model import bench_database, log, setup_django

USERNAME = "bench-chat"
PASSWORD = "bench-chat-Teapot-73-Harbour"  # noqa: S105 - a throwaway database's only login
ARRIVAL_TIMEOUT = 15.0  # seconds before a message counts as lost
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--connections", type=int, default=1000, help="concurrent chat streams")
    parser.add_argument("--messages", type=int, default=600, help="visitor round trips timed")
    parser.add_argument("--replies", type=int, default=100, help="agent round trips timed")
    parser.add_argument(
        "--rate", type=float, default=10.0, help="visitor messages a second, over all visitors"
    )
    parser.add_argument("--reply-rate", type=float, default=5.0, help="agent replies a second")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--stream-workers", type=int, default=2, help="uvicorn workers")
    parser.add_argument(
        "--sqlite",
        action="store_true",
        help="the embedded default: SQLite, no Redis (streams poll)",
    )
    parser.add_argument("--quick", action="store_true", help="small run on SQLite for tests")
    args = parser.parse_args()
    if args.quick:
        args.connections, args.messages, args.replies = 20, 20, 5
        args.sqlite = True
    return args


# --- the database -----------------------------------------------------------------------------


def seed() -> None:
    """An admin agent (so every chat is theirs to answer), available, in one team."""
    from regard.accounts.actions import create_agent
    from regard.accounts.choices import Role
    from regard.accounts.models import Team

    team = Team.objects.create(name="Bench chat team")
    create_agent(USERNAME, PASSWORD, display_name="Dana Reyes", role=Role.ADMIN, teams=[team])


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


# --- the processes ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def commands(args: argparse.Namespace, web_port: int, stream_port: int) -> list[list[str]]:
    """The web and stream processes exactly as `regard serve` starts them."""
    from regard.system import workers

    web = workers.web_command("127.0.0.1", web_port, args.web_workers)
    stream = workers.stream_command("127.0.0.1", stream_port, args.stream_workers)
    return [web, stream]


@contextlib.contextmanager
def serving(args: argparse.Namespace, folder: Path) -> Iterator[tuple[int, int]]:
    """gunicorn and uvicorn on free ports, each in a process group of its own; yield the web
    port and the stream processes' group."""
    from django.db import connections

    connections.close_all()
    web_port, stream_port = free_port(), free_port()
    env = dict(os.environ)
    env.update(
        REGARD_DEBUG="false",
        REGARD_ALLOWED_HOSTS="127.0.0.1,localhost",
        REGARD_BASE_URL=f"http://127.0.0.1:{web_port}",
        REGARD_CHAT_STREAM_URL=f"http://127.0.0.1:{stream_port}",
    )
    processes = []
    logs = []
    try:
        for name, command in zip(
            ("web", "stream"), commands(args, web_port, stream_port), strict=True
        ):
            path = folder / f"{name}.log"
            logs.append(path)
            with path.open("wb") as out:
                processes.append(
                    subprocess.Popen(  # noqa: S603
                        command,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        env=env,
                        start_new_session=True,
                    )
                )
        for port, process in zip((web_port, stream_port), processes, strict=True):
            wait_for_port(port, process)
        log(
            f"gunicorn on {web_port} ({args.web_workers} workers), "
            f"uvicorn on {stream_port} ({args.stream_workers} workers)"
        )
        yield web_port, processes[1].pid
    except BaseException:
        for path in logs:
            log(f"the end of {path.name}:\n{path.read_text(errors='replace')[-3000:]}")
        raise
    finally:
        for process in processes:
            stop(process)


def wait_for_port(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{process.args[2]} exited with {process.returncode} before serving")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.2)
    raise SystemExit(f"nothing answered on port {port} within 120 s")


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to the process group, SIGKILL what is left."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        log(f"{process.args[2]} did not stop within 20 s: killing it")
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def raise_open_files_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard == resource.RLIM_INFINITY else min(hard, max(soft, needed))
    if wanted > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))  # the servers inherit it
    if wanted < needed:
        log(f"warning: only {wanted} open files allowed, {needed} wanted")


# --- a small HTTP/1.1 client on asyncio -------------------------------------------------------


def address(number: int) -> str:
    """A loopback address of its own for visitor `number` (Linux routes all of 127/8 locally)."""
    return f"127.0.{1 + number // 250}.{2 + number % 250}"


@dataclass
class Response:
    status: int
    headers: dict[str, list[str]]
    body: bytes

    def json(self):
        return json.loads(self.body or b"{}")


async def read_head(reader: asyncio.StreamReader) -> tuple[int, dict[str, list[str]]]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers: dict[str, list[str]] = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers.setdefault(name.strip().lower(), []).append(value.strip())
    return status, headers


async def read_chunk(reader: asyncio.StreamReader) -> bytes:
    """One chunk of a chunked body; b"" at its end."""
    size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
    data = await reader.readexactly(size + 2)
    return data[:-2]


async def request(
    port: int,
    method: str,
    path: str,
    *,
    source: str = "127.0.0.1",
    headers: dict[str, str] | None = None,
    body: bytes = b"",
) -> Response:
    """One request on a fresh connection (closed afterwards), from the `source` address."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
    try:
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        status, response_headers = await read_head(reader)
        if status in (204, 304) or method == "HEAD":
            data = b""
        elif "content-length" in response_headers:
            data = await reader.readexactly(int(response_headers["content-length"][0]))
        elif "chunked" in response_headers.get("transfer-encoding", [""])[0]:
            data = b""
            while chunk := await read_chunk(reader):
                data += chunk
        else:
            data = await reader.read()
        return Response(status, response_headers, data)
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


def post_json(port, path, payload, *, source, token=None):
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return request(
        port, "POST", path, source=source, headers=headers, body=json.dumps(payload).encode()
    )


# --- visitors and their streams ---------------------------------------------------------------


@dataclass
class Visitor:
    number: int
    token: str = ""
    stream: str = ""
    chatting: bool = False  # has sent a message, so has a conversation
    conversation: int | None = None
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    last: int = 0  # the last message id seen on the stream
    reconnects: int = 0
    open: bool = False
    error: str = ""
    task: asyncio.Task | None = None


class Clock:
    """Messages on their way: their text -> (send time, future set when a stream shows it)."""

    def __init__(self):
        self.waiting: dict[str, tuple[float, asyncio.Future]] = {}
        self.posts: list[tuple[bool, float]] = []  # (first of its chat?, ms until the 201)
        self.early = 0

    def expect(self, text: str) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        self.waiting[text] = (time.perf_counter(), future)
        return future

    def arrived(self, text: str) -> None:
        entry = self.waiting.pop(text, None)
        if entry and not entry[1].done():
            entry[1].set_result((time.perf_counter() - entry[0]) * 1000)


async def start_visitor(visitor: Visitor, web_port: int) -> None:
    response = await post_json(
        web_port,
        "/chat/start",
        {"name": f"Visitor {visitor.number}"},
        source=address(visitor.number),
    )
    if response.status != 200:
        raise SystemExit(f"/chat/start answered {response.status}: {response.body[:300]!r}")
    data = response.json()
    visitor.token, visitor.stream = data["token"], data["stream"]
    if data.get("online") is False:
        raise SystemExit("/chat/start says no agent is online: the bench agent is not available")


async def listen(visitor: Visitor, clock: Clock) -> None:
    """Hold the visitor's stream open, passing every message event to the clock; when the server
    ends a stream (they last a few minutes), reconnect at once as EventSource does."""
    while not await listen_once(visitor, clock):
        visitor.reconnects += 1


async def listen_once(visitor: Visitor, clock: Clock) -> bool:
    """One stream connection; False when the server ended it cleanly (so: reconnect)."""
    url = urlsplit(visitor.stream)
    query = urlencode({"token": visitor.token, "after": visitor.last})
    try:
        reader, writer = await asyncio.open_connection(
            url.hostname, url.port, local_addr=(address(visitor.number), 0)
        )
    except OSError as exc:
        visitor.error = f"connect: {exc}"
        visitor.ready.set()
        return True
    try:
        writer.write(
            (
                f"GET {url.path}?{query} HTTP/1.1\r\nHost: {url.netloc}\r\n"
                "Accept: text/event-stream\r\nOrigin: https://shop.example\r\n\r\n"
            ).encode()
        )
        status, headers = await read_head(reader)
        if status != 200:
            visitor.error = f"stream answered {status}"
            return True
        chunked = "chunked" in headers.get("transfer-encoding", [""])[0]
        visitor.open = True
        buffer = b""
        while True:
            data = await (read_chunk(reader) if chunked else reader.read(65536))
            if not data:
                visitor.error = "the server ended the stream"
                return False
            buffer += data.replace(b"\r\n", b"\n")
            while b"\n\n" in buffer:
                block, buffer = buffer.split(b"\n\n", 1)
                on_event(visitor, clock, block.decode())
    except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
        visitor.error = f"{type(exc).__name__}: {exc}"
        return True
    finally:
        visitor.open = False
        visitor.ready.set()
        writer.close()


def on_event(visitor: Visitor, clock: Clock, block: str) -> None:
    kind, data = "message", []
    for line in block.split("\n"):
        if line.startswith("event:"):
            kind = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip())
    if kind == "ready":
        visitor.ready.set()
    elif kind == "message" and data:
        message = json.loads("\n".join(data))
        visitor.last = max(visitor.last, message.get("id", 0))
        clock.arrived(message.get("text", ""))


async def connect_all(visitors: list[Visitor], web_port: int, clock: Clock) -> float:
    """Start every visitor and open its stream, 50 at a time; the seconds it took."""
    started = time.perf_counter()
    gate = asyncio.Semaphore(50)

    async def one(visitor: Visitor) -> None:
        async with gate:
            await start_visitor(visitor, web_port)
            visitor.task = asyncio.create_task(listen(visitor, clock))
            await asyncio.wait_for(visitor.ready.wait(), 60)

    # The first few one at a time, so the freshly started server threads open their database
    # and Redis connections before the crowd arrives, as on a server that has been running.
    warm = 16
    for visitor in visitors[:warm]:
        await one(visitor)
    await asyncio.gather(*(one(v) for v in visitors[warm:]))
    elapsed = time.perf_counter() - started
    refused = [v for v in visitors if not v.open]
    if refused:
        raise SystemExit(f"{len(refused)} streams did not open, e.g. {refused[0].error}")
    return elapsed


# --- round trips ------------------------------------------------------------------------------


async def visitor_round_trip(visitor: Visitor, web_port: int, clock: Clock) -> float | None:
    text = f"Where is my order? {uuid.uuid4().hex}"
    arrival = clock.expect(text)
    sent = time.perf_counter()
    response = await post_json(
        web_port,
        "/chat/messages",
        {"text": text},
        source=address(visitor.number),
        token=visitor.token,
    )
    if response.status != 201:
        clock.waiting.pop(text, None)
        log(f"/chat/messages answered {response.status}: {response.body[:200]!r}")
        return None
    clock.posts.append((not visitor.chatting, (time.perf_counter() - sent) * 1000))
    clock.early += arrival.done()  # the stream had it before the POST's answer came back
    visitor.chatting = True
    try:
        return await asyncio.wait_for(arrival, ARRIVAL_TIMEOUT)
    except TimeoutError:
        clock.waiting.pop(text, None)
        return None


async def paced(count: int, rate: float, make) -> list[float | None]:
    """Start `count` round trips, `rate` a second, and wait for them all."""
    tasks = []
    for number in range(count):
        tasks.append(asyncio.create_task(make(number)))
        await asyncio.sleep(1 / rate)
    return await asyncio.gather(*tasks)


class Agent:
    """The bench agent's browser session: cookies and the CSRF token of the workspace."""

    def __init__(self, web_port: int):
        self.port = web_port
        self.cookies: dict[str, str] = {}

    def keep_cookies(self, response: Response) -> None:
        for line in response.headers.get("set-cookie", []):
            name, _, rest = line.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]

    def headers(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}

    async def form(self, path: str, fields: dict[str, str]) -> Response:
        page = await request(self.port, "GET", path, headers=self.headers())
        self.keep_cookies(page)
        token = CSRF_FIELD.search(page.body.decode(errors="replace"))
        if token is None:
            raise SystemExit(f"GET {path} answered {page.status} without a CSRF token")
        response = await request(
            self.port,
            "POST",
            path,
            headers={
                **self.headers(),
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{self.port}{path}",
            },
            body=urlencode({"csrfmiddlewaretoken": token.group(1), **fields}).encode(),
        )
        self.keep_cookies(response)
        return response

    async def log_in(self) -> None:
        response = await self.form("/login/", {"username": USERNAME, "password": PASSWORD})
        if response.status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"logging in answered {response.status}")
        page = await request(self.port, "GET", "/", headers=self.headers())
        self.csrf = CSRF_FIELD.search(page.body.decode(errors="replace"))
        self.csrf = self.csrf.group(1) if self.csrf else self.cookies.get("csrftoken", "")

    async def reply(self, conversation: int, text: str) -> int:
        path = f"/conversations/{conversation}/reply"
        response = await request(
            self.port,
            "POST",
            path,
            headers={
                **self.headers(),
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{self.port}/conversations/{conversation}/",
            },
            body=urlencode({"csrfmiddlewaretoken": self.csrf, "text": text}).encode(),
        )
        return response.status


async def find_conversation(visitor: Visitor, web_port: int) -> None:
    """The chat's conversation id, from resuming the chat as the widget does after a reload."""
    response = await post_json(
        web_port, "/chat/start", {"token": visitor.token}, source=address(visitor.number)
    )
    visitor.conversation = response.json().get("conversation") if response.status == 200 else None
    if not visitor.conversation:
        raise SystemExit(f"resuming a chat answered {response.status}: {response.body[:200]!r}")


async def agent_round_trip(agent: Agent, visitor: Visitor, clock: Clock) -> float | None:
    text = f"Hello, I am looking at your order now. {uuid.uuid4().hex}"
    arrival = clock.expect(text)
    status = await agent.reply(visitor.conversation, text)
    if status != 302:
        clock.waiting.pop(text, None)
        log(f"the agent's reply answered {status}")
        return None
    try:
        return await asyncio.wait_for(arrival, ARRIVAL_TIMEOUT)
    except TimeoutError:
        clock.waiting.pop(text, None)
        return None


def group_rss_mb(group: int) -> float:
    """Resident memory of every process in the process group `group`."""
    pages = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[2]) == group:
                pages += int((stat.parent / "statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


async def measure(args: argparse.Namespace, web_port: int, streams: int) -> dict[str, float]:
    clock = Clock()
    visitors = [Visitor(number) for number in range(args.connections)]
    connect_s = await connect_all(visitors, web_port, clock)
    log(f"{len(visitors)} visitors started, streams open in {connect_s:.1f} s")

    rng = random.Random(args.seed)  # some visitors write several messages, most one or none
    log("load average before the round trips: " + " ".join(f"{n:.2f}" for n in os.getloadavg()))
    visits = await paced(
        args.messages,
        args.rate,
        lambda n: visitor_round_trip(rng.choice(visitors), web_port, clock),
    )
    rtts = [v for v in visits if v is not None]
    log(
        f"visitor round trips: {len(rtts)} of {len(visits)}, "
        f"p50 {percentile(rtts, 0.5):.1f} ms, p99 {percentile(rtts, 0.99):.1f} ms"
    )

    log(f"  {clock.early} of {len(rtts)} arrived on the stream before the POST was answered")
    for first, label in ((True, "first messages"), (False, "later messages")):
        posts = [ms for opening, ms in clock.posts if opening is first]
        log(
            f"  POST /chat/messages, {label}: {len(posts)}, p50 {percentile(posts, 0.5):.1f} ms, "
            f"p99 {percentile(posts, 0.99):.1f} ms"
        )

    agent = Agent(web_port)
    await agent.log_in()
    chatting = [v for v in visitors if v.chatting][: args.replies]
    await asyncio.gather(*(find_conversation(v, web_port) for v in chatting))
    replies = await paced(
        args.replies if chatting else 0,
        args.reply_rate,
        lambda n: agent_round_trip(agent, chatting[n % len(chatting)], clock),
    )
    agent_rtts = [v for v in replies if v is not None]
    log(
        f"agent round trips: {len(agent_rtts)} of {len(replies)}, "
        f"p50 {percentile(agent_rtts, 0.5):.1f} ms, p99 {percentile(agent_rtts, 0.99):.1f} ms"
    )

    await asyncio.sleep(0.5)
    still_open = sum(v.open for v in visitors)
    rss = group_rss_mb(streams)
    log(
        f"stream processes: {rss:.0f} MB resident with {still_open} streams open; "
        f"{sum(v.reconnects for v in visitors)} streams reconnected after the server ended them"
    )
    dropped = [v for v in visitors if not v.open]
    if dropped:
        log(f"{len(dropped)} streams closed, e.g. {dropped[0].error}")
    for visitor in visitors:
        if visitor.task:
            visitor.task.cancel()
    await asyncio.gather(*(v.task for v in visitors if v.task), return_exceptions=True)
    return {
        "chat_connections": still_open,
        "chat_rtt_p50_ms": percentile(rtts, 0.5),
        "chat_rtt_p99_ms": percentile(rtts, 0.99),
        "chat_agent_rtt_p50_ms": percentile(agent_rtts, 0.5),
        "chat_agent_rtt_p99_ms": percentile(agent_rtts, 0.99),
        "chat_lost": (len(visits) - len(rtts)) + (len(replies) - len(agent_rtts)),
        "chat_connect_s": connect_s,
        "chat_messages_per_s": args.rate,
        "chat_stream_rss_mb": rss,
    }


# --- main -------------------------------------------------------------------------------------


def main() -> None:
    args = parse_args()
    os.environ["REGARD_DEBUG"] = "false"  # with DEBUG, Django keeps every query in memory
    if args.sqlite:
        os.environ.pop("DATABASE_URL", None)
        os.environ.pop("REDIS_URL", None)
    raise_open_files_limit(2 * args.connections + 200)
    with bench_database(keep=False):
        setup_django()
        seed()
        with serving(args, Path(os.environ["REGARD_DATA_DIR"])) as (web_port, streams):
            figures = asyncio.run(measure(args, web_port, streams))
    for name, value in figures.items():
        print(f"{name} {value:.1f}" if isinstance(value, float) else f"{name} {value}")
    sys.stdout.flush()
    if figures["chat_connections"] < args.connections or figures["chat_lost"]:
        raise SystemExit("a stream dropped or a message was lost")


if __name__ == "__main__":
    main()
