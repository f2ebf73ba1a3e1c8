"""Customer pages: the directory, the profile with its edits, the compass edited inline, and
merging duplicates after a preview (with undo)."""

from __future__ import annotations

import unicodedata
import zoneinfo
from datetime import timedelta

from django import forms
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, connection
from django.db.models import Count, Q, Value
from django.db.models.functions import Lower
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from regard.accounts.access import require
from regard.accounts.models import Agent
from regard.accounts.permissions import (
    ADD_NOTE,
    EDIT_CUSTOMER,
    EXPORT_DATA,
    MERGE_CUSTOMERS,
    can,
)
from regard.conversations.access import conversations_for, customer_for, customers_for
from regard.conversations.choices import EventKind
from regard.conversations.models import Conversation, Event
from regard.customers import actions
from regard.customers.choices import Channel, IdentityKind, MomentKind
from regard.customers.identities import InvalidIdentity, normalize
from regard.customers.models import Customer, CustomerNote, Identity, Moment, Organization
from regard.system.csv_export import audit_export, csv_lines
from regard.system.prepared import Prepared
from regard.web.conversation_page import OPEN_PROMISES
from regard.web.paging import Window

PAGE_SIZE = 50
CONVERSATIONS_PAGE_SIZE = 25
UNDO_WINDOW = timedelta(days=30)
DUPLICATES_READ = 50  # per clue: a common name still costs one short index walk
COMPASS_LABELS = {
    "needs": "Needs",
    "wants": "Wants",
    "emotions": "Emotions",
    "stereotypes_to_avoid": "Avoid assuming",
}
FILL_LABELS = {
    **COMPASS_LABELS,
    "preferred_name": "Preferred name",
    "display_name": "Full name",
    "language": "Language",
    "time_zone": "Time zone",
    "vip": "VIP",
}
# The fields merge_customers fills on the target when only the source has them.


class ProfileForm(forms.Form):
    """The profile fields an agent edits; the compass has its own inline form."""

    display_name = forms.CharField(max_length=200, required=False, label="Full name")
    preferred_name = forms.CharField(max_length=120, required=False, label="Preferred name")
    pronunciation = forms.CharField(max_length=200, required=False, label="Say it")
    language = forms.CharField(max_length=16, required=False)
    time_zone = forms.CharField(max_length=64, required=False, label="Time zone")
    preferred_channel = forms.ChoiceField(
        choices=[("", "(no preference)"), *Channel.choices], required=False, label="Prefers"
    )
    vip = forms.BooleanField(required=False, label="VIP")
    organization = forms.ModelChoiceField(Organization.objects.all(), required=False)
    owner = forms.ModelChoiceField(Agent.objects.all(), required=False, label="Their person")
    concierge = forms.ModelChoiceField(
        Agent.objects.all(),
        required=False,
        label="Concierge",
        help_text="While set, every conversation of theirs goes to this agent",
    )

    def clean_time_zone(self):
        value = self.cleaned_data["time_zone"].strip()
        if value and value not in zoneinfo.available_timezones():
            raise ValidationError("Not a time zone we know; try a name like Europe/Oslo.")
        return value


class CompassForm(forms.Form):
    field = forms.ChoiceField(choices=list(COMPASS_LABELS.items()))
    value = forms.CharField(max_length=5000, required=False, strip=True)


class NoteForm(forms.Form):
    text = forms.CharField(max_length=5000, label="Note", widget=forms.Textarea(attrs={"rows": 3}))
    pinned = forms.BooleanField(required=False, label="Pin it")


class MomentForm(forms.Form):
    kind = forms.ChoiceField(choices=MomentKind.choices)
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    label = forms.CharField(max_length=200, required=False)


class IdentityForm(forms.Form):
    kind = forms.ChoiceField(choices=IdentityKind.choices)
    value = forms.CharField(max_length=320, label="Address")

    def clean(self):
        data = super().clean()
        if "kind" in data and "value" in data:
            try:
                data["normalized"] = normalize(data["kind"], data["value"])
            except InvalidIdentity as exc:
                raise ValidationError({"value": str(exc)}) from None
            if Identity.objects.filter(kind=data["kind"], value=data["normalized"]).exists():
                raise ValidationError({"value": "That address already belongs to a customer."})
        return data


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _back(request, customer: Customer) -> str:
    """Where a form returns to: the page it came from when that page is ours."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("web:customer", args=[customer.pk])


def search(customers, query: str):
    """Customers whose name, preferred name or any identity contains the query."""
    query = unicodedata.normalize("NFC", query).strip()
    if not query:
        return customers
    matching = Identity.objects.filter(
        Q(value__icontains=query) | Q(display_value__icontains=query)
    ).values("customer_id")
    return customers.filter(
        Q(display_name__icontains=query) | Q(preferred_name__icontains=query) | Q(pk__in=matching)
    )


@login_required
@require_GET
def directory(request):
    query = request.GET.get("q", "")[:200]
    customers = (
        search(customers_for(request.user).filter(merged_into__isnull=True), query)
        .select_related("organization", "owner")
        .order_by("display_name", "id")
    )
    page = Window(customers, PAGE_SIZE, request.GET.get("page"))
    # Counted for this page's customers only: counting in the listing query grouped every
    # customer's conversations before the page was cut.
    counts = dict(
        Conversation.objects.filter(customer__in=[c.pk for c in page])
        .values("customer")
        .annotate(n=Count("id"))
        .values_list("customer", "n")
    )
    for customer in page:
        customer.conversation_count = counts.get(customer.pk, 0)
    can_export = can(request.user, EXPORT_DATA)
    context = {"page": page, "query": query, "can_export": can_export}
    return render(request, "web/customers/directory.html", context)


CSV_HEADER = (
    "id", "name", "preferred name", "organization", "their person", "vip", "language",
    "e-mail addresses", "conversations", "customer since",
)  # fmt: skip


@login_required
@require_GET
def export_csv(request):
    """The directory (with its search) as CSV, for those who may export data; audited."""
    require(request.user, EXPORT_DATA)
    query = request.GET.get("q", "")[:200]
    customers = (
        search(customers_for(request.user).filter(merged_into__isnull=True), query)
        .select_related("organization", "owner")
        .prefetch_related("identities")
        .annotate(conversation_count=Count("conversations", distinct=True))
        .order_by("display_name", "id")
    )
    audit_export(request.user, "customers", query)
    rows = (
        (
            c.pk,
            c.display_name,
            c.preferred_name,
            c.organization.name if c.organization else "",
            c.owner.display_name if c.owner else "",
            "yes" if c.vip else "",
            c.language,
            " ".join(i.value for i in c.identities.all() if i.kind == IdentityKind.EMAIL),
            c.conversation_count,
            c.created_at.date().isoformat(),
        )  # fmt: skip
        for c in customers.iterator(chunk_size=500)
    )
    response = StreamingHttpResponse(csv_lines(CSV_HEADER, rows), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="customers.csv"'
    return response


def likely_duplicates(user, customer: Customer, identities) -> list[Customer]:
    """Unmerged customers with the same name, e-mail local part or phone number's end.

    Each clue is a lookup an index answers (the name lower-cased; on SQLite, the address as a
    range), so a profile costs about the same with a million customers as with a hundred.
    """
    same_identity = Q()
    for identity in identities:
        if identity.kind == IdentityKind.EMAIL:
            local = identity.value.rsplit("@", 1)[0]
            same_identity |= Q(kind=IdentityKind.EMAIL) & _addresses_of(local)
        elif identity.kind == IdentityKind.PHONE:
            # National and international spellings of one number share their last digits.
            same_identity |= Q(kind=IdentityKind.PHONE, value__endswith=identity.value[-8:])
    ids = set()
    if customer.display_name:
        named = Customer.objects.alias(lowered=Lower("display_name"))
        ids |= set(
            named.filter(lowered=Lower(Value(customer.display_name)))
            .order_by()
            .values_list("pk", flat=True)[:DUPLICATES_READ]
        )
    if same_identity:
        ids |= set(
            Identity.objects.filter(same_identity)
            .order_by()
            .values_list("customer_id", flat=True)[:DUPLICATES_READ]
        )
    ids.discard(customer.pk)
    if not ids:
        return []
    candidates = customers_for(user).filter(pk__in=ids, merged_into__isnull=True)
    return list(candidates.select_related("organization")[:10])


def _addresses_of(local: str) -> Q:
    """Stored addresses "local@…". SQLite compares text byte by byte, so there a range its index
    answers holds exactly them; a PostgreSQL database may sort by a locale's rules, which can
    skip punctuation such as "@", so there the prefix is matched as such."""
    if connection.vendor == "sqlite":
        return Q(value__gte=f"{local}@", value__lt=f"{local}A")  # "A" follows "@"
    return Q(value__startswith=f"{local}@")


def undoable_merges(customer: Customer) -> list[tuple[Event, Customer]]:
    """Recent merges into this customer that can still be undone, latest per source."""
    # No order: sorted by name, SQLite would walk every customer in name order to find them.
    merged = {c.pk: c for c in customer.merged_from.order_by()}
    if not merged:
        return []
    events = Event.objects.filter(
        kind=EventKind.CUSTOMERS_MERGED,
        customer=customer,
        created_at__gte=timezone.now() - UNDO_WINDOW,
    ).order_by("-created_at", "-id")
    undoable = {}
    for event in events:
        source_id = event.data.get("source_id")
        if source_id in merged and source_id not in undoable:
            undoable[source_id] = (event, merged[source_id])
    return list(undoable.values())


# The profile's own lists, their queries built once (see system/prepared.py).
IDENTITIES = Prepared(
    lambda customer: Identity.objects.filter(customer_id=customer).order_by("kind", "value"),
    customer=int,
)
NOTES = Prepared(
    lambda customer: CustomerNote.objects.filter(customer_id=customer).select_related(
        "author__agent"
    )[:50],
    customer=int,
)
MOMENTS = Prepared(lambda customer: Moment.objects.filter(customer_id=customer), customer=int)


def render_profile(request, customer: Customer, status: int = 200, **forms_in_error):
    identities = IDENTITIES(customer=customer.pk)
    conversations = (
        conversations_for(request.user)
        .filter(customer=customer)
        .select_related("assignee", "team")
        .order_by("-created_at", "-id")
    )
    page = Paginator(conversations, CONVERSATIONS_PAGE_SIZE).get_page(request.GET.get("page"))
    initial = {field: getattr(customer, field) for field in ProfileForm.base_fields}
    context = {
        "customer": customer,
        "identities": identities,
        "conversations": page,
        "conversation_count": page.paginator.count,
        "notes": NOTES(customer=customer.pk),
        "moments": MOMENTS(customer=customer.pk),
        "open_promises": OPEN_PROMISES(customer=customer.pk),
        "now": timezone.now(),
        "can_edit_customer": can(request.user, EDIT_CUSTOMER),
        "can_add_note": can(request.user, ADD_NOTE),
        "can_merge": can(request.user, MERGE_CUSTOMERS),
        "duplicates": likely_duplicates(request.user, customer, identities),
        "merges": undoable_merges(customer),
        "profile_form": ProfileForm(initial=initial),
        "note_form": NoteForm(),
        "moment_form": MomentForm(),
        "identity_form": IdentityForm(),
        **forms_in_error,
    }
    return render(request, "web/customers/profile.html", context, status=status)


@login_required
@require_GET
def profile(request, customer_id: int):
    customer = customer_for(request.user, customer_id)
    if customer.merged_into_id:
        flash.info(request, f"{customer.name} was merged into this customer.")
        return redirect("web:customer", customer_id=customer.merged_into_id)
    return render_profile(request, customer)


@login_required
@require_POST
def edit_profile(request, customer_id: int):
    customer = customer_for(request.user, customer_id)
    require(request.user, EDIT_CUSTOMER)
    form = ProfileForm(request.POST)
    if form.is_valid():
        try:
            actions.update_customer_profile(request.user, customer, **form.cleaned_data)
        except ValidationError as exc:
            customer.refresh_from_db()
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
    if form.errors:
        return render_profile(request, customer, status=400, profile_form=form)
    flash.success(request, "Profile saved.")
    return redirect("web:customer", customer_id=customer.pk)


@login_required
@require_POST
def edit_compass(request, customer_id: int):
    customer = customer_for(request.user, customer_id)
    require(request.user, EDIT_CUSTOMER)
    form = CompassForm(request.POST)
    error, saved = "", ""
    if form.is_valid():
        field, value = form.cleaned_data["field"], form.cleaned_data["value"]
        actions.update_customer_profile(request.user, customer, **{field: value})
        saved = COMPASS_LABELS[field]
    else:
        error = " ".join(e for errors in form.errors.values() for e in errors)
    if is_htmx(request):
        context = {
            "customer": customer,
            "can_edit": True,
            "back": _back(request, customer),
            "saved": saved,
            "error": error,
        }
        return render(request, "web/customers/_compass.html", context)
    if error:
        flash.error(request, f"The compass was not saved: {error}")
    else:
        flash.success(request, f"{saved} saved.")
    return redirect(_back(request, customer))


@login_required
@require_POST
def add_note(request, customer_id: int):
    customer = customer_for(request.user, customer_id)
    require(request.user, ADD_NOTE)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return render_profile(request, customer, status=400, note_form=form)
    actions.add_customer_note(request.user, customer, **form.cleaned_data)
    flash.success(request, "Note added.")
    return redirect("web:customer", customer_id=customer.pk)


@login_required
@require_POST
def add_moment(request, customer_id: int):
    customer = customer_for(request.user, customer_id)
    require(request.user, EDIT_CUSTOMER)
    form = MomentForm(request.POST)
    if not form.is_valid():
        return render_profile(request, customer, status=400, moment_form=form)
    actions.add_moment(request.user, customer, **form.cleaned_data)
    flash.success(request, "Moment added.")
    return redirect("web:customer", customer_id=customer.pk)


@login_required
@require_POST
def add_identity(request, customer_id: int):
    customer = customer_for(request.user, customer_id)
    require(request.user, EDIT_CUSTOMER)
    form = IdentityForm(request.POST)
    if form.is_valid():
        try:
            actions.add_identity(
                request.user, customer, form.cleaned_data["kind"], form.cleaned_data["value"]
            )
        except IntegrityError:
            form.add_error("value", "That address already belongs to a customer.")
    if form.errors:
        return render_profile(request, customer, status=400, identity_form=form)
    flash.success(request, "Address added.")
    return redirect("web:customer", customer_id=customer.pk)


def merge_preview(source: Customer, target: Customer) -> dict:
    """What merging `source` into `target` would move and which empty fields it would fill."""
    fills = [
        (field, getattr(source, field))
        for field in actions.MERGE_FILL_FIELDS
        if getattr(source, field) and not getattr(target, field)
    ]
    if source.vip and not target.vip:
        fills.append(("vip", "VIP"))
    return {
        "conversations": source.conversations.count(),
        "notes": source.notes.count(),
        "moments": source.moments.count(),
        "identities": list(source.identities.order_by("kind", "value")),
        "fills": [(FILL_LABELS[field], value) for field, value in fills],
    }


def _merge_pair(request, customer_id: int) -> tuple[Customer, Customer]:
    source = customer_for(request.user, customer_id)
    target = customer_for(request.user, request.GET.get("into") or request.POST.get("into"))
    if source.pk == target.pk or source.merged_into_id or target.merged_into_id:
        raise Http404("Those two customers cannot be merged")
    return source, target


@login_required
@require_http_methods(["GET", "POST"])
def merge(request, customer_id: int):
    require(request.user, MERGE_CUSTOMERS)
    source, target = _merge_pair(request, customer_id)
    if request.method == "POST":
        try:
            actions.merge_customers(request.user, source, target)
        except ValueError as exc:
            flash.error(request, f"Not merged: {exc}")
            return redirect("web:customer", customer_id=source.pk)
        flash.success(request, f"{source.name} was merged into {target.name}.")
        return redirect("web:customer", customer_id=target.pk)
    context = {"source": source, "target": target, "preview": merge_preview(source, target)}
    return render(request, "web/customers/merge.html", context)


@login_required
@require_POST
def unmerge(request, customer_id: int, event_id: int):
    require(request.user, MERGE_CUSTOMERS)
    target = customer_for(request.user, customer_id)
    found = [event for event, _ in undoable_merges(target) if event.pk == event_id]
    if not found:
        flash.error(request, "That merge can no longer be undone here.")
        return redirect("web:customer", customer_id=target.pk)
    source = actions.unmerge_customers(request.user, found[0])
    flash.success(request, f"{source.name} is a separate customer again.")
    return redirect("web:customer", customer_id=target.pk)
