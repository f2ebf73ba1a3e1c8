"""The search page: customers and messages the agent may see, best first, with snippets."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from regard.conversations.access import conversations_for, customers_for
from regard.search.api import search_customers, search_messages

MAX_QUERY = 500


@login_required
def search(request):
    q = request.GET.get("q", "").strip()[:MAX_QUERY]
    visible = conversations_for(request.user)
    customers = search_customers(q, 10, customers=customers_for(request.user)) if q else []
    messages = search_messages(visible, q, limit=30) if q else []
    return render(
        request,
        "web/search.html",
        {
            "q": q,
            "customer_hits": customers,
            "message_hits": messages,
        },
    )
