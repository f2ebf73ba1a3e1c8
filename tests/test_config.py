"""Settings come from the environment; every bad value is one clear line naming the setting."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from regard.config import SETTINGS, ConfigError, read_settings, redact_url, settings_table

README = Path(__file__).resolve().parents[1] / "README.md"


def run_regard(*args, env=None, tmp_path=None):
    environ = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("REGARD_", "DATABASE_URL", "REDIS_URL"))
    }
    if tmp_path is not None:
        environ["REGARD_DATA_DIR"] = str(tmp_path / "var")
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "regard.cli", *args],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("REGARD_ENV", "staging", "expected one of development, production"),
        ("REGARD_DEBUG", "maybe", "expected true or false"),
        ("REGARD_TASK_ATTEMPTS", "many", "invalid literal"),
        ("REGARD_TASK_ATTEMPTS", "-1", "zero or more"),
        ("DATABASE_URL", "mysql://root@localhost/db", "expected a URL starting with sqlite://"),
        ("REDIS_URL", "localhost:6379", "expected a URL starting with redis://"),
        ("REGARD_BASE_URL", "ftp://example.com", "http://"),
        ("REGARD_AGENT_STREAM_PORT", "70000", "expected a port, 0 to 65535"),
        ("REGARD_AGENT_STREAM_PORT", "next", "invalid literal"),
    ],
)
def test_a_bad_value_names_the_setting(name, value, message):
    with pytest.raises(ConfigError) as caught:
        read_settings({name: value})
    assert str(caught.value).startswith(f"{name}=")
    assert message in str(caught.value)


def test_secrets_are_never_shown_in_errors():
    with pytest.raises(ConfigError) as caught:
        read_settings({"DATABASE_URL": "mysql://root:hunter2@db/x"})
    assert "hunter2" not in str(caught.value)
    assert redact_url("postgres://u:pw@h:5432/d") == "postgres://u:***@h:5432/d"


def test_defaults_need_nothing_set():
    values = read_settings({})
    assert values["REGARD_ENV"] == "development"
    assert values["DATABASE_URL"] == "" and values["REDIS_URL"] == ""


def test_the_command_line_prints_one_clear_line_for_a_bad_setting(tmp_path):
    result = run_regard("migrate", env={"REGARD_ENV": "staging"}, tmp_path=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "regard: REGARD_ENV='staging' is not valid: expected one of development, production"
    ]


def test_a_read_only_data_dir_is_a_clear_error(tmp_path):
    if os.geteuid() == 0:
        blocked = tmp_path / "file-not-dir"
        blocked.write_text("")
        target = blocked / "var"
    else:
        target = tmp_path / "ro"
        target.mkdir(mode=0o500)
    result = run_regard("migrate", env={"REGARD_DATA_DIR": str(target)})
    assert result.returncode == 2
    assert result.stderr.startswith("regard: REGARD_DATA_DIR=")
    assert "not a writable folder" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreachable_postgresql_is_a_clear_error(tmp_path):
    result = run_regard(
        "migrate",
        tmp_path=tmp_path,
        env={"DATABASE_URL": "postgres://regard:s3cret@127.0.0.1:1/regard"},
    )
    assert result.returncode == 2
    assert "cannot reach the database at DATABASE_URL=postgres://regard:***@127.0.0.1:1" in (
        result.stderr
    )
    assert "s3cret" not in result.stderr and "Traceback" not in result.stderr


def test_an_unreachable_redis_is_a_clear_error(tmp_path):
    result = run_regard("migrate", tmp_path=tmp_path, env={"REDIS_URL": "redis://127.0.0.1:1/0"})
    assert result.returncode == 2
    assert "cannot reach Redis at REDIS_URL=redis://127.0.0.1:1/0" in result.stderr


def test_production_requires_a_secret_key(tmp_path):
    result = run_regard("check", tmp_path=tmp_path, env={"REGARD_ENV": "production"})
    assert result.returncode == 2
    assert "REGARD_SECRET_KEY must be set" in result.stderr


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = run_regard(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        tmp_path=tmp_path,
        env={
            "REGARD_ENV": "production",
            "REGARD_SECRET_KEY": "k" * 20 + "x7#Qz!" * 10,
            "REGARD_ALLOWED_HOSTS": "help.example.com",
            "REGARD_BASE_URL": "https://help.example.com",
        },
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_a_development_secret_key_is_generated_once_and_private(tmp_path):
    first = run_regard("check", tmp_path=tmp_path)
    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "var" / "secret_key"
    key = key_file.read_text()
    assert len(key) >= 64 and oct(key_file.stat().st_mode & 0o777) == "0o600"
    run_regard("check", tmp_path=tmp_path)
    assert key_file.read_text() == key


def test_every_setting_is_documented_in_the_readme():
    text = README.read_text()
    missing = [s.name for s in SETTINGS if f"`{s.name}`" not in text]
    assert not missing, f"document these settings in README.md: {missing}"
    assert settings_table() in text, "run `python -m regard.config --readme`"
