"""The inbox's table rows, written in Python: a hundred rows through the template engine cost
more than the queries behind them (each variable lookup, filter and `{% url %}` is a node to
render), and the inbox is the page agents load most. The markup is the one `inbox.html` had."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince, timeuntil

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


@register.simple_tag
def conversation_rows(rows, now=None) -> SafeString:
    now = now or timezone.now()
    # One reverse() for the page: the address differs only by the id.
    prefix, _, suffix = reverse("web:conversation", args=[0]).rpartition("/0/")
    return format_html_join("\n", "{}", ((row(c, now, f"{prefix}/{{}}/{suffix}"),) for c in rows))


def row(c, now, url: str) -> SafeString:
    return format_html(
        ROW,
        url=url.format(c.pk),
        pk=c.pk,
        customer=customer_cell(c),
        subject=c.subject or "(no subject)",
        channel=c.get_channel_display(),
        status=c.status,
        status_label=c.get_status_display(),
        assignee=(c.assignee.display_name if c.assignee else "") or "—",
        waiting=waiting_cell(c.waiting_since, now),
        due=due_cell(getattr(c, "next_due", None), now),
    )


def customer_cell(c) -> SafeString:
    vip = mark_safe('<span class="badge vip" title="VIP">VIP</span> ') if c.customer.vip else ""  # noqa: S308
    upset = ""
    if c.upset:
        upset = format_html(
            ' <span class="badge upset" title="Upset: {}">{}</span>',
            c.emotion,
            c.emotion or "upset",
        )
    return format_html("{}{}{}", vip, c.customer.name, upset)


def waiting_cell(since, now) -> SafeString | str:
    if not since:
        return "—"
    return format_html(
        '<time datetime="{}">{} ago</time>', local_format(since, "c"), timesince(since, now)
    )


def due_cell(due, now) -> SafeString | str:
    """'in 40 minutes', or 'late 2 hours' once the due time has passed."""
    if not due:
        return "—"
    if due <= now:
        text = format_html('<span class="badge clock-breached">late {}</span>', timesince(due, now))
    else:
        text = format_html("in {}", timeuntil(due, now))
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        local_format(due, "c"),
        local_format(due, "D j M, H:i"),
        text,
    )


def local_format(value, spec: str) -> str:
    """What the template's `date` filter writes: the time in the current time zone."""
    local = timezone.localtime(value)
    return local.isoformat() if spec == "c" else format_date(local, spec)
