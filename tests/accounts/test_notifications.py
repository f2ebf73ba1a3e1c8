import pytest

from regard.accounts.notifications import mark_read, notify, unread
from tests.factories import make_agent


@pytest.mark.django_db
def test_the_same_key_notifies_once_and_read_ones_leave_the_unread_list():
    dana = make_agent("dana")
    first = notify(dana, "breach_warning", "Zoë has waited\n3 hours", key="breach:1:lead")
    assert first is not None and first.text == "Zoë has waited 3 hours"
    assert notify(dana, "breach_warning", "again", key="breach:1:lead") is None
    assert notify(make_agent("sam"), "breach_warning", "for Sam", key="breach:1:lead") is not None
    assert list(unread(dana)) == [first]
    assert mark_read(dana) == 1
    assert not unread(dana).exists()
