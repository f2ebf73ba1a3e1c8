"""The conversation page's clocks come from a prepared query, read anew on every run."""

from __future__ import annotations

import pytest

from regard.conversations import actions
from regard.service.display import clocks_for
from regard.service.templatetags.service import service_clocks
from tests.factories import make_agent, make_conversation
from tests.service.conftest import berlin

pytestmark = pytest.mark.django_db


def test_the_tag_shows_what_clocks_for_gives_and_each_run_reads_the_clocks_again(standard):
    dana = make_agent("dana")
    conversation = make_conversation(at=berlin(2026, 3, 2, 9))
    other = make_conversation(at=berlin(2026, 3, 2, 9, 30))
    at = berlin(2026, 3, 2, 9, 45)
    running = service_clocks(conversation, at)["clocks"]
    assert running == clocks_for(conversation, at)
    assert [view.metric for view in running] == ["first_reply", "resolution"]
    assert {view.state for view in running} == {"running"}

    # met, then a new next-reply clock, then solved and reopened: ended and running together
    actions.send_reply(dana.user, conversation, "On it.", at=berlin(2026, 3, 2, 10))
    actions.receive_message(conversation, text_full="Any news?", at=berlin(2026, 3, 2, 16))
    actions.change_status(dana.user, conversation, "solved", at=berlin(2026, 3, 3, 10))
    actions.receive_message(conversation, text_full="Broken again", at=berlin(2026, 3, 4, 10))
    for now in (berlin(2026, 3, 4, 11), berlin(2026, 3, 20, 11)):
        views = clocks_for(conversation, now)
        assert views != running and [v.metric for v in views] != []
        assert service_clocks(conversation, now) == {"clocks": views}
    assert clocks_for(other, at) == service_clocks(other, at)["clocks"] != []
