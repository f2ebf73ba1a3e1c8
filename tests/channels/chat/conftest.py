import uuid

import pytest


@pytest.fixture
def chat_settings(settings, monkeypatch):
    from regard.channels.chat import limits

    settings.EMBED_ORIGINS = ["https://shop.example"]
    settings.CHAT_IDENTITY_SECRET = "host-site-secret"
    settings.CHAT_STREAM_URL = "http://streams.example"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # Limits by client address live in Redis across test runs: a fresh scope for every test.
    run = uuid.uuid4().hex[:8]
    for name in ("START_PER_IP", "OFFLINE_PER_IP"):
        scope, limit, window = getattr(limits, name)
        monkeypatch.setattr(limits, name, (f"{scope}-{run}", limit, window))
