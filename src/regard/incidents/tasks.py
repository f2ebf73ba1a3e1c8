"""Background delivery of incident updates: one task per batch of recipients, and a retrying
task per recipient whose send failed."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.mail import get_connection
from django.utils import timezone
from django_tasks import task

from regard.system.retry import backoff_seconds, retrying_task

log = logging.getLogger("regard.incidents")


@task()
def deliver_update_batch(update_id: int, first_id: int, last_id: int) -> dict:
    """Send the update to the recipients with ids first..last, over one SMTP connection."""
    from regard.incidents.choices import DeliveryState
    from regard.incidents.models import IncidentUpdate, UpdateDelivery
    from regard.incidents.sending import send_rows

    update = IncidentUpdate.objects.select_related("incident__owner").get(pk=update_id)
    ids = list(
        UpdateDelivery.objects.filter(
            update_id=update_id,
            pk__gte=first_id,
            pk__lte=last_id,
            state__in=[DeliveryState.QUEUED, DeliveryState.SENDING],
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    connection = _open_connection()
    try:
        done = send_rows(update, ids, connection)
    finally:
        connection.close()
    for delivery_id in done.pop("retry_ids"):
        retry = deliver_update_to
        if retry.get_backend().supports_defer:
            when = timezone.now() + timedelta(seconds=backoff_seconds(1))
            retry = retry.using(run_after=when)
        retry.enqueue(delivery_id, _attempt=2)
    return done


def _open_connection():
    """One connection for the whole batch: Django closes one it opened for a single send."""
    connection = get_connection()
    try:
        connection.open()
    except OSError as exc:
        log.warning("cannot reach the mail server yet: %s", exc)  # each send tries again
    return connection


def _give_up(delivery_id: int, *, error: str) -> None:
    from regard.incidents.sending import give_up

    give_up(delivery_id, error=error)


@retrying_task(on_give_up=_give_up)
def deliver_update_to(delivery_id: int) -> dict:
    """One recipient again, after a failed send; retried with backoff, then failed visibly."""
    from regard.incidents.models import UpdateDelivery
    from regard.incidents.sending import send_rows

    row = UpdateDelivery.objects.select_related("update__incident__owner").get(pk=delivery_id)
    done = send_rows(row.update, [delivery_id], raise_errors=True)
    done.pop("retry_ids")
    return done
