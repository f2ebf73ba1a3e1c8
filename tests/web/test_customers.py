"""Customer pages: who may see and change whom, the directory, the profile, the inline compass,
and merging duplicates after a preview."""

import datetime as dt

import pytest
from django.urls import reverse

from regard.conversations.choices import EventKind
from regard.conversations.models import Event
from regard.customers.actions import (
    add_customer_note,
    add_identity,
    add_moment,
    merge_customers,
    update_customer_profile,
)
from regard.customers.choices import IdentityKind, MomentKind
from regard.customers.models import Customer, Identity
from tests.factories import PASSWORD, make_agent, make_conversation, make_customer, make_team

pytestmark = pytest.mark.django_db


def signed_in_as(client, agent):
    client.login(username=agent.user.username, password=PASSWORD)
    return client


@pytest.fixture
def zoe(agent, team):
    customer = make_customer("zoe@fjordpine.example", "Zoë Ångström")
    update_customer_profile(agent.user, customer, preferred_name="Zoë", needs="Quick answers")
    add_customer_note(agent.user, customer, "Runs a bakery; mornings are busy")
    add_moment(agent.user, customer, MomentKind.BIRTHDAY, dt.date(1990, 4, 2), "Birthday")
    make_conversation(customer, subject="Where is my order?", team=team, assignee=agent)
    return customer


@pytest.fixture
def billing_customer():
    """A customer whose only conversation belongs to another team."""
    customer = make_customer("bill@ledger.example", "Bill Ledger")
    make_conversation(customer, subject="Invoice", team=make_team("Billing"))
    return customer


def url(name, customer, *args):
    return reverse(f"web:{name}", args=[customer.pk, *args])


def profile_fields(customer, **changes):
    data = {
        "display_name": customer.display_name,
        "preferred_name": customer.preferred_name,
        "pronunciation": customer.pronunciation,
        "language": customer.language,
        "time_zone": customer.time_zone,
        "preferred_channel": customer.preferred_channel,
        "organization": customer.organization_id or "",
        "owner": customer.owner_id or "",
    }
    if customer.vip:
        data["vip"] = "on"
    return {**data, **changes}


# Bad input first.


def test_anonymous_visitors_are_sent_to_log_in(client, zoe):
    for path in (reverse("web:customers"), url("customer", zoe)):
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_an_unknown_customer_is_404(client, agent):
    signed_in_as(client, agent)
    assert client.get(reverse("web:customer", args=[999999])).status_code == 404
    assert client.post(reverse("web:customer_compass", args=[999999])).status_code == 404


def test_another_teams_customer_is_404_everywhere(client, agent, billing_customer):
    signed_in_as(client, agent)
    assert client.get(url("customer", billing_customer)).status_code == 404
    response = client.post(url("customer_compass", billing_customer), {"field": "needs"})
    assert response.status_code == 404
    body = client.get(reverse("web:customers") + "?q=ledger").content.decode()
    assert "Bill Ledger" not in body


def test_a_customer_i_am_the_person_for_is_visible_without_a_conversation(client, agent):
    customer = make_customer("own@example.com", "Owned Person")
    update_customer_profile(agent.user, customer, owner=agent)
    signed_in_as(client, agent)
    assert client.get(url("customer", customer)).status_code == 200
    assert "Owned Person" in client.get(reverse("web:customers")).content.decode()


def test_a_light_agent_cannot_edit_the_profile_or_compass(client, light_agent, zoe):
    signed_in_as(client, light_agent)
    page = client.get(url("customer", zoe)).content.decode()
    assert "Edit profile" not in page and "Save needs" not in page
    assert client.post(url("customer_edit", zoe), profile_fields(zoe)).status_code == 403
    response = client.post(url("customer_compass", zoe), {"field": "needs", "value": "x"})
    assert response.status_code == 403
    identity = {"kind": "email", "value": "z@b.example"}
    assert client.post(url("customer_identity", zoe), identity).status_code == 403
    zoe.refresh_from_db()
    assert zoe.needs == "Quick answers"


def test_a_light_agent_sees_a_read_only_compass_beside_a_conversation(client, light_agent, zoe):
    signed_in_as(client, light_agent)
    conversation = zoe.conversations.get()
    body = client.get(reverse("web:conversation", args=[conversation.pk])).content.decode()
    assert "Quick answers" in body and "Save needs" not in body


def test_invalid_profile_values_are_shown_and_nothing_changes(client, agent, zoe):
    signed_in_as(client, agent)
    data = profile_fields(
        zoe, display_name="x" * 201, time_zone="Mars/Olympus", preferred_channel="pigeon"
    )
    response = client.post(url("customer_edit", zoe), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Ensure this value has at most 200 characters" in body
    assert "Not a time zone we know" in body
    assert "Select a valid choice" in body
    zoe.refresh_from_db()
    assert zoe.display_name == "Zoë Ångström" and zoe.time_zone == ""


def test_mass_assignment_of_merged_into_and_id_is_ignored(client, agent, zoe):
    other = make_customer("other@example.com", "Other")
    signed_in_as(client, agent)
    data = profile_fields(zoe, merged_into=other.pk, id=other.pk, created_at="2000-01-01")
    assert client.post(url("customer_edit", zoe), data).status_code == 302
    zoe.refresh_from_db()
    assert zoe.merged_into is None and zoe.created_at.year > 2000
    assert Customer.objects.filter(pk=other.pk, display_name="Other").exists()


def test_an_owner_who_is_not_an_agent_is_rejected(client, agent, zoe):
    signed_in_as(client, agent)
    response = client.post(url("customer_edit", zoe), profile_fields(zoe, owner=987654))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    zoe.refresh_from_db()
    assert zoe.owner is None


def test_the_compass_refuses_fields_that_are_not_compass_fields(client, agent, zoe):
    signed_in_as(client, agent)
    response = client.post(
        url("customer_compass", zoe),
        {"field": "merged_into", "value": "1"},
        headers={"HX-Request": "true"},
    )
    assert "Not saved" in response.content.decode()
    zoe.refresh_from_db()
    assert zoe.merged_into is None


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("email", "not an address", "not an e-mail address"),
        ("phone", "12", "not a phone number"),
        ("fax", "+4712345678", "Select a valid choice"),
        ("email", "ZOE@fjordpine.example", "already belongs to a customer"),
    ],
)
def test_an_invalid_or_taken_address_is_explained(client, agent, zoe, kind, value, message):
    signed_in_as(client, agent)
    response = client.post(url("customer_identity", zoe), {"kind": kind, "value": value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert zoe.identities.count() == 1


def test_an_empty_note_and_a_bad_date_are_explained(client, agent, zoe):
    signed_in_as(client, agent)
    response = client.post(url("customer_note", zoe), {"text": ""})
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    response = client.post(url("customer_moment", zoe), {"kind": "birthday", "date": "31.02."})
    assert response.status_code == 400 and "Enter a valid date" in response.content.decode()


def test_agents_cannot_merge_and_merging_a_customer_into_itself_is_404(client, agent, supervisor):
    first, second = make_customer(), make_customer()
    signed_in_as(client, agent)
    merge_url = url("customer_merge", first) + f"?into={second.pk}"
    assert client.get(merge_url).status_code == 403
    assert client.post(url("customer_merge", first), {"into": second.pk}).status_code == 403
    signed_in_as(client, supervisor)
    assert client.get(url("customer_merge", first) + f"?into={first.pk}").status_code == 404
    assert client.get(url("customer_merge", first) + "?into=nope").status_code == 404
    first.refresh_from_db()
    assert first.merged_into is None


# Happy paths.


def test_the_directory_finds_a_customer_by_email(client, agent, zoe):
    make_customer("someone@else.example", "Someone Else")
    signed_in_as(client, agent)
    body = client.get(reverse("web:customers") + "?q=ZOE@FJORD").content.decode()
    assert "Zoë Ångström" in body and "Someone Else" not in body


def test_the_directory_finds_unicode_names_and_counts_conversations(client, supervisor, zoe):
    make_conversation(zoe, subject="Second")
    signed_in_as(client, supervisor)
    response = client.get(reverse("web:customers"), {"q": "Ångström"})
    rows = [row for row in response.context["page"]]
    assert [(c.name, c.conversation_count) for c in rows] == [("Zoë Ångström", 2)]


def test_the_directory_hides_merged_away_customers(client, supervisor, zoe):
    twin = make_customer("zoe@home.example", "Zoë Ångström")
    merge_customers(supervisor.user, twin, zoe)
    signed_in_as(client, supervisor)
    rows = client.get(reverse("web:customers"), {"q": "Zoë"}).context["page"]
    assert [c.pk for c in rows] == [zoe.pk]


def test_the_directory_pages_by_fifty(client, supervisor):
    for n in range(51):
        Customer.objects.create(display_name=f"Person {n:02}")
    signed_in_as(client, supervisor)
    first = client.get(reverse("web:customers")).context["page"]
    second = client.get(reverse("web:customers"), {"page": 2}).context["page"]
    assert len(first) == 50 and len(second) == 1
    assert first.has_next and not second.has_next and second.has_previous
    for bad in ("abc", "0", "-1", ""):
        page = client.get(reverse("web:customers"), {"page": bad}).context["page"]
        assert page.number == 1 and len(page) == 50
    beyond = client.get(reverse("web:customers"), {"page": 9}).context["page"]
    assert len(beyond) == 0 and not beyond.has_next
    body = client.get(reverse("web:customers"), {"page": 2}).content.decode()
    assert "Page 2" in body and 'rel="prev"' in body and 'rel="next"' not in body


def test_the_profile_shows_identities_conversations_notes_and_moments(client, agent, zoe):
    add_identity(agent.user, zoe, IdentityKind.PHONE, "+47 123 45 678")
    signed_in_as(client, agent)
    body = client.get(url("customer", zoe)).content.decode()
    for expected in (
        "Zoë Ångström",
        "zoe@fjordpine.example",
        "+47 123 45 678",
        "Where is my order?",
        "Runs a bakery",
        "Birthday",
        "Quick answers",
    ):
        assert expected in body


def test_editing_the_profile_saves_and_records_it(client, agent, zoe):
    signed_in_as(client, agent)
    data = profile_fields(zoe, pronunciation="ZOH-ee", time_zone="Europe/Oslo", vip="on")
    data["owner"] = agent.pk
    response = client.post(url("customer_edit", zoe), data)
    assert response.status_code == 302
    zoe.refresh_from_db()
    assert (zoe.pronunciation, zoe.time_zone, zoe.vip, zoe.owner) == (
        "ZOH-ee",
        "Europe/Oslo",
        True,
        agent,
    )
    assert Event.objects.filter(kind=EventKind.CUSTOMER_UPDATED, customer=zoe).exists()


def test_inline_compass_edit_returns_the_partial_to_htmx(client, agent, zoe):
    signed_in_as(client, agent)
    response = client.post(
        url("customer_compass", zoe),
        {"field": "wants", "value": "A call back before noon", "next": "/evil.example"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert f'id="compass-{zoe.pk}"' in body and "A call back before noon" in body
    assert "Wants saved." in body
    zoe.refresh_from_db()
    assert zoe.wants == "A call back before noon"


def test_inline_compass_edit_without_javascript_redirects_back(client, agent, zoe):
    signed_in_as(client, agent)
    conversation = zoe.conversations.get()
    back = reverse("web:conversation", args=[conversation.pk])
    data = {"field": "emotions", "value": "Anxious about deadlines", "next": back}
    response = client.post(url("customer_compass", zoe), data)
    assert response.status_code == 302 and response.url == back
    offsite = {**data, "next": "https://evil.example/"}
    assert client.post(url("customer_compass", zoe), offsite).url == url("customer", zoe)
    body = client.get(back).content.decode()
    assert "Anxious about deadlines" in body and 'hx-post="' in body


def test_adding_a_note_a_moment_and_an_address(client, agent, zoe):
    signed_in_as(client, agent)
    client.post(url("customer_note", zoe), {"text": "Allergic to nuts", "pinned": "on"})
    client.post(url("customer_moment", zoe), {"kind": "anniversary", "date": "2020-06-01"})
    client.post(url("customer_identity", zoe), {"kind": "email", "value": "Zoë@Bücher.example"})
    assert zoe.notes.filter(text="Allergic to nuts", pinned=True).exists()
    assert zoe.moments.filter(kind="anniversary", recurring=True).exists()
    assert Identity.objects.get(customer=zoe, value="zoë@xn--bcher-kva.example")


def test_the_profile_offers_likely_duplicates(client, supervisor, zoe):
    same_name = make_customer("angstrom@elsewhere.example", "Zoë Ångström")
    same_local = make_customer("zoe@private.example", "Z. A.")
    other_case = make_customer("za@work.example", "zoë Ångström")
    stranger = make_customer("stranger@fjordpine.example", "Stranger")
    near_local = make_customer("zoe.b@private.example", "Z. B.")  # another local part
    signed_in_as(client, supervisor)
    duplicates = client.get(url("customer", zoe)).context["duplicates"]
    assert {c.pk for c in duplicates} == {same_name.pk, same_local.pk, other_case.pk}
    assert stranger not in duplicates and near_local not in duplicates


def test_the_merge_preview_shows_what_moves(client, agent, supervisor, zoe):
    twin = make_customer("zoe.a@home.example", "Zoe Angstrom")
    update_customer_profile(agent.user, zoe, needs="")
    update_customer_profile(agent.user, twin, needs="Invoices in Norwegian", vip=True)
    make_conversation(twin, subject="Faktura")
    make_conversation(twin, subject="Levering")
    add_customer_note(agent.user, twin, "Prefers mornings")
    signed_in_as(client, supervisor)
    response = client.get(url("customer_merge", twin), {"into": zoe.pk})
    preview = response.context["preview"]
    expected = (2, 1, twin.moments.count())
    assert (preview["conversations"], preview["notes"], preview["moments"]) == expected
    body = response.content.decode()
    assert "zoe.a@home.example" in body and "Invoices in Norwegian" in body and "VIP" in body
    twin.refresh_from_db()
    assert twin.merged_into is None


def test_merging_moves_conversations_and_undo_restores(client, supervisor, zoe):
    twin = make_customer("zoe.a@home.example", "Zoe Angstrom")
    moved = make_conversation(twin, subject="Faktura")
    signed_in_as(client, supervisor)
    response = client.post(url("customer_merge", twin), {"into": zoe.pk})
    assert response.status_code == 302 and response.url == url("customer", zoe)
    moved.refresh_from_db()
    twin.refresh_from_db()
    assert moved.customer == zoe and twin.merged_into == zoe
    assert client.get(url("customer", twin)).url == url("customer", zoe)

    merges = client.get(url("customer", zoe)).context["merges"]
    assert [source.pk for _, source in merges] == [twin.pk]
    event = merges[0][0]
    assert client.post(url("customer_unmerge", zoe, event.pk)).status_code == 302
    moved.refresh_from_db()
    twin.refresh_from_db()
    assert moved.customer == twin and twin.merged_into is None
    assert client.get(url("customer", zoe)).context["merges"] == []
    response = client.post(url("customer_unmerge", zoe, event.pk), follow=True)
    assert "can no longer be undone" in response.content.decode()


def test_an_agent_cannot_undo_a_merge(client, agent, supervisor, zoe):
    twin = make_customer("zoe.a@home.example", "Zoe Angstrom")
    event = merge_customers(supervisor.user, twin, zoe)
    signed_in_as(client, agent)
    assert client.post(url("customer_unmerge", zoe, event.pk)).status_code == 403
    twin.refresh_from_db()
    assert twin.merged_into == zoe


# Query counts.


def test_directory_query_count_does_not_grow_with_rows(
    client, supervisor, team, django_assert_max_num_queries
):
    signed_in_as(client, supervisor)
    organization_owner = make_agent("olga", teams=[team])
    for n in range(3):
        make_conversation(make_customer(name=f"Early {n}"), team=team)
    with django_assert_max_num_queries(6) as few:
        client.get(reverse("web:customers"))
    for n in range(20):
        customer = make_customer(name=f"Later {n}")
        update_customer_profile(supervisor.user, customer, owner=organization_owner, vip=True)
        make_conversation(customer, team=team)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("web:customers"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("web:customers"), {"q": "later"})


def test_profile_query_count_does_not_grow_with_rows(
    client, agent, supervisor, zoe, team, django_assert_max_num_queries
):
    signed_in_as(client, supervisor)

    def add_one_of_everything(n):
        make_conversation(zoe, subject=f"More {n}", team=team, assignee=agent)
        add_customer_note(agent.user, zoe, f"Note {n}")
        add_moment(agent.user, zoe, MomentKind.OTHER, dt.date(2020, 1, n + 1), f"Moment {n}")
        add_identity(agent.user, zoe, IdentityKind.CHAT, f"zoe-{n}")
        twin = make_customer(f"zoe@twin{n}.example", "Zoë Ångström")
        merge_customers(supervisor.user, twin, zoe)

    add_one_of_everything(0)
    with django_assert_max_num_queries(18) as few:
        client.get(url("customer", zoe))
    for n in range(1, 12):
        add_one_of_everything(n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url("customer", zoe))


def test_likely_duplicates_read_an_address_literally(client, supervisor):
    """A local part holding LIKE's wildcards matches only itself."""
    wild = make_customer("a_b%c@fjordpine.example", "Wild Card")
    same = make_customer("a_b%c@elsewhere.example", "W. C.")
    lookalike = make_customer("axbyc@elsewhere.example", "Look Alike")
    signed_in_as(client, supervisor)
    duplicates = client.get(url("customer", wild)).context["duplicates"]
    assert {c.pk for c in duplicates} == {same.pk}
    assert lookalike not in duplicates
