import pytest

from tests.hooks.receiver import start_receiver


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.TASK_BACKOFF_SECONDS = 0


@pytest.fixture
def receivers():
    """Start real receivers with `receivers(host, status=..., location=...)`; all stop after."""
    servers = []

    def start(host: str = "127.0.0.1", **answer):
        receiver, server = start_receiver(host, **answer)
        servers.append(server)
        return receiver

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
