"""Search finds messages and customers on either database, safely, in a sensible order."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regard.accounts.choices import Role
from regard.conversations.actions import add_note, receive_message, send_reply
from regard.conversations.models import Message
from regard.customers.actions import add_identity, update_customer_profile
from regard.search.api import search_customers, search_messages
from regard.search.query import parse_query
from regard.search.schema import repair_sqlite_triggers
from tests.factories import make_agent, make_conversation, make_customer, make_team

pytestmark = pytest.mark.django_db
HOSTILE = ['" OR NEAR(', "*", "-", "AND OR NOT", "a:*", "(x) & !y | <->", "'\\", "^foo", "{}"]
days_ago = lambda n: timezone.now() - timedelta(days=n)  # noqa: E731


@pytest.fixture
def zoe(db):
    return make_customer("zoe.angstrom@example.com", "Zoë Ångström")


def found(user, q):
    return [hit.conversation_id for hit in search_messages(user, q)]


# Bad input first.


@pytest.mark.parametrize("q", ["", "   ", "\t\n", '""', "!!!", "***"])
def test_empty_or_wordless_queries_find_nothing(agent, q):
    make_conversation(text="anything at all")
    assert search_messages(agent.user, q) == []
    assert search_customers(q) == []


@pytest.mark.parametrize("q", HOSTILE)
def test_operators_are_searched_as_words_never_as_syntax(agent, q):
    make_conversation(text="not a refund, or near enough")
    assert isinstance(search_messages(agent.user, q), list)
    assert isinstance(search_customers(q), list)


def test_unbalanced_quotes_search_the_words(agent):
    conversation = make_conversation(text="The parcel never arrived")
    assert found(agent.user, '"parcel never') == [conversation.pk]
    assert found(agent.user, 'parcel "never arrived') == [conversation.pk]


def test_a_ten_kilobyte_query_is_cut_not_refused(agent):
    conversation = make_conversation(text="refund please")
    assert found(agent.user, "refund " * 1_500) == [conversation.pk]
    assert search_messages(agent.user, 'ä"(*' * 2_500) == []


def test_stored_markup_is_escaped_in_snippets(agent):
    make_conversation(text='Refund <script>alert("x")</script> <b onclick=evil()>now</b>')
    (hit,) = search_messages(agent.user, "refund")
    assert "<script>" not in hit.snippet and "<b " not in hit.snippet
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in hit.snippet
    assert hit.snippet.startswith("<mark>Refund</mark>")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(q=st.text(max_size=80))
def test_no_input_makes_search_raise(agent, q):
    search_messages(agent.user, q)
    search_customers(q)


@given(q=st.text(max_size=300))
def test_parsed_queries_hold_only_quoted_letters_and_digits(q):
    query = parse_query(q)
    for word in query.words:
        assert word and all(char.isalnum() for char in word)
    assert query.fts5().count('"') % 2 == 0
    assert "'" not in "".join(query.words)


# What is found, and in which order.


def test_words_match_by_prefix_and_without_diacritics(agent):
    conversation = make_conversation(text="Die Rücksendung wurde abgelehnt, refunds pending")
    assert found(agent.user, "rucksend") == [conversation.pk]
    assert found(agent.user, "refund") == [conversation.pk]
    assert found(agent.user, '"refund"') == []


def test_a_quoted_phrase_finds_only_those_words_in_that_order(agent):
    together = make_conversation(text="My parcel never arrived yesterday")
    make_conversation(text="It arrived, but never the parcel I ordered")
    assert found(agent.user, '"never arrived"') == [together.pk]


def test_the_exact_phrase_ranks_first_even_when_older(agent):
    for n in range(5):
        make_conversation(text=f"Filler about invoices number {n}")
    phrase = make_conversation(text="The parcel never arrived at all", at=days_ago(20))
    scattered = make_conversation(text="Never mind: the parcel arrived", at=days_ago(1))
    assert found(agent.user, "parcel never arrived") == [phrase.pk, scattered.pk]


def test_newer_beats_older_when_equally_relevant(agent):
    older = make_conversation(text="Charged twice for my order", at=days_ago(60))
    newer = make_conversation(text="Charged twice for my order", at=days_ago(2))
    hits = search_messages(agent.user, "charged twice")
    assert [hit.conversation_id for hit in hits] == [newer.pk, older.pk]
    assert hits[0].rank > hits[1].rank


def test_a_hit_says_where_it_is(agent):
    conversation = make_conversation(text="Where is my kettle?", subject="Kettle missing")
    (hit,) = search_messages(agent.user, "kettle")
    message = conversation.messages.get()
    assert (hit.message_id, hit.conversation_id, hit.subject) == (
        message.pk,
        conversation.pk,
        "Kettle missing",
    )
    assert hit.created_at == message.created_at
    assert "<mark>kettle</mark>" in hit.snippet


def test_the_limit_caps_the_page(agent):
    for _ in range(4):
        make_conversation(text="voucher code rejected")
    assert len(search_messages(agent.user, "voucher", limit=3)) == 3


# Permissions.


def test_an_agent_of_another_team_does_not_see_the_hit(agent, team):
    other = make_team("Billing")
    billing_agent = make_agent("bo", teams=[other])
    ours = make_conversation(text="invoice disputed", team=team)
    theirs = make_conversation(text="invoice disputed", team=other)
    assert found(agent.user, "invoice") == [ours.pk]
    assert sorted(found(billing_agent.user, "invoice")) == [theirs.pk]


def test_a_supervisor_sees_every_team(team):
    supervisor = make_agent("sue", role=Role.SUPERVISOR)
    hidden = make_conversation(text="invoice disputed", team=make_team("Billing"))
    shown = make_conversation(text="invoice disputed", team=team)
    assert sorted(found(supervisor.user, "invoice")) == sorted([hidden.pk, shown.pk])


def test_a_queryset_of_visible_conversations_can_stand_for_the_agent(agent):
    kept = make_conversation(text="lost luggage")
    make_conversation(text="lost luggage")
    visible = type(kept).objects.filter(pk=kept.pk)
    assert found(visible, "luggage") == [kept.pk]
    assert found(visible.none(), "luggage") == []


# Every write path is indexed at once.


def test_replies_notes_and_new_messages_are_searchable_immediately(agent):
    conversation = make_conversation(text="Hello")
    send_reply(agent.user, conversation, "We shipped a replacement blender")
    add_note(agent.user, conversation, "Courier confirmed the depot scan")
    receive_message(conversation, text_full="The blender works, thanks")
    assert len(search_messages(agent.user, "blender")) == 2
    assert found(agent.user, "depot") == [conversation.pk]


def test_edited_deleted_and_bulk_created_messages_stay_in_step(agent):
    conversation = make_conversation(text="original wording")
    message = conversation.messages.get()
    Message.objects.filter(pk=message.pk).update(text_new="rewritten wording")
    assert found(agent.user, "original") == []
    assert found(agent.user, "rewritten") == [conversation.pk]
    Message.objects.bulk_create(
        [
            Message(
                conversation=conversation,
                direction="inbound",
                channel="email",
                text_new="bulk loaded toaster",
                created_at=timezone.now(),
            )
        ]
    )
    assert found(agent.user, "toaster") == [conversation.pk]
    Message.objects.filter(text_new="bulk loaded toaster").delete()
    assert found(agent.user, "toaster") == []


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite keeps its index by triggers")
def test_triggers_lost_to_a_table_rebuild_are_restored(agent):
    conversation = make_conversation(text="before the rebuild")
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER search_message_ai")
    assert repair_sqlite_triggers(connection) == ["search_message_ai"]
    receive_message(conversation, text_full="after the rebuild: hoover")
    assert found(agent.user, "hoover") == [conversation.pk]
    assert found(agent.user, "before") == [conversation.pk]


# Customers: forgiving on names and addresses.


@pytest.mark.parametrize("q", ["Zoe", "zoë", "angstrom", "Ångström", "zoe ang", "ZO"])
def test_names_match_by_prefix_without_diacritics(zoe, q):
    assert [hit.customer for hit in search_customers(q)] == [zoe]


@pytest.mark.parametrize("q", ["Ångstrom", "Angstrm", "Angstorm", "Zoë Angstrum"])
def test_a_misspelt_name_is_still_found(zoe, q):
    make_customer("bob@example.com", "Bob Smith")
    assert [hit.customer for hit in search_customers(q)] == [zoe]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's trigram index")
def test_a_misspelling_is_found_by_the_trigrams_few_customers_share(zoe, monkeypatch):
    from regard.search.backends import sqlite

    monkeypatch.setattr(sqlite, "DENSE_TRIGRAM", 3)
    for number in range(4):  # "ang" in every address: dense, so left out
        make_customer(f"ang{number}@example.com", f"Ola Nordmann {number}")
    assert [hit.customer for hit in search_customers("Angstorm")] == [zoe]
    assert sqlite.similar_customers(parse_query("xamp"), 100) == []  # every trigram dense


@pytest.mark.parametrize("q", ["zoe.ang", "zoe.angstrom@exa", "zoe.angstrom@example.com"])
def test_an_email_prefix_finds_the_customer(zoe, q):
    assert [hit.customer for hit in search_customers(q)] == [zoe]


def test_a_customer_hit_highlights_the_name(zoe):
    (hit,) = search_customers("zoe")
    assert hit.name == "<mark>Zoë</mark> Ångström"


def test_renames_and_new_identities_are_searchable_immediately(agent, zoe):
    update_customer_profile(agent.user, zoe, display_name="Zoë Lindqvist")
    add_identity(agent.user, zoe, "email", "z.l@work.example")
    assert [hit.customer for hit in search_customers("lindqvist")] == [zoe]
    assert [hit.customer for hit in search_customers("z.l@work")] == [zoe]


def test_customer_search_keeps_within_the_given_customers(zoe):
    other = make_customer("zoe.brown@example.com", "Zoe Brown")
    hits = search_customers("zoe", customers=type(zoe).objects.filter(pk=other.pk))
    assert [hit.customer for hit in hits] == [other]


def test_unrelated_names_are_not_returned(zoe):
    make_customer("bob@example.com", "Bob Smith")
    assert search_customers("xylophone") == []


# Only the newest matches are ranked, so common words stay fast.


def test_only_the_newest_matches_are_ranked(agent, monkeypatch):
    from regard.search import api

    monkeypatch.setattr(api, "NEWEST", 2)
    oldest = make_conversation(text="Refund refund refund, the best match", at=days_ago(1))
    middle = make_conversation(text="refund", at=days_ago(3))
    newest = make_conversation(text="refund", at=days_ago(2))
    assert oldest.pk < middle.pk < newest.pk
    assert sorted(found(agent.user, "refund")) == [middle.pk, newest.pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL walks, then looks back")
def test_a_short_walk_continues_through_the_index(agent, team, monkeypatch):
    from regard.search import api
    from regard.search.backends import postgres

    monkeypatch.setattr(api, "NEWEST", 3)
    monkeypatch.setattr(postgres, "WALK", 2)
    monkeypatch.setattr(postgres, "_estimate", lambda cursor, query: 1e9)
    hidden = make_team("Billing")
    made = [make_conversation(text="refund", team=t) for t in (team, hidden, team, team, hidden)]
    assert sorted(found(agent.user, "refund")) == [made[0].pk, made[2].pk, made[3].pk]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="FTS5 expands prefixes in memory")
def test_a_word_in_many_messages_is_matched_exactly(agent, monkeypatch):
    from regard.search.backends import sqlite

    monkeypatch.setattr(sqlite, "DENSE", 2)
    exact = [make_conversation(text="refund").pk for _ in range(2)]
    longer = make_conversation(text="refunds").pk
    assert sorted(found(agent.user, "refund")) == exact
    assert found(agent.user, "refunds") == [longer]
