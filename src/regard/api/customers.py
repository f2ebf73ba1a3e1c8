"""Customers through the API: what the business knows of a person, read and kept up to date."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest
from ninja import Query, Router, Schema

from regard.accounts.access import require
from regard.accounts.permissions import EDIT_CUSTOMER
from regard.api.schemas import CustomerOut, CustomerPatch
from regard.conversations.access import customer_for, customers_for
from regard.customers.actions import update_customer_profile
from regard.customers.models import Customer

router = Router(tags=["customers"])


class ListQuery(Schema):
    q: str = ""
    before: int | None = None
    limit: int = 25


def customer_out(customer: Customer) -> dict:
    return {
        "id": customer.pk,
        "display_name": customer.display_name,
        "preferred_name": customer.preferred_name,
        "pronunciation": customer.pronunciation,
        "language": customer.language,
        "time_zone": customer.time_zone,
        "preferred_channel": customer.preferred_channel,
        "vip": customer.vip,
        "organization": customer.organization.name if customer.organization else None,
        "owner": customer.owner.display_name if customer.owner else None,
        "identities": [f"{i.kind}:{i.value}" for i in customer.identities.all()],
        "needs": customer.needs,
        "wants": customer.wants,
        "emotions": customer.emotions,
        "stereotypes_to_avoid": customer.stereotypes_to_avoid,
        "created_at": customer.created_at,
    }


def _loaded(customers):
    return customers.select_related("organization", "owner").prefetch_related("identities")


@router.get("/customers", response=list[CustomerOut])
def list_customers(request: HttpRequest, filters: Query[ListQuery]):
    """Newest first; `q` matches names and addresses (any part)."""
    found = customers_for(request.user).filter(merged_into__isnull=True)
    q = " ".join(filters.q.split())[:200]
    if q:
        named = Q(display_name__icontains=q) | Q(preferred_name__icontains=q)
        addressed = Customer.objects.filter(identities__value__icontains=q.lower())
        found = found.filter(named | Q(pk__in=addressed.values("pk")))
    if filters.before:
        found = found.filter(pk__lt=filters.before)
    limit = min(max(filters.limit, 1), 100)
    return [customer_out(c) for c in _loaded(found).order_by("-pk")[:limit]]


@router.get("/customers/{int:customer_id}", response=CustomerOut)
def get_customer(request: HttpRequest, customer_id: int):
    customer = customer_for(request.user, customer_id)
    return customer_out(_loaded(Customer.objects).get(pk=customer.pk))


@router.patch("/customers/{int:customer_id}", response=CustomerOut)
def update_customer(request: HttpRequest, customer_id: int, payload: CustomerPatch):
    """Only the fields sent change; each change is an event on the customer's timeline."""
    customer = customer_for(request.user, customer_id)
    require(request.user, EDIT_CUSTOMER)
    changes = {k: " ".join(v.split()) if k in ONE_LINE and v else v for k, v in _sent(payload)}
    update_customer_profile(request.user, customer, **changes)
    return get_customer(request, customer_id)


ONE_LINE = {"display_name", "preferred_name", "pronunciation", "language", "time_zone"}


def _sent(payload: CustomerPatch):
    return [(k, v) for k, v in payload.model_dump(exclude_unset=True).items() if v is not None]
