"""bench/peer_helpdesk.py: a virtualenv it cannot make is a clear error, not a traceback."""

import subprocess
import sys

from tests.bench.quick import BENCH


def test_a_virtualenv_it_cannot_create_is_a_clear_error():
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(BENCH / "peer_helpdesk.py"), "--quick", "--venv", "/proc/no-venv"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert "cannot create the virtualenv /proc/no-venv" in result.stderr
    assert "Traceback" not in result.stderr
