"""Every Regard setting, read once from the environment by typed parsers, with default and help.

The README's settings table is checked against `SETTINGS` by a test, so nothing goes undocumented.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit


class ConfigError(Exception):
    """A setting holds a value Regard cannot use; the message names the setting in one line."""


def parse_bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError("expected true or false")


def parse_int(value: str) -> int:
    number = int(value.strip())
    if number < 0:
        raise ValueError("expected a number of zero or more")
    return number


def parse_port(value: str) -> int:
    number = parse_int(value)
    if number > 65535:
        raise ValueError("expected a port, 0 to 65535")
    return number


def parse_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def parse_str(value: str) -> str:
    return value.strip()


def parse_choice(*choices: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        lowered = value.strip().lower()
        if lowered not in choices:
            raise ValueError(f"expected one of {', '.join(choices)}")
        return lowered

    return parse


def parse_url(*schemes: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        value = value.strip()
        scheme = urlsplit(value).scheme
        if scheme not in schemes:
            raise ValueError(
                f"expected a URL starting with {' or '.join(s + '://' for s in schemes)}"
            )
        return value

    return parse


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    parse: Callable[[str], Any]
    help: str
    secret: bool = False


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "REGARD_ENV",
        "development",
        parse_choice("development", "production"),
        "`production` turns on HTTPS-only cookies, HSTS and requires a secret key.",
    ),
    Setting(
        "REGARD_DATA_DIR",
        "./var",
        parse_str,
        "Folder for the SQLite database, attachments, raw mail and the generated secret key.",
    ),
    Setting(
        "DATABASE_URL",
        "",
        parse_url("sqlite", "postgres", "postgresql"),
        "Empty: SQLite in WAL mode at `$REGARD_DATA_DIR/regard.sqlite3`. "
        "`postgres://user:pass@host:5432/name` switches to PostgreSQL.",
        secret=True,
    ),
    Setting(
        "REDIS_URL",
        "",
        parse_url("redis", "rediss"),
        "Empty: tasks run from the database and live updates stay in-process. "
        "`redis://host:6379/0` switches tasks (RQ) and live updates to Redis.",
        secret=True,
    ),
    Setting(
        "REGARD_SECRET_KEY",
        "",
        parse_str,
        "Signs sessions and tokens. Empty in development: generated once into the data folder. "
        "Required in production.",
        secret=True,
    ),
    Setting("REGARD_DEBUG", "false", parse_bool, "Django debug pages. Refused in production."),
    Setting(
        "REGARD_ALLOWED_HOSTS",
        "localhost,127.0.0.1,[::1]",
        parse_list,
        "Comma-separated host names Regard answers to.",
    ),
    Setting(
        "REGARD_BASE_URL",
        "http://127.0.0.1:8000",
        parse_url("http", "https"),
        "The address customers and agents use; links in mail are built from it.",
    ),
    Setting(
        "REGARD_TIME_ZONE",
        "UTC",
        parse_str,
        "Default time zone for agents and business hours without their own.",
    ),
    Setting(
        "REGARD_COMPANY_NAME",
        "Support",
        parse_str,
        'Shown in the From of every reply: "Dana Reyes at <company name>".',
    ),
    Setting(
        "REGARD_FROM_EMAIL", "support@localhost", parse_str, "Address outbound mail is sent from."
    ),
    Setting(
        "REGARD_SUPPORT_ADDRESSES",
        "",
        parse_list,
        "Comma-separated addresses customers write to (besides `REGARD_FROM_EMAIL`); "
        "they are never treated as customers or participants.",
    ),
    Setting(
        "REGARD_MAX_MESSAGE_BYTES",
        "26214400",
        parse_int,
        "Largest inbound message parsed (25 MB); larger ones are kept raw and flagged.",
    ),
    Setting(
        "REGARD_AUTO_ACKNOWLEDGE",
        "true",
        parse_bool,
        "Answer a new e-mail conversation at once with a personal acknowledgement "
        "(never to auto-replies, bulk mail or bounces); admins can override it per mailbox.",
    ),
    Setting(
        "REGARD_AUTOMATIC_MAIL_PER_HOUR",
        "3",
        parse_int,
        "At most this many automatic messages (acknowledgements, receipts) to one customer an "
        "hour; reaching it stops a mail loop and tells the admins.",
    ),
    Setting(
        "REGARD_WEBHOOK_ALLOW_HTTP",
        "false",
        parse_bool,
        "Let outbound webhooks use plain http:// (https only otherwise); addresses are checked "
        "either way.",
    ),
    Setting(
        "REGARD_WEBHOOK_ALLOWED_HOSTS",
        "",
        parse_list,
        "Comma-separated `host` or `host:port` (IPv6 as `[fd00::5]:8443`) that webhooks may "
        "reach although internal; every other private, loopback or metadata address is refused.",
    ),
    Setting(
        "REGARD_MAILGUN_WEBHOOK_SIGNING_KEY",
        "",
        parse_str,
        "Turns on inbound mail from Mailgun at `/inbound/mailgun/inbound_mime/`; every call's "
        "signature is verified with this key.",
        secret=True,
    ),
    Setting(
        "REGARD_INBOUND_WEBHOOK_SECRET",
        "",
        parse_str,
        "`user:password` that provider webhooks must also send (HTTP basic auth).",
        secret=True,
    ),
    Setting(
        "REGARD_SMTP_URL",
        "",
        parse_url("smtp", "smtps", "smtp+starttls"),
        "Empty: outbound mail is written to `$REGARD_DATA_DIR/outbox/`. "
        "`smtp://user:pass@host:587` sends through that server.",
        secret=True,
    ),
    Setting(
        "REGARD_TASK_ATTEMPTS",
        "5",
        parse_int,
        "How many times a failing background task runs before it is kept as failed.",
    ),
    Setting(
        "REGARD_TASK_BACKOFF_SECONDS",
        "5",
        parse_int,
        "First retry delay of a failed task; doubles with every attempt.",
    ),
    Setting(
        "REGARD_SURVEY_INTERVAL_DAYS",
        "30",
        parse_int,
        "No customer gets more than one survey (CSAT, effort or NPS) in this many days.",
    ),
    Setting(
        "REGARD_NPS_INTERVAL_DAYS",
        "90",
        parse_int,
        "NPS is asked of each customer at most once in this many days.",
    ),
    Setting(
        "REGARD_SURVEY_LINK_DAYS",
        "14",
        parse_int,
        "Rating links in a survey e-mail work once, for this many days.",
    ),
    Setting(
        "REGARD_PORTAL_LINK_MINUTES",
        "30",
        parse_int,
        "A sign-in link to the customer portal works once, for this many minutes.",
    ),
    Setting(
        "REGARD_WEBFORM_MAX_ATTACHMENT_BYTES",
        "10485760",
        parse_int,
        "Largest file a customer can attach to the web form or a chat (10 MB).",
    ),
    Setting(
        "REGARD_EMBED_ORIGINS",
        "*",
        parse_list,
        "Comma-separated origins (`https://shop.example`) whose pages may embed the chat widget "
        "and the web form; `*` allows any. The widget sends no cookies, only its signed token.",
    ),
    Setting(
        "REGARD_CHAT_STREAM_URL",
        "",
        parse_str,
        "Base address of the ASGI process that serves chat streams (`regard serve` starts it on "
        "the next port); empty: the same as `REGARD_BASE_URL`.",
    ),
    Setting(
        "REGARD_AGENT_STREAM_PORT",
        "0",
        parse_port,
        "Port, on the host the agents' pages come from, of the ASGI process that serves their "
        "live updates (`regard serve` sets it to its stream port); 0: they come from `/stream` "
        "of the web address (behind a proxy, route `/stream` to the ASGI process).",
    ),
    Setting(
        "REGARD_CHAT_IDENTITY_SECRET",
        "",
        parse_str,
        "Key a host site signs its logged-in visitors with (HMAC-SHA256), so the chat knows who "
        "they are; empty: chat visitors are known only by the address they give.",
        secret=True,
    ),
    Setting(
        "REGARD_API_REQUESTS_PER_MINUTE",
        "700",
        parse_int,
        "Requests one API token (or one agent's session) may make a minute; more are refused "
        "with 429 and `Retry-After`.",
    ),
    Setting(
        "REGARD_API_TOKEN_DAYS",
        "365",
        parse_int,
        "A new API token works for this many days unless revoked sooner.",
    ),
    Setting(
        "REGARD_LOG_LEVEL",
        "INFO",
        parse_choice("debug", "info", "warning", "error"),
        "Log level of Regard's own loggers.",
    ),
)


def read_settings(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Parse every setting, raising ConfigError naming the first bad one."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = environ.get(setting.name, setting.default)
        if raw == "" and setting.default == "":
            values[setting.name] = [] if setting.parse is parse_list else ""
            continue
        try:
            values[setting.name] = setting.parse(raw)
        except (ValueError, TypeError) as exc:
            shown = redact_url(raw) if setting.secret else raw
            raise ConfigError(f"{setting.name}={shown!r} is not valid: {exc}") from None
    return values


def redact_url(value: str) -> str:
    """Hide the password in a URL so it can be printed or logged."""
    parts = urlsplit(value)
    if not parts.password:
        return value
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


def settings_table() -> str:
    """The README's settings table, in Markdown."""
    rows = ["| setting | default | what it does |", "|---|---|---|"]
    for setting in SETTINGS:
        default = f"`{setting.default}`" if setting.default else "(empty)"
        rows.append(f"| `{setting.name}` | {default} | {setting.help} |")
    return "\n".join(rows)


def rewrite_readme(path: str = "README.md") -> None:
    """Replace the table between the settings markers of the README."""
    from pathlib import Path

    readme = Path(path)
    text = readme.read_text()
    start, end = "<!-- settings:start -->\n", "\n<!-- settings:end -->"
    before, rest = text.split(start, 1)
    after = rest.split(end, 1)[1]
    readme.write_text(before + start + settings_table() + end + after)


if __name__ == "__main__":
    import sys

    if "--readme" in sys.argv:
        rewrite_readme()
    else:
        print(settings_table())
