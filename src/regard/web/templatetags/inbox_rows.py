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
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
from django.utils.html import avoid_wrapping
from django.utils.safestring import SafeString, mark_safe
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
# Django's timesince words (its own message ids, so its translations apply), largest unit first.
UNITS = (
    ("%(num)d year", "%(num)d years"),
    ("%(num)d month", "%(num)d months"),
    ("%(num)d week", "%(num)d weeks"),
    ("%(num)d day", "%(num)d days"),
    ("%(num)d hour", "%(num)d hours"),
    ("%(num)d minute", "%(num)d minutes"),
)
CHUNKS = (7 * 24 * 3600, 24 * 3600, 3600, 60)  # week, day, hour, minute
MINUTE = len(UNITS) - 1
FOUR_WEEKS = 4 * 7 * 24 * 3600
MONTHS_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # as timesince counts them
VIP = '<span class="badge vip" title="VIP">VIP</span> '
UPSET = ' <span class="badge upset" title="Upset: {}">{}</span>'


@register.simple_tag
def conversation_rows(rows, now=None) -> SafeString:
    now = now or timezone.now()
    # One reverse() for the page: the address differs only by the id.
    prefix, _, suffix = reverse("web:conversation", args=[0]).rpartition("/0/")
    url = f"{prefix}/{{}}/{suffix}"
    # Labels and words in the language of this request, once a page rather than once a row.
    channels, statuses, words = labels(Channel), labels(Status), Words()
    return mark_safe(  # noqa: S308 - every value is escaped
        "\n".join(row(c, now, url, channels, statuses, words) for c in rows)
    )


def labels(choices) -> dict[str, str]:
    return {value: escape(str(label)) for value, label in choices.choices}


class Words:
    """What the page says about times, in the active language and time zone: each unit's words
    are translated once a page, not once a row (translation lookups were most of a row's cost).
    """

    def __init__(self):
        self.zone = timezone.get_current_timezone()
        self.comma = gettext(", ")
        self.weekdays = [str(day) for _, day in sorted(WEEKDAYS_ABBR.items())]
        self.months = {number: str(month).title() for number, month in MONTHS_3.items()}
        self.units: dict[tuple[int, int], str] = {}

    def unit(self, index: int, count: int) -> str:
        text = self.units.get((index, count))
        if text is None:
            one, many = UNITS[index]
            text = avoid_wrapping(ngettext(one, many, count) % {"num": count})
            self.units[index, count] = text
        return text

    def iso(self, value) -> str:
        """The template's `date:"c"` in the current time zone."""
        return value.astimezone(self.zone).isoformat()

    def day_and_time(self, value) -> str:
        """The template's `date:"D j M, H:i"` in the current time zone."""
        local = value.astimezone(self.zone)
        weekday, month = self.weekdays[local.weekday()], self.months[local.month]
        return f"{weekday} {local.day} {month}, {local.hour:02d}:{local.minute:02d}"


def row(c, now, url: str, channels: dict[str, str], statuses: dict[str, str], words: Words) -> str:
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
        waiting=waiting_cell(c.waiting_since, now, words),
        due=due_cell(getattr(c, "next_due", None), now, words),
    )


def customer_cell(c) -> str:
    vip = VIP if c.customer.vip else ""
    upset = UPSET.format(escape(c.emotion), escape(c.emotion or "upset")) if c.upset else ""
    return f"{vip}{escape(c.customer.name)}{upset}"


def waiting_cell(since, now, words: Words) -> str:
    if not since:
        return "—"
    return f'<time datetime="{words.iso(since)}">{escape(span(since, now, words))} ago</time>'


def due_cell(due, now, words: Words) -> str:
    """'in 40 minutes', or 'late 2 hours' once the due time has passed."""
    if not due:
        return "—"
    if due <= now:
        text = f'<span class="badge clock-breached">late {escape(span(due, now, words))}</span>'
    else:
        text = f"in {escape(span(now, due, words))}"
    return (
        f'<time datetime="{words.iso(due)}" title="{escape(words.day_and_time(due))}">{text}</time>'
    )


def span(start, end, words: Words | None = None) -> str:
    """What `timesince(start, end)` says: '3 hours', '1 week, 2 days', '2 months, 1 week',
    '0 minutes'; its calendar arithmetic for months and years, its words."""
    words = words or Words()
    delta = end - start
    if delta.days * 86400 + delta.seconds <= 0:
        return words.unit(MINUTE, 0)
    years = months = 0
    pivot = start
    if delta.days >= 28:  # under four weeks no calendar month can be whole
        end = end.astimezone(start.tzinfo)
        total = (end.year - start.year) * 12 + end.month - start.month
        if start.day > end.day or (start.day == end.day and start.time() > end.time()):
            total -= 1
        years, months = divmod(total, 12)
        if total:
            year, month = start.year + years, start.month + months
            if month > 12:
                year, month = year + 1, month - 12
            day = min(MONTHS_DAYS[month - 1], start.day)
            pivot = start.replace(year=year, month=month, day=day, microsecond=0)
    remaining = (end - pivot).total_seconds()
    counts = [years, months]
    for chunk in CHUNKS:
        count = int(remaining // chunk)
        counts.append(count)
        remaining -= chunk * count
    parts = []
    for index, count in enumerate(counts):
        if count:
            parts.append(words.unit(index, count))
        elif parts:
            break  # adjacent units only: '1 week, 3 hours' is never said
        if len(parts) == 2:
            break
    return words.comma.join(parts) if parts else words.unit(MINUTE, 0)
