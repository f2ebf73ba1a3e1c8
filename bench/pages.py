"""Time Regard's agent pages over real HTTP against `regard serve`, with many conversations stored.

Loads `--conversations` conversations (1-3 messages each) into a fresh database, starts
`regard serve --no-migrate --no-worker` on a free loopback port, logs the benchmark agent in from
each of `--clients` client threads, then has them request each page for `--seconds`.

Prints `name value` lines on stdout, per page: `page_<name>_p50_ms` and `page_<name>_p99_ms`
(latency the clients see), `page_<name>_rps` (requests per second over all clients),
`page_<name>_server_p50_ms` and `page_<name>_server_p99_ms` (gunicorn's own request time, from its
access log), `page_<name>_cpu_ms` (CPU time the `regard serve` processes spent per request: on
a shared machine the steadiest figure; it includes SQLite's work but not a PostgreSQL server's),
`page_<name>_failed` (responses other than 200) and `page_<name>_queries` (SQL queries one
request makes, counted in-process afterwards). Exits non-zero when more than 1% of a page's
requests fail. Progress goes to stderr; `--show-queries` adds each page's SQL and query plans.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import http.cookies
import itertools
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

from model import (
    BATCH,
    _conversation,
    _messages,
    bench_database,
    create_agents,
    create_customers,
    gather_statistics,
    log,
    setup_django,
)

USERNAME = "bench-pages"
PASSWORD = "bench-pages-Kettle-42-Lantern"  # noqa: S105 - a throwaway database's only login
MAX_CUSTOMERS = 20_000
UPSET_SHARE = 0.1  # of the conversations waiting on us
SEARCHES = ("order", "Hana", "Okafor", "message 2", "Chloé Nguyen", "where is my order")
PAGES = (
    "inbox_mine",
    "inbox_waiting",
    "inbox_team",
    "conversation",
    "customer",
    "customers",
    "search",
)
FAILED_SHARE = 0.01
# gunicorn reads GUNICORN_CMD_ARGS too: the user agent says which page a line belongs to.
ACCESS_FORMAT = "%(a)s %(s)s %(D)s"
AGENT_PREFIX = "regard-bench/"
WARMUP = "warmup"
CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=10.0, help="timed seconds per page")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads")
    parser.add_argument("--web-workers", type=int, default=2, help="`regard serve --web-workers`")
    parser.add_argument("--sample", type=int, default=200, help="conversation/customer ids cycled")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per client+page")
    parser.add_argument(
        "--show-queries", action="store_true", help="log each page's SQL with its time to stderr"
    )
    parser.add_argument("--quick", action="store_true", help="small run for tests")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--pages", default=",".join(PAGES), help=f"comma-separated, of: {', '.join(PAGES)}"
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="keep the SQLite bench database in this folder: seeded by the first run, reused by "
        "the next ones (to compare code on the same data)",
    )
    args = parser.parse_args()
    if args.quick:
        args.conversations, args.seconds, args.sample, args.warmup = 500, 1.0, 50, 1
    args.pages = tuple(name for name in args.pages.split(",") if name)
    unknown = set(args.pages) - set(PAGES)
    if unknown:
        parser.error(f"unknown pages: {', '.join(sorted(unknown))}")
    return args


# --- data -------------------------------------------------------------------------------------


def seed(args: argparse.Namespace):
    """The conversations, and the benchmark agent: in team 1 (half of them), one of 21 assignees."""
    from django.db import transaction

    from regard.accounts.actions import create_agent

    rng = random.Random(args.seed)
    tag = f"pages{os.getpid()}"
    started = time.perf_counter()
    with transaction.atomic():
        staff = create_agents(tag)
        team = staff[0][1]
        agent = create_agent(USERNAME, PASSWORD, display_name="Bench Agent", teams=[team])
        staff.append((agent, team))
        count = min(MAX_CUSTOMERS, max(1, args.conversations // 5))
        pairs = create_customers(tag, count, rng)
        rows = sum(create_batch(rng, staff, pairs, size) for size in batches(args.conversations))
    log(
        f"stored {args.conversations} conversations, {len(pairs)} customers ({rows} rows) "
        f"in {time.perf_counter() - started:.1f} s"
    )
    gather_statistics()
    return agent


def batches(count: int) -> Iterator[int]:
    for start in range(0, count, BATCH):
        yield min(BATCH, count - start)


def create_batch(rng: random.Random, staff, pairs, size: int) -> int:
    from django.utils import timezone

    from regard.conversations.models import Conversation, Message

    now = timezone.now()
    drafts = [_conversation(rng, now, staff, rng.choice(pairs)[0]) for _ in range(size)]
    for conversation, _ in drafts:
        if conversation.waiting_since and rng.random() < UPSET_SHARE:
            conversation.upset = True
    conversations = Conversation.objects.bulk_create(c for c, _ in drafts)
    identity_of = dict(pairs)
    messages = [
        m
        for c, n in drafts
        for m in _messages(c, n, identity_of[c.customer_id], c.assignee.user_id)
    ]
    Message.objects.bulk_create(messages, batch_size=BATCH)
    return len(conversations) + len(messages)


def describe(agent) -> None:
    """What the agent sees, so an empty view cannot pass for a fast one."""
    from django.db.models import Count, Q

    from regard.conversations.choices import ACTIVE_STATUSES
    from regard.conversations.models import Conversation

    visible = Conversation.objects.visible_to(agent)
    counts = visible.aggregate(
        visible=Count("id"),
        active=Count("id", filter=Q(status__in=ACTIVE_STATUSES)),
        mine=Count("id", filter=Q(status__in=ACTIVE_STATUSES, assignee=agent)),
        waiting=Count("id", filter=Q(status__in=ACTIVE_STATUSES, waiting_since__isnull=False)),
    )
    log(f"the benchmark agent sees {counts}")
    if not counts["mine"] or not counts["waiting"]:
        raise SystemExit("the benchmark agent's Mine or Waiting view is empty: more conversations")


def page_paths(agent, size: int, rng: random.Random) -> dict[str, list[str]]:
    from regard.conversations.models import Conversation

    rows = list(Conversation.objects.visible_to(agent).values_list("id", "customer_id"))
    sample = rng.sample(rows, min(size, len(rows)))
    customers = list(dict.fromkeys(customer_id for _, customer_id in sample))
    return {
        "inbox_mine": ["/?view=mine"],
        "inbox_waiting": ["/?view=waiting"],
        "inbox_team": ["/?view=team"],
        "conversation": [f"/conversations/{pk}/" for pk, _ in sample],
        "customer": [f"/customers/{pk}/" for pk in customers],
        "customers": ["/customers/"],
        "search": [f"/search?q={quote(q)}" for q in SEARCHES],
    }


# --- the server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serving(args: argparse.Namespace, access_log: Path) -> Iterator[tuple[int, int]]:
    """`regard serve` on the bench database in a process group of its own; yield its port and
    process group."""
    from django.db import connections

    from regard.system.workers import regard_command

    connections.close_all()
    port = free_port()
    command = regard_command(
        "serve",
        "--no-migrate",
        "--no-worker",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--web-workers",
        str(args.web_workers),
    )
    env = dict(os.environ)
    env.update(
        REGARD_DEBUG="false",
        REGARD_ALLOWED_HOSTS="127.0.0.1,localhost",
        GUNICORN_CMD_ARGS=f"--access-logformat '{ACCESS_FORMAT}'",
    )
    with access_log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603
            command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    try:
        wait_until_serving(port, process)
        log(f"regard serve is up on port {port} (pid {process.pid})")
        yield port, process.pid
    except BaseException:
        log(f"the end of {access_log.name}:\n{access_log.read_text(errors='replace')[-3000:]}")
        raise
    finally:
        stop(process)


def wait_until_serving(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"regard serve exited with {process.returncode} before serving")
        with contextlib.suppress(OSError):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                connection.request("GET", "/login/", headers={"User-Agent": AGENT_PREFIX + WARMUP})
                if connection.getresponse().status == 200:
                    return
            finally:
                connection.close()
        time.sleep(0.2)
    raise SystemExit(f"regard serve did not answer on port {port} within 120 s")


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to the whole group (serve, gunicorn and its workers), SIGKILL what is left."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        log("regard serve did not stop within 30 s: killing it")
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


# --- the clients ------------------------------------------------------------------------------


class Browser:
    """One agent's session: a kept-alive connection and its cookies, as a browser tab has."""

    def __init__(self, port: int):
        self.port = port
        self.connection: http.client.HTTPConnection | None = None
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, *, label: str, form: dict | None = None):
        """Return (status, body); reconnects once when the server closed an idle connection."""
        headers = {"User-Agent": AGENT_PREFIX + label}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):
            fresh = self.connection is None
            if fresh:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.connection.request(method, path, body, headers)
                response = self.connection.getresponse()
                data = response.read()
            except (http.client.HTTPException, OSError):
                self.close()
                if fresh or attempt:
                    raise
                continue
            self._keep_cookies(response.headers.get_all("Set-Cookie") or [])
            if response.will_close:
                self.close()
            return response.status, data
        raise AssertionError("unreachable")

    def _keep_cookies(self, lines: list[str]) -> None:
        for line in lines:
            cookie = http.cookies.SimpleCookie()
            cookie.load(line)
            for name, morsel in cookie.items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)

    def login(self) -> None:
        status, body = self.request("GET", "/login/", label=WARMUP)
        token = CSRF_FIELD.search(body)
        if status != 200 or token is None:
            raise SystemExit(f"GET /login/ answered {status} without a CSRF token")
        form = {"csrfmiddlewaretoken": token.group(1).decode(), "username": USERNAME}
        form["password"] = PASSWORD
        status, _ = self.request("POST", "/login/", label=WARMUP, form=form)
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"logging in answered {status}, cookies {sorted(self.cookies)}")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


@dataclass
class Run:
    timings: list[float] = field(default_factory=list)  # ms, of the 200 responses
    failed: int = 0
    elapsed: float = 0.0
    cpu: float = 0.0  # seconds the server's processes ran on a CPU meanwhile
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.timings) + self.failed


def group_cpu_seconds(group: int) -> float:
    """User plus system CPU time of every live process in the process group `group`."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == group:
                ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def run_page(browsers: list[Browser], name: str, paths: list[str], args, group: int) -> Run:
    """Every browser requests the page's paths in turn for `args.seconds`, all at once."""
    run, lock = Run(), threading.Lock()
    start = threading.Barrier(len(browsers) + 1)

    def client(number: int, browser: Browser) -> None:
        offset = number * len(paths) // len(browsers)  # the clients start apart in the sample
        cycle = itertools.cycle(paths[offset:] + paths[:offset])
        for _ in range(args.warmup):
            with contextlib.suppress(http.client.HTTPException, OSError):
                browser.request("GET", next(cycle), label=WARMUP)
        start.wait()
        deadline = time.perf_counter() + args.seconds
        timings, failures = [], {}
        while time.perf_counter() < deadline:
            before = time.perf_counter()
            try:
                status, _ = browser.request("GET", next(cycle), label=name)
            except (http.client.HTTPException, OSError) as exc:
                status = type(exc).__name__
            if status == 200:
                timings.append((time.perf_counter() - before) * 1000)
            else:
                failures[str(status)] = failures.get(str(status), 0) + 1
        with lock:
            run.timings += timings
            run.failed += sum(failures.values())
            for status, count in failures.items():
                run.statuses[status] = run.statuses.get(status, 0) + count

    threads = [
        threading.Thread(target=client, args=(number, browser), daemon=True)
        for number, browser in enumerate(browsers)
    ]
    for thread in threads:
        thread.start()
    start.wait()
    began, cpu = time.perf_counter(), group_cpu_seconds(group)
    for thread in threads:
        thread.join()
    run.elapsed = time.perf_counter() - began
    run.cpu = group_cpu_seconds(group) - cpu
    return run


def percentiles(values: list[float]) -> tuple[float, float]:
    if len(values) < 2:
        return (values[0], values[0]) if values else (0.0, 0.0)
    return statistics.median(values), statistics.quantiles(values, n=100, method="inclusive")[98]


def server_times(access_log: Path) -> dict[str, list[float]]:
    """Milliseconds gunicorn took per timed request, by page (from the user agent)."""
    times: dict[str, list[float]] = {}
    for line in access_log.read_text(errors="replace").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0].startswith(AGENT_PREFIX) and parts[1] == "200":
            label = parts[0].removeprefix(AGENT_PREFIX)
            if label != WARMUP and parts[2].isdigit():
                times.setdefault(label, []).append(int(parts[2]) / 1000)
    return times


def measure_http(args, paths: dict[str, list[str]], access_log: Path) -> dict[str, dict]:
    figures: dict[str, dict] = {}
    with serving(args, access_log) as (port, group):
        browsers = [Browser(port) for _ in range(args.clients)]
        started = time.perf_counter()
        for browser in browsers:
            browser.login()
        log(f"{args.clients} clients logged in in {time.perf_counter() - started:.1f} s")
        try:
            for name in args.pages:
                run = run_page(browsers, name, paths[name], args, group)
                p50, p99 = percentiles(run.timings)
                figures[name] = {
                    "p50_ms": p50,
                    "p99_ms": p99,
                    "rps": run.total / run.elapsed,
                    "cpu_ms": run.cpu * 1000 / max(1, run.total),
                    "failed": run.failed,
                    "share_failed": run.failed / max(1, run.total),
                }
                log(
                    f"{name}: {run.total} requests in {run.elapsed:.1f} s, p50 {p50:.1f} ms, "
                    f"p99 {p99:.1f} ms, server CPU {run.cpu:.1f} s, "
                    f"{run.failed} failed {run.statuses or ''} "
                    f"(load {os.getloadavg()[0]:.2f})"
                )
        finally:
            for browser in browsers:
                browser.close()
    for name, times in server_times(access_log).items():
        figures[name]["server_p50_ms"], figures[name]["server_p99_ms"] = percentiles(times)
    return figures


# --- queries, in-process ----------------------------------------------------------------------


def count_queries(agent, paths: dict[str, list[str]], pages, show: bool) -> dict[str, int]:
    """The most SQL queries one request of each page made, over its first three paths."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(agent.user)
    counts = {}
    for name in pages:
        client.get(paths[name][0])
        worst, slowest = 0, []
        for path in paths[name][:3]:
            before = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            elapsed = (time.perf_counter() - before) * 1000
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code} in-process")
            size = len(response.content) / 1024
            if len(queries) > worst:
                worst, slowest = len(queries), queries.captured_queries
            log(f"{name} {path}: {len(queries)} queries, {elapsed:.1f} ms alone, {size:.0f} KB")
        if show:
            show_queries(slowest)
        counts[name] = worst
    return counts


def show_queries(queries: list[dict], slow_ms: float = 10.0) -> None:
    """Each query with its time; the slow ones in full, with the database's plan."""
    from django.db import connection

    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    for query in queries:
        ms, sql = float(query["time"]) * 1000, query["sql"]
        log(f"  {ms:7.1f} ms  {sql if ms >= slow_ms else sql[:200]}")
        if ms < slow_ms or not sql.lstrip().upper().startswith("SELECT"):
            continue
        try:
            with connection.cursor() as cursor:
                cursor.execute(explain + sql)
                plan = cursor.fetchall()
        except Exception as exc:  # noqa: BLE001 - the logged SQL is not always valid to re-run
            log(f"           (no plan: {exc})")
            continue
        for row in plan:
            log(f"           {' '.join(str(column) for column in row)}")


# --- main -------------------------------------------------------------------------------------


def main() -> None:
    args = parse_args()
    os.environ["REGARD_DEBUG"] = "false"  # with DEBUG, Django keeps every query in memory
    with kept_database(args.data_dir) if args.data_dir else bench_database(keep=False):
        setup_django()
        agent = seeded_agent() or seed(args)
        describe(agent)
        paths = page_paths(agent, args.sample, random.Random(args.seed + 2))
        access_log = Path(os.environ["REGARD_DATA_DIR"]) / "serve.log"
        log(f"load average before the HTTP run: {' '.join(map(str, os.getloadavg()))}")
        figures = measure_http(args, paths, access_log)
        log(f"load average after the HTTP run: {' '.join(map(str, os.getloadavg()))}")
        queries = count_queries(agent, paths, args.pages, args.show_queries)
    for name in args.pages:
        page = figures[name]
        for figure in ("p50_ms", "p99_ms", "rps", "server_p50_ms", "server_p99_ms", "cpu_ms"):
            print(f"page_{name}_{figure} {page.get(figure, 0.0):.1f}")
        print(f"page_{name}_failed {page['failed']}")
        print(f"page_{name}_queries {queries[name]}", flush=True)
    failing = [name for name in args.pages if figures[name]["share_failed"] > FAILED_SHARE]
    if failing:
        raise SystemExit(f"more than {FAILED_SHARE:.0%} of the requests failed on: {failing}")


@contextlib.contextmanager
def kept_database(folder: Path) -> Iterator[None]:
    """The SQLite database in `folder`, made and seeded by the first run that names it."""
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["REGARD_DATA_DIR"] = str(folder.resolve())
    os.environ.pop("DATABASE_URL", None)
    yield


def seeded_agent():
    """The benchmark agent of a kept database seeded before, or None."""
    from regard.accounts.models import Agent

    agent = Agent.objects.filter(user__username=USERNAME).first()
    if agent is not None:
        log("reusing the seeded database")
    return agent


if __name__ == "__main__":
    main()
