"""Django settings for Regard: everything comes from `regard.config`, nothing is read elsewhere."""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url

from regard.config import ConfigError, read_settings

ENV = read_settings()
PRODUCTION = ENV["REGARD_ENV"] == "production"
PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(ENV["REGARD_DATA_DIR"]).expanduser().resolve()


def _prepare_data_dir(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise ConfigError(
            f"REGARD_DATA_DIR={str(path)!r} is not a writable folder: {exc.strerror or exc}"
        ) from None


def _secret_key() -> str:
    if ENV["REGARD_SECRET_KEY"]:
        if PRODUCTION and len(ENV["REGARD_SECRET_KEY"]) < 50:
            raise ConfigError("REGARD_SECRET_KEY is too short for production: use 50+ characters")
        return ENV["REGARD_SECRET_KEY"]
    if PRODUCTION:
        raise ConfigError("REGARD_SECRET_KEY must be set when REGARD_ENV=production")
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


_prepare_data_dir(DATA_DIR)
(DATA_DIR / "static").mkdir(exist_ok=True)
SECRET_KEY = _secret_key()
DEBUG = ENV["REGARD_DEBUG"]
if DEBUG and PRODUCTION:
    raise ConfigError("REGARD_DEBUG=true is refused when REGARD_ENV=production")
ALLOWED_HOSTS = ENV["REGARD_ALLOWED_HOSTS"]
BASE_URL = ENV["REGARD_BASE_URL"].rstrip("/")
CSRF_TRUSTED_ORIGINS = [BASE_URL]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "anymail",
    "axes",
    "regard.accounts",
    "regard.customers",
    "regard.conversations",
    "regard.channels",
    "regard.channels.chat",
    "regard.service",
    "regard.commitments",
    "regard.loyalty",
    "regard.incidents",
    "regard.search",
    "regard.system",
    "regard.api",
    "regard.hooks",
    "regard.web",
    "regard.portal",
    "regard.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "regard.web.middleware.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "regard.urls"
WSGI_APPLICATION = "regard.wsgi.application"
ASGI_APPLICATION = "regard.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "regard.portal.context.company",
            ],
        },
    },
]


def _database() -> dict:
    url = ENV["DATABASE_URL"] or f"sqlite:///{DATA_DIR / 'regard.sqlite3'}"
    config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON; "
                # `regard clock` checkpoints every few seconds (system/clock.checkpoint_wal); a
                # commit does it itself only when the log passes ~40 MB with no clock running.
                "PRAGMA wal_autocheckpoint=10000;"
            ),
            "transaction_mode": "IMMEDIATE",
        }
        config.setdefault("TEST", {})["NAME"] = str(DATA_DIR / "test.sqlite3")
    else:
        config.setdefault("OPTIONS", {})["connect_timeout"] = 5
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FORM_RENDERER = "regard.web.form_renderer.FormRenderer"  # the common widgets without templates

REDIS_URL = ENV["REDIS_URL"]
if REDIS_URL:
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}
    INSTALLED_APPS.append("django_rq")
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
TASK_ATTEMPTS = max(1, ENV["REGARD_TASK_ATTEMPTS"])
TASK_BACKOFF_SECONDS = ENV["REGARD_TASK_BACKOFF_SECONDS"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
# Login throttling (django-axes): five wrong passwords for one login from one address lock that
# pair for 15 minutes; a right password before then starts the count again.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading each request's user with their agent profile in one query.
    "regard.accounts.backends.AgentBackend",
]
SESSION_ENGINE = "regard.accounts.sessions"
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
AXES_VERBOSE = False
LOGIN_REDIRECT_URL = "web:inbox"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = ENV["REGARD_TIME_ZONE"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "files")},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
ATTACHMENTS_DIR = DATA_DIR / "attachments"

DEFAULT_FROM_EMAIL = ENV["REGARD_FROM_EMAIL"]
COMPANY_NAME = ENV["REGARD_COMPANY_NAME"]
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SUPPORT_ADDRESSES = [
    DEFAULT_FROM_EMAIL.lower(),
    *(address.lower() for address in ENV["REGARD_SUPPORT_ADDRESSES"]),
]
MAX_MESSAGE_BYTES = ENV["REGARD_MAX_MESSAGE_BYTES"]
AUTO_ACKNOWLEDGE = ENV["REGARD_AUTO_ACKNOWLEDGE"]
# At most this many automatic messages to one customer an hour: a loop breaks here.
AUTOMATIC_MAIL_PER_HOUR = max(1, ENV["REGARD_AUTOMATIC_MAIL_PER_HOUR"])
WEBHOOK_ALLOW_HTTP = ENV["REGARD_WEBHOOK_ALLOW_HTTP"]
WEBHOOK_ALLOWED_HOSTS = ENV["REGARD_WEBHOOK_ALLOWED_HOSTS"]
if ENV["REGARD_SMTP_URL"]:
    _smtp = urlsplit(ENV["REGARD_SMTP_URL"])
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _smtp.hostname or "localhost"
    EMAIL_PORT = _smtp.port or 25
    EMAIL_HOST_USER = _smtp.username or ""
    EMAIL_HOST_PASSWORD = _smtp.password or ""
    EMAIL_USE_SSL = _smtp.scheme == "smtps"
    EMAIL_USE_TLS = _smtp.scheme == "smtp+starttls"
    EMAIL_TIMEOUT = 30
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "outbox"

ANYMAIL = {}
if ENV["REGARD_MAILGUN_WEBHOOK_SIGNING_KEY"]:
    ANYMAIL["MAILGUN_WEBHOOK_SIGNING_KEY"] = ENV["REGARD_MAILGUN_WEBHOOK_SIGNING_KEY"]
if ENV["REGARD_INBOUND_WEBHOOK_SECRET"]:
    ANYMAIL["WEBHOOK_SECRET"] = ENV["REGARD_INBOUND_WEBHOOK_SECRET"]
INBOUND_WEBHOOKS = bool(ANYMAIL.get("MAILGUN_WEBHOOK_SIGNING_KEY"))

# How long an agent's inbox counts are kept when nothing changes (0: counted on every request).
INBOX_COUNTS_SECONDS = 30

# Customers' own ways in: the web form, the chat widget and the portal (regard.channels.web,
# regard.channels.chat, regard.portal).
PORTAL_LINK_MAX_AGE = timedelta(minutes=ENV["REGARD_PORTAL_LINK_MINUTES"])
WEBFORM_MAX_ATTACHMENT_BYTES = ENV["REGARD_WEBFORM_MAX_ATTACHMENT_BYTES"]
EMBED_ORIGINS = ENV["REGARD_EMBED_ORIGINS"]
CHAT_STREAM_URL = (ENV["REGARD_CHAT_STREAM_URL"] or BASE_URL).rstrip("/")
AGENT_STREAM_PORT = ENV["REGARD_AGENT_STREAM_PORT"]
CHAT_IDENTITY_SECRET = ENV["REGARD_CHAT_IDENTITY_SECRET"]

# The REST API (regard.api): requests a token or session may make a minute, days a token lives.
API_REQUESTS_PER_MINUTE = ENV["REGARD_API_REQUESTS_PER_MINUTE"]
API_TOKEN_DAYS = ENV["REGARD_API_TOKEN_DAYS"]

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_COOKIE_HTTPONLY = True
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "regard": {"handlers": ["console"], "level": ENV["REGARD_LOG_LEVEL"].upper()},
    },
}
