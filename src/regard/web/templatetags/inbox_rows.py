"""The inbox's table rows, written in Python: a hundred rows through the template engine cost
more than the queries behind them (each variable lookup, filter and `{% url %}` is a node to
render), and the inbox is the page agents load most. The markup is the one `inbox.html` had.

Plain `str.format` with `html.escape` (what Django's `escape` does) on every value from the
database: `format_html` would escape each already-safe piece again and wrap it, which cost as
much as the rest of the page.
"""

from __future__ import annotations

from html import escape

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import avoid_wrapping
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince
from django.utils.translation import gettext, ngettext

from regard.conversations.choices import Status
from regard.customers.choices import Channel

register = template.Library()

ROW = (
    '<tr data-href="{url}">'
    '<td><input type="checkbox" name="ids" value="{pk}" form="bulk" aria-label="Select #{pk}"></td>'
    "<td>{customer}</td>"
    '<td><a href="{url}">{subject}</a> <span class="muted">#{pk} · {channel}</span></td>'
    '<td><span class="status {status}">{status_label}</span></td>'
    "<td>{assignee}</td>"
    "<td>{waiting}</td>"
    "<td>{due}</td>"
    "</tr>"
)
# Django's timesince words (its own message ids, so its translations apply), for spans under
# four weeks, where no calendar month can be whole and plain division gives the same answer
# several times faster; longer spans go to timesince itself.
UNITS = (
    (7 * 24 * 3600, "%(num)d week", "%(num)d weeks"),
    (24 * 3600, "%(num)d day", "%(num)d days"),
    (3600, "%(num)d hour", "%(num)d hours"),
    (60, "%(num)d minute", "%(num)d minutes"),
)
FOUR_WEEKS = 4 * 7 * 24 * 3600
VIP = '<span class="badge vip" title="VIP">VIP</span> '
UPSET = ' <span class="badge upset" title="Upset: {}">{}</span>'


@register.simple_tag
def conversation_rows(rows, now=None) -> SafeString:
    now = now or timezone.now()
    # One reverse() for the page: the address differs only by the id.
    prefix, _, suffix = reverse("web:conversation", args=[0]).rpartition("/0/")
    url = f"{prefix}/{{}}/{suffix}"
    # Labels in the language of this request, once a page rather than once a row.
    channels, statuses = labels(Channel), labels(Status)
    return mark_safe(  # noqa: S308 - every value is escaped
        "\n".join(row(c, now, url, channels, statuses) for c in rows)
    )


def labels(choices) -> dict[str, str]:
    return {value: escape(str(label)) for value, label in choices.choices}


def row(c, now, url: str, channels: dict[str, str], statuses: dict[str, str]) -> str:
    assignee = c.assignee.display_name if c.assignee else ""
    return ROW.format(
        url=url.format(c.pk),
        pk=c.pk,
        customer=customer_cell(c),
        subject=escape(c.subject or "(no subject)"),
        channel=channels.get(c.channel) or escape(c.channel),
        status=escape(c.status),
        status_label=statuses.get(c.status) or escape(c.status),
        assignee=escape(assignee or "—"),
        waiting=waiting_cell(c.waiting_since, now),
        due=due_cell(getattr(c, "next_due", None), now),
    )


def customer_cell(c) -> str:
    vip = VIP if c.customer.vip else ""
    upset = UPSET.format(escape(c.emotion), escape(c.emotion or "upset")) if c.upset else ""
    return f"{vip}{escape(c.customer.name)}{upset}"


def waiting_cell(since, now) -> str:
    if not since:
        return "—"
    return f'<time datetime="{local_format(since, "c")}">{escape(span(since, now))} ago</time>'


def due_cell(due, now) -> str:
    """'in 40 minutes', or 'late 2 hours' once the due time has passed."""
    if not due:
        return "—"
    if due <= now:
        text = f'<span class="badge clock-breached">late {escape(span(due, now))}</span>'
    else:
        text = f"in {escape(span(now, due))}"
    return (
        f'<time datetime="{local_format(due, "c")}" '
        f'title="{escape(local_format(due, "D j M, H:i"))}">{text}</time>'
    )


def span(start, end) -> str:
    """What `timesince(start, end)` says: '3 hours', '1 week, 2 days', '0 minutes'."""
    seconds = int((end - start).total_seconds())
    if seconds >= FOUR_WEEKS:
        return timesince(start, end)
    parts = []
    for size, one, many in UNITS if seconds > 0 else ():
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(avoid_wrapping(ngettext(one, many, count) % {"num": count}))
        elif parts:
            break  # adjacent units only: '1 week, 3 hours' is never said
        if len(parts) == 2:
            break
    if not parts:
        return avoid_wrapping(ngettext(*UNITS[-1][1:], 0) % {"num": 0})
    return gettext(", ").join(parts)


def local_format(value, spec: str) -> str:
    """What the template's `date` filter writes: the time in the current time zone."""
    local = timezone.localtime(value)
    return local.isoformat() if spec == "c" else format_date(local, spec)
