"""The helpers that start real servers for tests choose ports that stay free and fail clearly."""

import subprocess
import sys
import time

import pytest

from tests.channels.servers import _EPHEMERAL, free_port, wait_for_port


def test_free_ports_lie_below_the_ephemeral_range_and_are_not_handed_out_twice():
    ports = [free_port() for _ in range(50)]
    assert len(set(ports)) == 50
    assert not any(port in _EPHEMERAL for port in ports)


def test_waiting_on_a_server_that_ended_fails_at_once_with_its_exit():
    process = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])  # noqa: S603
    process.wait(timeout=30)
    started = time.monotonic()
    with pytest.raises(RuntimeError, match=r"ended \(exit 3\)"):
        wait_for_port(free_port(), timeout=30, process=process)
    assert time.monotonic() - started < 5


def test_waiting_on_nothing_says_which_port_and_how_long():
    with pytest.raises(RuntimeError, match=r"nothing listens on 127\.0\.0\.1:\d+ after 0\.2 s"):
        wait_for_port(free_port(), timeout=0.2)
