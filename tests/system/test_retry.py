"""Failed tasks are retried with backoff and, when they give up, stay visible with their error."""

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from regard.system.models import FailedTask
from regard.system.retry import backoff_seconds
from tests.system import sample_tasks


def run_worker():
    """Run everything queued with the configured backend, in this process (same test DB)."""
    if django_settings.REDIS_URL:
        call_command(
            "rqworker",
            "default",
            burst=True,
            job_class="django_tasks_rq.Job",
            with_scheduler=True,
            verbosity=0,
        )
    else:
        call_command(
            "db_worker", batch=True, queue_name="*", reload=False, startup_delay=False, verbosity=0
        )


@pytest.fixture
def log(settings, tmp_path):
    settings.TASK_BACKOFF_SECONDS = 0
    if django_settings.REDIS_URL:
        import django_rq
        from rq.scheduler import RQScheduler

        queue = django_rq.get_queue("default")
        queue.empty()
        # A worker killed by another test (tests/incidents kills one on purpose) leaves its
        # scheduler lock behind for a minute; these retries need a scheduler now.
        queue.connection.delete(RQScheduler.get_locking_key("default"))
        for job_id in queue.scheduled_job_registry.get_job_ids():
            queue.scheduled_job_registry.remove(job_id, delete_job=True)
    return str(tmp_path / "calls.log")


def test_backoff_doubles_and_is_capped(settings):
    settings.TASK_BACKOFF_SECONDS = 5
    assert [backoff_seconds(n) for n in (1, 2, 3, 4)] == [5, 10, 20, 40]
    assert backoff_seconds(30) == 3600


@pytest.mark.django_db(transaction=True)
def test_a_task_that_keeps_failing_is_retried_then_kept_as_failed(log, capsys):
    sample_tasks.always_fails.enqueue(41, log)
    for _ in range(4):
        run_worker()
    assert sample_tasks.calls(log) == [41, 41, 41]
    failure = FailedTask.objects.get(task_path="tests.system.sample_tasks.always_fails")
    assert failure.attempts == 3 and failure.args == [41, log]
    assert "RuntimeError: boom 41" in failure.error
    call_command("tasks", "failed")
    assert "tests.system.sample_tasks.always_fails" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_a_task_that_fails_once_succeeds_on_retry(log):
    sample_tasks.fails_once.enqueue(7, log)
    for _ in range(3):
        run_worker()
    assert sample_tasks.calls(log) == [7, 7]
    assert not FailedTask.objects.filter(task_path__startswith="tests.system").exists()


@pytest.mark.django_db(transaction=True)
def test_a_failed_task_can_be_retried_from_the_command_line(log, capsys):
    sample_tasks.always_fails.enqueue(9, log)
    for _ in range(4):
        run_worker()
    failure = FailedTask.objects.get(task_path="tests.system.sample_tasks.always_fails")
    call_command("tasks", "retry", str(failure.pk))
    run_worker()
    failure.refresh_from_db()
    assert failure.retried_at is not None
    assert sample_tasks.calls(log).count(9) >= 4
