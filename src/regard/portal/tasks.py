"""Background work for the portal: mailing a sign-in link, outside the request, so the page
answers as fast for an address we know as for one we do not."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from regard.system.retry import retrying_task


@retrying_task(attempts=3)
def send_link(link_id: int) -> str:
    from regard.portal.mail import send_link_mail
    from regard.portal.models import PortalLink

    link = PortalLink.objects.select_related("customer", "identity").filter(pk=link_id).first()
    if link is None or link.used_at is not None:
        return "not needed"
    if timezone.now() - link.created_at > settings.PORTAL_LINK_MAX_AGE:
        return "expired before it could be sent"
    send_link_mail(link)
    return "sent"
