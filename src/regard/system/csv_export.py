"""CSV files people open in spreadsheets: every cell that a spreadsheet would run as a formula
is neutralised, and every export is an audited event."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from regard.conversations.events import record_event

# A spreadsheet treats a cell starting with these as a formula (or as the start of one).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_lines(header: Iterable[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """The CSV text, line by line, so a large export streams instead of filling memory."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in _chain(header, rows):
        writer.writerow([safe_cell(cell) for cell in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def _chain(header, rows):
    yield header
    yield from rows


def audit_export(actor, what: str, query: str = "") -> None:
    record_event("data.exported", actor=actor, what=what, query=query[:200])
