"""Customers merged into one, or whose person an agent is, are found through an index even once
statistics say nearly every customer has neither."""

import pytest
from django.db import connection

from regard.customers.models import Customer
from tests.factories import make_agent

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner and EXPLAIN output")
def test_the_rare_links_are_searched_not_scanned_after_analyze():
    Customer.objects.bulk_create(Customer(display_name=f"C{n}") for n in range(300))
    target = Customer.objects.first()
    agent = make_agent("dana")
    Customer.objects.filter(pk__in=list(Customer.objects.values_list("pk", flat=True)[1:3])).update(
        merged_into=target, owner=agent
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    for queryset in (target.merged_from.order_by(), Customer.objects.filter(owner=agent)):
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " ".join(row[-1] for row in cursor.fetchall())
        assert "SCAN customers_customer" not in plan, plan
    assert set(target.merged_from.values_list("pk", flat=True)) == set(
        Customer.objects.filter(owner=agent).values_list("pk", flat=True)
    )
