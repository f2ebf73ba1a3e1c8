"""Loyalty tests run background tasks at once and collect mail in memory."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.COMPANY_NAME = "Acme"
    settings.BASE_URL = "http://testserver"


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a block and then what it handed to `transaction.on_commit` (tasks, mail)."""

    def run(block):
        with django_capture_on_commit_callbacks(execute=True):
            return block()

    return run
