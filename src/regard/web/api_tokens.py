"""Each agent's own API tokens: make one (shown once), see when each was last used, revoke."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from regard.api.models import ApiToken
from regard.api.tokens import issue_token, revoke_token
from regard.conversations.access import agent_of


@login_required
@require_http_methods(["GET", "POST"])
def manage(request):
    agent = agent_of(request.user)
    issued = None
    if request.method == "POST":
        try:
            issued = issue_token(request.user, agent, request.POST.get("name", ""))
        except ValueError as exc:
            flash.error(request, str(exc))
            return redirect("web:api_tokens")
    tokens = ApiToken.objects.filter(agent=agent)
    response = render(
        request, "web/api_tokens.html", {"tokens": tokens, "issued": issued, "agent": agent}
    )
    response["Cache-Control"] = "no-store"  # the page may hold a token's only showing
    return response


@login_required
@require_POST
def revoke(request, token_id: int):
    token = ApiToken.objects.filter(pk=token_id, agent=agent_of(request.user)).first()
    if token is None:
        raise Http404("No such token")
    revoke_token(request.user, token)
    flash.success(request, f"Token “{token.name}” revoked: it no longer works.")
    return redirect("web:api_tokens")
