"""A page of a long list without counting all of it."""

from __future__ import annotations


class Window:
    """Page `number` of `rows`, read with one row more than a page: that row tells whether there
    is a next page. Counting every customer an agent may see cost more than the page itself."""

    paginator = None  # templates show "Page N" alone, without "of M"

    def __init__(self, rows, size: int, number) -> None:
        number = int(number) if str(number).isdigit() and int(number) > 0 else 1
        start = (number - 1) * size
        found = list(rows[start : start + size + 1])
        self.number = number
        self.object_list = found[:size]
        self.has_next = len(found) > size
        self.has_previous = number > 1

    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)
