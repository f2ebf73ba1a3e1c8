"""The REST API, version 1 (django-ninja): a bearer token or an agent's session, then the same
fetch-and-check functions and domain actions the pages use. OpenAPI at /api/v1/docs."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import NinjaAPI

from regard import __version__
from regard.api import conversations, customers
from regard.api.auth import AgentSession, RateLimited, TokenAuth
from regard.api.schemas import AgentOut
from regard.conversations.actions import InvalidTransition

api = NinjaAPI(
    title="Regard API",
    version="1",
    urls_namespace="api",
    auth=[TokenAuth(), AgentSession()],
)
api.add_router("/", conversations.router)
api.add_router("/", customers.router)


@api.exception_handler(RateLimited)
def rate_limited(request: HttpRequest, exc: RateLimited):
    response = api.create_response(request, {"detail": str(exc)}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied):
    return api.create_response(
        request, {"detail": f"not allowed: {exc}" if str(exc) else "not allowed"}, status=403
    )


@api.exception_handler(ValueError)
def bad_value(request: HttpRequest, exc: ValueError):
    return api.create_response(request, {"detail": str(exc)}, status=400)


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError):
    return api.create_response(request, {"detail": "; ".join(exc.messages)}, status=400)


api.exception_handler(InvalidTransition)(bad_value)


@api.get("/health", auth=None)
def health(request: HttpRequest) -> dict:
    return {"status": "ok", "version": __version__}


@api.get("/me", response=AgentOut)
def me(request: HttpRequest):
    """Who the token or session acts as."""
    agent = request.user.agent
    return {
        "id": agent.pk,
        "name": agent.display_name,
        "role": agent.role,
        "teams": [team.name for team in agent.teams.all()],
    }
